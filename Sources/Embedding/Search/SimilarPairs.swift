import Kernels
import Tensor

/// A pair of rows whose cosine similarity passed a threshold (`first < second`).
public struct SimilarPair: Equatable, Sendable {
    public let first: Int
    public let second: Int
    public let similarity: Float
}

/// Finds every pair of rows with cosine similarity ≥ a threshold, in blocks.
///
/// The normalised matrix `X [N, D]` is multiplied block by block: rows `r0..<r1`
/// against rows `r0..<N` (the upper triangle only), so the score buffer holds at
/// most about `blockElementBudget` floats whatever N is.
enum SimilarPairScan {
    /// Default score-buffer size in floats (16 MB).
    static let defaultBlockElementBudget = 4 << 20

    /// All pairs `i < j` of rows of the unit-row matrix `normalized` with `X[i]·X[j] ≥ threshold`,
    /// ordered by `(first, second)`.
    static func pairs(normalized: Tensor, threshold: Float,
                      blockElementBudget: Int = defaultBlockElementBudget) -> [SimilarPair] {
        let n = normalized.shape[0], d = normalized.shape[1]
        guard n > 1 else { return [] }
        let blockRows = max(1, min(n, blockElementBudget / n))
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: blockRows * n)
        defer { scores.deallocate() }
        let base = normalized.floatPointer
        var found: [SimilarPair] = []
        let pool = ThreadPool()
        for start in stride(from: 0, to: n, by: blockRows) {
            let rows = min(blockRows, n - start)
            let columns = n - start
            GEMM.multiply(transposeB: true, m: rows, n: columns, k: d,
                          a: base + start * d, lda: d, b: base + start * d, ldb: d,
                          c: scores, ldc: columns)
            var perRow = [[SimilarPair]](repeating: [], count: rows)
            perRow.withUnsafeMutableBufferPointer { perRow in
                pool.parallelChunks(rows) { range in
                    for local in range {
                        let row = scores + local * columns
                        var hits: [SimilarPair] = []
                        // Column `local` is the row itself; only later rows form pairs.
                        for column in (local + 1)..<max(local + 1, columns) where row[column] >= threshold {
                            hits.append(SimilarPair(first: start + local, second: start + column,
                                                    similarity: row[column]))
                        }
                        perRow[local] = hits
                    }
                }
            }
            for hits in perRow { found.append(contentsOf: hits) }
        }
        return found
    }
}
