import CKernels

/// Vectorised pointwise math on float buffers.
///
/// The work is done in C (CKernels `imgvec_vmath`): AVX-512, AVX2+FMA or portable builds of
/// the same algorithms, chosen once at run time from the CPU. Transcendental functions are
/// accurate to about 1e-7 relative (2e-6 at worst) wherever the result is a normal float,
/// give the right limits at ±infinity, and turn NaN into NaN. In-place calls (source ==
/// destination) are fine; other overlaps are not.
public enum VectorMath {
    public typealias Vector = SIMD8<Float>

    /// A pointwise function, for ``apply(_:kernel:_:_:count:)``.
    public enum Function: Sendable, Equatable {
        case exp, sigmoid, silu, tanh, erf, gelu, geluTanh, hardSwish
        case hardSigmoid(alpha: Float, beta: Float)
        /// x · sigmoid(alpha · x) (CLIP's QuickGELU with alpha = 1.702).
        case quickGelu(alpha: Float)
        case clamp(min: Float, max: Float)

        /// The C function and its two parameters.
        var cValue: (imgvec_vmath_function, Float, Float) {
            switch self {
            case .exp: return (IMGVEC_VMATH_EXP, 0, 0)
            case .sigmoid: return (IMGVEC_VMATH_SIGMOID, 0, 0)
            case .silu: return (IMGVEC_VMATH_SILU, 0, 0)
            case .tanh: return (IMGVEC_VMATH_TANH, 0, 0)
            case .erf: return (IMGVEC_VMATH_ERF, 0, 0)
            case .gelu: return (IMGVEC_VMATH_GELU, 0, 0)
            case .geluTanh: return (IMGVEC_VMATH_GELU_TANH, 0, 0)
            case .hardSwish: return (IMGVEC_VMATH_HARDSWISH, 0, 0)
            case let .hardSigmoid(alpha, beta): return (IMGVEC_VMATH_HARDSIGMOID, alpha, beta)
            case let .clamp(lo, hi): return (IMGVEC_VMATH_CLAMP, lo, hi)
            case let .quickGelu(alpha): return (IMGVEC_VMATH_QUICK_GELU, alpha, 0)
            }
        }
    }

    /// `destination[i] = function(source[i])` for `i < count`, with the best build for this CPU.
    public static func apply(_ function: Function, _ source: UnsafePointer<Float>,
                             _ destination: UnsafeMutablePointer<Float>, count: Int) {
        guard count > 0 else { return }
        let (f, a, b) = function.cValue
        imgvec_vmath(f, source, destination, count, a, b)
    }

    /// ``apply(_:_:_:count:)`` with a chosen instruction-set build (`GEMM.Kernel` names them).
    /// Returns `false` (and writes nothing) when this CPU cannot run it. For tests and benchmarks.
    @discardableResult
    public static func apply(_ function: Function, kernel: GEMM.Kernel, _ source: UnsafePointer<Float>,
                             _ destination: UnsafeMutablePointer<Float>, count: Int) -> Bool {
        let (f, a, b) = function.cValue
        return imgvec_vmath_with_kernel(kernel.cValue, f, source, destination, max(count, 0), a, b) == 0
    }

    /// `v` clamped into `[lo, hi]` lane-wise, as compare-and-select (NaN lanes stay NaN), for
    /// Swift SIMD code. `SIMD.clamped(lowerBound:upperBound:)` and `pointwiseMin/Max` compile
    /// to out-of-line generic calls in this toolchain; `replacing(with:where:)` becomes vcmpps + blend.
    @inlinable @inline(__always)
    public static func clamp(_ v: Vector, _ lo: Vector, _ hi: Vector) -> Vector {
        let raised = v.replacing(with: lo, where: v .< lo)
        return raised.replacing(with: hi, where: raised .> hi)
    }

    /// Clamps every element into `[min, max]` in place (NaN stays NaN).
    public static func clamp(_ data: UnsafeMutablePointer<Float>, count: Int, min lo: Float, max hi: Float) {
        apply(.clamp(min: lo, max: hi), data, data, count: count)
    }

    /// x * clamp((x + 3) / 6, 0, 1), in place.
    public static func hardSwish(_ data: UnsafeMutablePointer<Float>, count: Int) {
        apply(.hardSwish, data, data, count: count)
    }

    /// clamp(alpha * x + beta, 0, 1), in place.
    public static func hardSigmoid(_ data: UnsafeMutablePointer<Float>, count: Int, alpha: Float, beta: Float) {
        apply(.hardSigmoid(alpha: alpha, beta: beta), data, data, count: count)
    }

    /// 1 / (1 + exp(-x)), in place.
    public static func sigmoid(_ data: UnsafeMutablePointer<Float>, count: Int) {
        apply(.sigmoid, data, data, count: count)
    }

    /// x / (1 + exp(-x)), in place.
    public static func silu(_ data: UnsafeMutablePointer<Float>, count: Int) {
        apply(.silu, data, data, count: count)
    }

    /// e^x.
    public static func exp(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, count: Int) {
        apply(.exp, source, destination, count: count)
    }

    /// The error function.
    public static func erf(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, count: Int) {
        apply(.erf, source, destination, count: count)
    }

    /// Hyperbolic tangent.
    public static func tanh(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, count: Int) {
        apply(.tanh, source, destination, count: count)
    }

    /// Logistic sigmoid.
    public static func sigmoid(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, count: Int) {
        apply(.sigmoid, source, destination, count: count)
    }

    /// SiLU (x · sigmoid(x)).
    public static func silu(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, count: Int) {
        apply(.silu, source, destination, count: count)
    }

    /// GELU; `approximateTanh` selects the tanh form (ONNX `approximate="tanh"`).
    public static func gelu(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, count: Int,
                            approximateTanh: Bool = false) {
        apply(approximateTanh ? .geluTanh : .gelu, source, destination, count: count)
    }

    /// Row-wise softmax of `rows` rows of `length` floats (row stride `stride`):
    /// `y = softmax(scale · x)` (`scale > 0`), or its logarithm. In place is fine.
    public static func softmaxRows(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>,
                                   rows: Int, length: Int, stride: Int, scale: Float = 1, logarithmic: Bool = false) {
        imgvec_softmax_rows(source, destination, rows, length, stride, scale, logarithmic ? 1 : 0)
    }
}
