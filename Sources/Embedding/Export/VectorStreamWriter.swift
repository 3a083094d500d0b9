import Foundation
import Tensor

/// Writes (path, vector) rows to a file batch by batch with flat memory.
///
/// Open one with ``VectorExport/makeWriter(to:format:dimension:)``, call
/// ``append(paths:vectors:)`` per batch, then ``finish()``. Until `finish()`
/// the output is `FILE.partial`; it appears under its real name only when complete.
public protocol VectorStreamWriter: AnyObject {
    /// The output file.
    var url: URL { get }
    /// Floats per vector.
    var dimension: Int { get }
    /// Rows written so far.
    var rowCount: Int { get }
    /// Appends rows: `paths[i]` with row `i` of `vectors` (`[paths.count, dimension]` float32).
    func append(paths: [String], vectors: Tensor) throws
    /// Completes the file (patches headers, flushes, renames into place).
    func finish() throws
    /// Stops without producing the file (removes the partial file).
    func cancel()
}

extension VectorStreamWriter {
    /// Appends one row.
    public func append(path: String, vector: [Float]) throws {
        guard vector.count == dimension else {
            throw ExportError.dimensionMismatch(path: url.path, expected: dimension, found: vector.count)
        }
        try append(paths: [path], vectors: Tensor(shape: [1, dimension], floats: vector))
    }

    /// Checks a batch's shape before writing it.
    func validate(paths: [String], vectors: Tensor) throws {
        let found = vectors.rank == 2 ? vectors.shape[1] : vectors.count
        guard vectors.dataType == .float32, vectors.rank == 2, vectors.shape[0] == paths.count,
              vectors.shape[1] == dimension else {
            throw ExportError.dimensionMismatch(path: url.path, expected: dimension, found: found)
        }
    }

    /// Throws if any value of row `row` (named `path`) is NaN or infinite.
    func requireFinite(_ vector: UnsafePointer<Float>, path: String) throws {
        for column in 0..<dimension where !vector[column].isFinite {
            throw ExportError.nonFiniteValue(path: url.path, row: path, column: column)
        }
    }
}
