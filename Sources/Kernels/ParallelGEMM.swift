/// A large single-precision GEMM split across the engine's ``ThreadPool``.
///
/// BLAS runs with one thread; this type supplies the parallelism by cutting the
/// output into blocks along one dimension and giving each worker one
/// single-threaded `sgemm` on its block. An optional epilogue (bias, activation)
/// runs on each block right after it is computed, while it is still in cache.
public enum ParallelGEMM {
    /// Which output dimension is cut into blocks.
    public enum Split: Sendable {
        /// Blocks of rows of `C` (each worker reads all of `B`).
        case rows
        /// Blocks of columns of `C` (each worker reads all of `A`).
        case columns
        /// Rows when `m >= n`, else columns.
        case largest
    }

    /// Smallest block worth a thread of its own, in multiply-adds (a few microseconds of
    /// work). Counting output elements instead left a batch-1 classifier (a matrix-vector
    /// product over 2048 x 1000 weights, 0.33 ms) on one thread; split, it takes 0.17 ms.
    public static let minimumMultiplyAddsPerBlock = 1 << 19

    /// How many blocks an `m x n` product over depth `k` is worth on `threads` threads.
    public static func blockLimit(m: Int, n: Int, k: Int, threads: Int) -> Int {
        min(threads, max(1, m * n * max(k, 1) / minimumMultiplyAddsPerBlock))
    }

    /// `C = alpha * op(A) * op(B) + beta * C` (row-major), split over `pool`.
    ///
    /// - Parameter epilogue: called once per block with its row and column ranges
    ///   after the block of `C` is final.
    public static func multiply(
        pool: ThreadPool, split: Split = .largest,
        transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        epilogue: ((Range<Int>, Range<Int>) -> Void)? = nil
    ) {
        guard m > 0, n > 0 else { return }
        let splitRows: Bool
        switch split {
        case .rows: splitRows = true
        case .columns: splitRows = false
        case .largest: splitRows = m >= n
        }
        let extent = splitRows ? m : n
        let alignment = splitRows ? 4 : 16
        let blocks = min(blockLimit(m: m, n: n, k: k, threads: pool.threadCount), max(1, extent / alignment))
        if blocks <= 1 {
            GEMM.multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                          a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            epilogue?(0..<m, 0..<n)
            return
        }
        pool.parallelFor(blocks) { block in
            let lower = AlignedSplit.boundary(block, of: blocks, extent: extent, alignment: alignment)
            let upper = AlignedSplit.boundary(block + 1, of: blocks, extent: extent, alignment: alignment)
            guard upper > lower else { return }
            if splitRows {
                let aBlock = transposeA ? a + lower : a + lower * lda
                GEMM.multiply(transposeA: transposeA, transposeB: transposeB, m: upper - lower, n: n, k: k,
                              alpha: alpha, a: aBlock, lda: lda, b: b, ldb: ldb, beta: beta,
                              c: c + lower * ldc, ldc: ldc)
                epilogue?(lower..<upper, 0..<n)
            } else {
                let bBlock = transposeB ? b + lower * ldb : b + lower
                GEMM.multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: upper - lower, k: k,
                              alpha: alpha, a: a, lda: lda, b: bBlock, ldb: ldb, beta: beta,
                              c: c + lower, ldc: ldc)
                epilogue?(0..<m, lower..<upper)
            }
        }
    }
}
