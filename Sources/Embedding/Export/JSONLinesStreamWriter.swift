import Foundation
import Tensor

/// Streams JSON Lines: `{"path": "...", "embedding": [0.1, ...]}` per row.
///
/// Floats are printed in their shortest form that parses back to the same float32.
public final class JSONLinesStreamWriter: VectorStreamWriter {
    public let url: URL
    public let dimension: Int
    public private(set) var rowCount = 0
    private let output: BufferedFileOutput

    /// Creates `url` for vectors of `dimension` floats.
    public init(url: URL, dimension: Int) throws {
        self.url = url
        self.dimension = dimension
        output = try BufferedFileOutput(url: url)
    }

    public func append(paths: [String], vectors: Tensor) throws {
        try validate(paths: paths, vectors: vectors)
        let base = vectors.floatPointer
        for (row, path) in paths.enumerated() {
            let vector = base + row * dimension
            try requireFinite(vector, path: path)
            var line = "{\"path\": " + TextEncoding.jsonString(path) + ", \"embedding\": ["
            line.reserveCapacity(line.utf8.count + dimension * 12)
            for column in 0..<dimension {
                if column > 0 { line += ", " }
                line += TextEncoding.shortest(vector[column])
            }
            line += "]}\n"
            try output.write(line)
        }
        rowCount += paths.count
    }

    public func finish() throws { try output.commit() }

    public func cancel() { output.abandon() }
}
