#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif

/// Single-precision matrix multiply, the one interface the engine has to BLAS.
///
/// Every matrix is row-major. OpenBLAS serves Linux, Accelerate serves macOS;
/// nothing above this file knows which.
public enum GEMM {
    /// `C = alpha * op(A) * op(B) + beta * C`, where `op(A)` is `m×k` and `op(B)` is `k×n`.
    ///
    /// - Parameters:
    ///   - transposeA: `A` is stored `k×m` (use its transpose).
    ///   - transposeB: `B` is stored `n×k` (use its transpose).
    ///   - lda, ldb, ldc: row strides in elements.
    @inlinable
    public static func multiply(
        transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        if k == 0 {
            for row in 0..<m {
                let out = c + row * ldc
                for column in 0..<n { out[column] = beta == 0 ? 0 : beta * out[column] }
            }
            return
        }
        cblas_sgemm(CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    blasInt(m), blasInt(n), blasInt(k),
                    alpha, a, blasInt(lda), b, blasInt(ldb),
                    beta, c, blasInt(ldc))
    }

    /// Sets how many threads BLAS may use for one call.
    ///
    /// The engine sets this once from its thread count; kernels that already run
    /// in parallel call BLAS from inside the pool only with one thread each.
    public static func setThreadCount(_ count: Int) {
        #if !canImport(Accelerate)
        openblas_set_num_threads(Int32(max(1, count)))
        #endif
    }

    /// The number of threads BLAS currently uses.
    public static var threadCount: Int {
        #if canImport(Accelerate)
        return 1
        #else
        return Int(openblas_get_num_threads())
        #endif
    }

    @inlinable
    static func blasInt(_ value: Int) -> Int32 { Int32(truncatingIfNeeded: value) }
}
