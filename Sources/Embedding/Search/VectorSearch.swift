import Kernels
import Tensor

/// One search hit.
public struct SearchResult: Equatable, Sendable {
    /// The matching image's path.
    public let path: String
    /// Cosine similarity with the query, in [-1, 1].
    public let score: Float
    /// The row of the image in the searched matrix.
    public let index: Int
}

/// Exact cosine top-k search over a whole collection.
///
/// The rows are L2-normalised once into a matrix `X [N, D]`; a batch of queries
/// `Q [q, D]` (normalised too) is scored with one GEMM `Q · Xᵀ`, and a size-k heap
/// keeps the best per query. Results come best first; equal scores in path order.
public final class VectorSearch {
    /// The searchable paths, row for row.
    public let paths: [String]
    /// Unit-length rows `[N, D]`.
    public let normalizedVectors: Tensor
    private let rowOfPath: [String: Int]

    /// Number of vectors.
    public var count: Int { paths.count }
    /// Floats per vector.
    public var dimension: Int { normalizedVectors.shape[1] }

    /// Prepares a search over `vectors` (`[N, D]` float32), row `i` named `paths[i]`.
    public init(paths: [String], vectors: Tensor) throws {
        guard vectors.rank == 2, vectors.dataType == .float32, vectors.shape[0] == paths.count else {
            throw SearchError.invalidArgument(
                "vectors must be a [\(paths.count), D] float32 matrix, found \(vectors.dataType) \(vectors.shape)")
        }
        self.paths = paths
        normalizedVectors = RowNormalization.normalizedCopy(of: vectors)
        var rows: [String: Int] = [:]
        rows.reserveCapacity(paths.count)
        for (row, path) in paths.enumerated() { rows[path] = row }
        rowOfPath = rows
    }

    /// Prepares a search over a collection loaded with ``EmbeddingCollection/loadAll()``.
    public convenience init(_ stored: StoredVectors) throws {
        try self.init(paths: stored.paths, vectors: stored.vectors)
    }

    /// The `k` stored vectors most similar to `vector`, best first.
    public func search(vector: [Float], k: Int) throws -> [SearchResult] {
        guard vector.count == dimension else {
            throw SearchError.dimensionMismatch(what: "query", expected: dimension, found: vector.count)
        }
        return try search(queries: Tensor(shape: [1, dimension], floats: vector), k: k)[0]
    }

    /// The `k` images most similar to the stored image `path`, best first.
    ///
    /// The query image itself is listed first (score ≈ 1) unless `excludingQuery`,
    /// even when an exact duplicate ties with it.
    public func search(path: String, k: Int, excludingQuery: Bool = false) throws -> [SearchResult] {
        guard let row = rowOfPath[path] else { throw SearchError.unknownPath(path) }
        let query = normalizedVectors.slice(rows: row..<row + 1)
        return try rank(queries: query, k: k, pinnedRows: [row], excludePinned: excludingQuery)[0]
    }

    /// The `k` best matches for each row of `queries` (`[q, D]`), best first.
    public func search(queries: Tensor, k: Int) throws -> [[SearchResult]] {
        guard queries.rank == 2, queries.dataType == .float32 else {
            throw SearchError.invalidArgument("queries must be a [q, D] float32 matrix, found \(queries.shape)")
        }
        guard queries.shape[1] == dimension else {
            throw SearchError.dimensionMismatch(what: "queries", expected: dimension, found: queries.shape[1])
        }
        return try rank(queries: RowNormalization.normalizedCopy(of: queries), k: k, pinnedRows: nil,
                        excludePinned: false)
    }

    /// Scores normalised `queries` against every row in chunks of queries whose
    /// score block stays under ~32 MB. `pinnedRows[q]` is forced first (or left out).
    private func rank(queries: Tensor, k: Int, pinnedRows: [Int]?, excludePinned: Bool) throws -> [[SearchResult]] {
        guard k >= 0 else { throw SearchError.invalidArgument("k must be at least 0, found \(k)") }
        let total = queries.shape[0], n = count, d = dimension
        guard n > 0, total > 0, k > 0 else { return Array(repeating: [], count: total) }
        let chunk = max(1, min(total, (8 << 20) / n))
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: chunk * n)
        defer { scores.deallocate() }
        var results: [[SearchResult]] = []
        results.reserveCapacity(total)
        for start in stride(from: 0, to: total, by: chunk) {
            let rows = min(chunk, total - start)
            GEMM.multiply(transposeB: true, m: rows, n: n, k: d,
                          a: queries.floatPointer + start * d, lda: d,
                          b: normalizedVectors.floatPointer, ldb: d,
                          c: scores, ldc: n)
            for q in 0..<rows {
                let row = scores + q * n
                let pinned = pinnedRows?[start + q]
                var selfScore: Float = 0
                if let pinned {
                    selfScore = row[pinned]
                    row[pinned] = excludePinned ? -.infinity : .infinity
                }
                var selector = TopKSelector(k: min(k, n)) { [paths] in PathOrder.precedes(paths[$0], paths[$1]) }
                for i in 0..<n { selector.offer(score: row[i], index: i) }
                results.append(selector.sortedBestFirst().compactMap { hit in
                    if hit.index == pinned {
                        return excludePinned ? nil : SearchResult(path: paths[hit.index], score: selfScore, index: hit.index)
                    }
                    return SearchResult(path: paths[hit.index], score: hit.score, index: hit.index)
                })
            }
        }
        return results
    }
}
