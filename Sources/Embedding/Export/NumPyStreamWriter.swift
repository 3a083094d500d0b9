import Foundation
import Tensor

/// Streams a float32 `[N, D]` `.npy` file plus `FILE.paths.txt`.
///
/// The header is written first with a fixed width (128 bytes, room for a
/// 20-digit row count) and rewritten with the real N at ``finish()``.
public final class NumPyStreamWriter: VectorStreamWriter {
    public let url: URL
    public let dimension: Int
    public private(set) var rowCount = 0
    /// The companion paths file, `FILE.paths.txt` for `FILE.npy`.
    public let pathsURL: URL
    private let output: BufferedFileOutput
    private let pathsOutput: BufferedFileOutput
    static let headerLength = 128

    /// Creates `url` (and its paths file) for vectors of `dimension` floats.
    public init(url: URL, dimension: Int) throws {
        self.url = url
        self.dimension = dimension
        pathsURL = VectorExport.pathsFileURL(for: url)
        output = try BufferedFileOutput(url: url)
        pathsOutput = try BufferedFileOutput(url: pathsURL)
        try output.write(Self.header(rows: 0, columns: dimension))
    }

    /// The 128-byte `.npy` (version 1.0) header for a float32 `[rows, columns]` array.
    static func header(rows: Int, columns: Int) -> Data {
        var text = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
        let padding = headerLength - 10 - text.utf8.count - 1
        text += String(repeating: " ", count: max(0, padding)) + "\n"
        var data = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
        data.append(contentsOf: [UInt8(text.utf8.count & 0xFF), UInt8(text.utf8.count >> 8)])
        data.append(contentsOf: Array(text.utf8))
        return data
    }

    public func append(paths: [String], vectors: Tensor) throws {
        try validate(paths: paths, vectors: vectors)
        var lines = ""
        for path in paths {
            if path.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
                throw ExportError.unrepresentablePath(file: pathsURL.path, path: path,
                                                      reason: "contains a line break (use .jsonl or .csv)")
            }
            lines += path + "\n"
        }
        let count = paths.count * dimension
        try output.write(VectorBlob.encode(UnsafeBufferPointer(start: vectors.floatPointer, count: count)))
        try pathsOutput.write(lines)
        rowCount += paths.count
    }

    public func finish() throws {
        try output.overwrite(at: 0, with: Self.header(rows: rowCount, columns: dimension))
        try output.commit()
        try pathsOutput.commit()
    }

    public func cancel() {
        output.abandon()
        pathsOutput.abandon()
    }
}
