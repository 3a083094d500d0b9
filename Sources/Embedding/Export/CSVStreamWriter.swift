import Foundation
import Tensor

/// Streams CSV: header `path,e0,e1,...`, then one row per image with the path
/// quoted per RFC 4180 and floats in their shortest round-trip form.
public final class CSVStreamWriter: VectorStreamWriter {
    public let url: URL
    public let dimension: Int
    public private(set) var rowCount = 0
    private let output: BufferedFileOutput

    /// Creates `url` for vectors of `dimension` floats and writes the header.
    public init(url: URL, dimension: Int) throws {
        self.url = url
        self.dimension = dimension
        output = try BufferedFileOutput(url: url)
        try output.write((["path"] + (0..<dimension).map { "e\($0)" }).joined(separator: ",") + "\n")
    }

    public func append(paths: [String], vectors: Tensor) throws {
        try validate(paths: paths, vectors: vectors)
        let base = vectors.floatPointer
        for (row, path) in paths.enumerated() {
            let vector = base + row * dimension
            try requireFinite(vector, path: path)
            var line = TextEncoding.csvField(path)
            line.reserveCapacity(line.utf8.count + dimension * 12)
            for column in 0..<dimension {
                line += ","
                line += TextEncoding.shortest(vector[column])
            }
            line += "\n"
            try output.write(line)
        }
        rowCount += paths.count
    }

    public func finish() throws { try output.commit() }

    public func cancel() { output.abandon() }
}
