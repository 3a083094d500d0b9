import Foundation
import Tensor

/// Writes (paths, `[N, D]` vectors) to `.npy` (+ `.paths.txt`), `.jsonl` or `.csv`.
public enum VectorExport {
    /// Opens a streaming writer for `url`; `format` defaults to the one its extension names.
    public static func makeWriter(to url: URL, format: ExportFormat? = nil, dimension: Int) throws -> VectorStreamWriter {
        guard let format = format ?? ExportFormat(fileExtensionOf: url) else {
            throw ExportError.unknownFormat(path: url.path)
        }
        switch format {
        case .npy: return try NumPyStreamWriter(url: url, dimension: dimension)
        case .jsonl: return try JSONLinesStreamWriter(url: url, dimension: dimension)
        case .csv: return try CSVStreamWriter(url: url, dimension: dimension)
        }
    }

    /// Writes all rows at once. `vectors` is `[paths.count, D]` float32.
    public static func write(paths: [String], vectors: Tensor, to url: URL, format: ExportFormat? = nil) throws {
        guard vectors.rank == 2 else {
            throw ExportError.dimensionMismatch(path: url.path, expected: 2, found: vectors.rank)
        }
        let writer = try makeWriter(to: url, format: format, dimension: vectors.shape[1])
        do {
            // Batches keep the text formats' line buffers small.
            let batch = 1024
            for start in stride(from: 0, to: paths.count, by: batch) {
                let end = min(paths.count, start + batch)
                try writer.append(paths: Array(paths[start..<end]), vectors: vectors.slice(rows: start..<end))
            }
            try writer.finish()
        } catch {
            writer.cancel()
            throw error
        }
    }

    /// Writes a loaded collection.
    public static func write(_ stored: StoredVectors, to url: URL, format: ExportFormat? = nil) throws {
        try write(paths: stored.paths, vectors: stored.vectors, to: url, format: format)
    }

    /// The paths file that accompanies an `.npy` export: `FILE.paths.txt` for `FILE.npy`.
    public static func pathsFileURL(for npyURL: URL) -> URL {
        let base = npyURL.pathExtension.lowercased() == "npy" ? npyURL.deletingPathExtension() : npyURL
        return URL(fileURLWithPath: base.path + ".paths.txt")
    }
}
