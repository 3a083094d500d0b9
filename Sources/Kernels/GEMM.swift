#if canImport(Accelerate)
import Accelerate
#endif
import CKernels
import Foundation

/// Single-precision matrix multiply, the one interface the engine has to GEMM.
///
/// Every matrix is row-major. On x86-64 imgvec's own blocked sgemm (CKernels: AVX-512,
/// AVX2+FMA or portable micro-kernels chosen once from the CPU) does the work; BLAS
/// (OpenBLAS on Linux, Accelerate on macOS) serves other architectures and stays
/// available for comparisons through ``backend`` or `IMGVEC_GEMM=blas`. On Linux OpenBLAS
/// is loaded on first use, not at start-up (its idle threads would spin for the process's
/// first 0.1 s otherwise), and runs one thread per call.
public enum GEMM {
    /// Who computes ``multiply(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``.
    public enum Backend: String, Sendable {
        /// imgvec's own kernels (CKernels).
        case native
        /// The system BLAS (OpenBLAS or Accelerate).
        case blas
    }

    /// A micro-kernel of the native backend (tests and benchmarks force one).
    public enum Kernel: Int, Sendable, CaseIterable {
        case automatic = 0, portable = 1, avx2 = 2, avx512 = 3

        var cValue: imgvec_sgemm_kernel { imgvec_sgemm_kernel(rawValue: UInt32(rawValue)) }

        /// Whether this CPU can run the kernel.
        public var isAvailable: Bool { imgvec_sgemm_kernel_available(cValue) != 0 }

        /// Columns of C per micro-kernel tile (0 when unavailable): packed right operands
        /// (``PackedWeights``) split over threads at multiples of it.
        public var columnTile: Int { imgvec_sgemm_kernel_columns(cValue) }

        /// Rows of C per micro-kernel tile (0 when unavailable).
        public var rowTile: Int { imgvec_sgemm_kernel_rows(cValue) }

        /// The deepest reduction a product with a packed operand takes in one k block (KC).
        public var depthBlock: Int { imgvec_sgemm_kernel_depth(cValue) }

        /// "avx512", "avx2" or "portable" (automatic: the one it resolves to).
        public var name: String { String(cString: imgvec_sgemm_kernel_name(cValue)) }
    }

    /// The backend in use: `native` on x86-64 unless the environment sets `IMGVEC_GEMM=blas`,
    /// `blas` elsewhere (or `IMGVEC_GEMM=native` to force the portable kernels there).
    /// Set it only before inference starts (it is read without synchronisation).
    nonisolated(unsafe) public static var backend: Backend = defaultBackend

    static var defaultBackend: Backend {
        if let value = ProcessInfo.processInfo.environment["IMGVEC_GEMM"], let chosen = Backend(rawValue: value) {
            return chosen
        }
        #if arch(x86_64)
        return .native
        #else
        return .blas
        #endif
    }

    /// `C = alpha * op(A) * op(B) + beta * C`, where `op(A)` is `m×k` and `op(B)` is `k×n`.
    ///
    /// - Parameters:
    ///   - transposeA: `A` is stored `k×m` (use its transpose).
    ///   - transposeB: `B` is stored `n×k` (use its transpose).
    ///   - lda, ldb, ldc: row strides in elements.
    ///   - beta: `0` overwrites `C` without reading it.
    public static func multiply(
        transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        multiply(on: backend, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                 a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    /// ``multiply(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)`` on a chosen
    /// backend, whatever ``backend`` says (comparisons that must not switch it for the process).
    public static func multiply(
        on backend: Backend, transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        if backend == .native {
            imgvec_sgemm(transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
            return
        }
        if k == 0 {
            for row in 0..<m {
                let out = c + row * ldc
                for column in 0..<n { out[column] = beta == 0 ? 0 : beta * out[column] }
            }
            return
        }
        #if canImport(Accelerate)
        cblas_sgemm(CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    blasInt(m), blasInt(n), blasInt(k),
                    alpha, a, blasInt(lda), b, blasInt(ldb),
                    beta, c, blasInt(ldc))
        #else
        guard imgvec_blas_sgemm(transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb,
                                beta, c, ldc) == 0 else {
            // No BLAS here: imgvec's own kernels (portable ones at least) compute the same product.
            _ = warnedNoBLAS
            imgvec_sgemm(transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
            return
        }
        #endif
    }

    /// Said once per process, on the first product that asked for BLAS and found none.
    private static let warnedNoBLAS: Void = {
        FileHandle.standardError.write(Data(
            "imgvec: IMGVEC_GEMM=blas, but no BLAS library could be loaded (libopenblas.so.0, or the one IMGVEC_BLAS_LIBRARY names); using imgvec's own GEMM kernels\n".utf8))
    }()

    /// ``multiply(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)`` on the native
    /// backend with a chosen micro-kernel. Returns `false` (and leaves `C`) when this CPU
    /// cannot run it. For tests and benchmarks.
    @discardableResult
    public static func multiply(
        kernel: Kernel, transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) -> Bool {
        imgvec_sgemm_with_kernel(kernel.cValue, transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k,
                                 alpha, a, lda, b, ldb, beta, c, ldc) == 0
    }

    /// Sets how many threads BLAS may use for one call. BLAS starts at one (the native backend
    /// is always single-threaded per call; the engine's ThreadPool supplies parallelism). On
    /// Linux this loads OpenBLAS if it is not loaded yet.
    public static func setThreadCount(_ count: Int) {
        #if !canImport(Accelerate)
        imgvec_blas_set_threads(Int32(max(1, count)))
        #endif
    }

    /// The number of threads BLAS currently uses (on Linux this loads OpenBLAS).
    public static var threadCount: Int {
        #if canImport(Accelerate)
        return 1
        #else
        return Int(imgvec_blas_threads())
        #endif
    }

    @inlinable
    static func blasInt(_ value: Int) -> Int32 { Int32(truncatingIfNeeded: value) }
}
