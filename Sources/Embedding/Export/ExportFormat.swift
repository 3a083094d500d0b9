import Foundation

/// The file formats vectors can be exported to.
public enum ExportFormat: String, Sendable, CaseIterable {
    /// NumPy `.npy` float32 `[N, D]` plus `FILE.paths.txt` (one path per line, same order).
    case npy
    /// JSON Lines: one `{"path": ..., "embedding": [...]}` object per line.
    case jsonl
    /// CSV with header `path,e0,e1,...`; paths always quoted (RFC 4180), lines end in `\n`.
    case csv

    /// The format named by `url`'s extension (`.npy`, `.jsonl`/`.ndjson`, `.csv`), if any.
    public init?(fileExtensionOf url: URL) {
        switch url.pathExtension.lowercased() {
        case "npy": self = .npy
        case "jsonl", "ndjson": self = .jsonl
        case "csv": self = .csv
        default: return nil
        }
    }
}

/// Errors writing an export file.
public enum ExportError: Error, CustomStringConvertible, Equatable {
    /// The output file could not be created, written or moved into place.
    case io(path: String, reason: String)
    /// A value is NaN or infinite, which JSON and the round-trip guarantee cannot carry.
    case nonFiniteValue(path: String, row: String, column: Int)
    /// A row's vector has the wrong length.
    case dimensionMismatch(path: String, expected: Int, found: Int)
    /// A path cannot be written in this format (e.g. a newline in `FILE.paths.txt`).
    case unrepresentablePath(file: String, path: String, reason: String)
    /// The output extension names no known format.
    case unknownFormat(path: String)
    /// The writer was used after ``VectorStreamWriter/finish()``.
    case finished(path: String)

    public var description: String {
        switch self {
        case let .io(path, reason): return "\(path): \(reason)"
        case let .nonFiniteValue(path, row, column):
            return "\(path): vector of \(row) has a non-finite value at index \(column)"
        case let .dimensionMismatch(path, expected, found):
            return "\(path): row has \(found) values, expected \(expected)"
        case let .unrepresentablePath(file, path, reason): return "\(file): cannot write path \(path.debugDescription): \(reason)"
        case let .unknownFormat(path): return "\(path): unknown export format (use .npy, .jsonl or .csv)"
        case let .finished(path): return "\(path): writer already finished"
        }
    }
}
