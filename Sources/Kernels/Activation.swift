import Foundation

/// A pointwise activation that kernels apply in their epilogue.
///
/// The graph's fusion pass folds Relu, Clip (ReLU6), HardSwish, HardSigmoid,
/// Sigmoid and SiLU nodes into the Conv/Gemm/MatMul that produces their input;
/// the kernel then calls ``apply(_:count:)`` on each output tile while it is hot.
public enum Activation: Sendable, Equatable {
    case relu
    case clip(min: Float, max: Float)
    case hardSwish
    case hardSigmoid(alpha: Float, beta: Float)
    case sigmoid
    /// x * sigmoid(x) (SiLU / Swish).
    case silu
    /// x/2 · (1 + erf(x/√2)) (exact GELU).
    case gelu
    /// x · sigmoid(alpha · x) (QuickGELU, alpha = 1.702 in CLIP).
    case quickGelu(alpha: Float)

    /// The vector-math function and parameters that compute this activation (for C epilogues).
    public var vectorFunction: VectorMath.Function {
        switch self {
        case .relu: return .clamp(min: 0, max: .infinity)
        case let .clip(lo, hi): return .clamp(min: lo, max: hi)
        case .hardSwish: return .hardSwish
        case let .hardSigmoid(alpha, beta): return .hardSigmoid(alpha: alpha, beta: beta)
        case .sigmoid: return .sigmoid
        case .silu: return .silu
        case .gelu: return .gelu
        case let .quickGelu(alpha): return .quickGelu(alpha: alpha)
        }
    }

    /// Applies the activation in place to `count` floats.
    @inlinable
    public func apply(_ data: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .relu: VectorMath.clamp(data, count: count, min: 0, max: .infinity)
        case let .clip(lo, hi): VectorMath.clamp(data, count: count, min: lo, max: hi)
        case .hardSwish: VectorMath.hardSwish(data, count: count)
        case let .hardSigmoid(alpha, beta): VectorMath.hardSigmoid(data, count: count, alpha: alpha, beta: beta)
        case .sigmoid: VectorMath.sigmoid(data, count: count)
        case .silu: VectorMath.silu(data, count: count)
        case .gelu: VectorMath.gelu(data, data, count: count)
        case let .quickGelu(alpha): VectorMath.apply(.quickGelu(alpha: alpha), data, data, count: count)
        }
    }

    /// The activation of one value (the reference the vector code must match).
    @inlinable
    public func callAsFunction(_ x: Float) -> Float {
        switch self {
        case .relu: return max(x, 0)
        case let .clip(lo, hi): return min(max(x, lo), hi)
        case .hardSwish: return x * min(max(x / 6 + 0.5, 0), 1)
        case let .hardSigmoid(alpha, beta): return min(max(alpha * x + beta, 0), 1)
        case .sigmoid: return 1 / (1 + Foundation.exp(-x))
        case .silu: return x / (1 + Foundation.exp(-x))
        case .gelu: return Float(0.5 * Double(x) * (1 + Foundation.erf(Double(x) / 2.0.squareRoot())))
        case let .quickGelu(alpha): return x / (1 + Foundation.exp(-alpha * x))
        }
    }
}
