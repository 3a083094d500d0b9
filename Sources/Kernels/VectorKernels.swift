/// Small SIMD helpers used by the convolution, pooling and GEMM epilogues.
public enum VectorKernels {
    public typealias V = SIMD8<Float>

    /// Lane-wise maximum (inlined compare-and-select; the generic `pointwiseMax` is an out-of-line call).
    @inlinable @inline(__always)
    public static func max(_ a: V, _ b: V) -> V { a.replacing(with: b, where: a .< b) }

    /// Lane-wise minimum.
    @inlinable @inline(__always)
    public static func min(_ a: V, _ b: V) -> V { a.replacing(with: b, where: b .< a) }

    /// The clamp bounds that implement `activation` when it is Relu or Clip, else `nil`.
    @inlinable
    public static func clampBounds(_ activation: Activation?) -> (Float, Float)? {
        switch activation {
        case .none: return (-.infinity, .infinity)
        case .relu?: return (0, .infinity)
        case let .clip(lo, hi)?: return (lo, hi)
        default: return nil
        }
    }

    /// Applies `activation` in place; Relu and Clip use inlined SIMD clamps.
    @inlinable
    public static func activate(_ data: UnsafeMutablePointer<Float>, count: Int, _ activation: Activation) {
        guard let (lo, hi) = clampBounds(activation) else { activation.apply(data, count: count); return }
        let vlo = V(repeating: lo), vhi = V(repeating: hi)
        var i = 0
        while i + 8 <= count {
            let x = UnsafeRawPointer(data + i).loadUnaligned(as: V.self)
            UnsafeMutableRawPointer(data + i).storeBytes(of: min(max(x, vlo), vhi), as: V.self)
            i += 8
        }
        while i < count { data[i] = Swift.min(Swift.max(data[i], lo), hi); i += 1 }
    }

    /// `data[i] += value`.
    @inlinable
    public static func add(_ value: Float, to data: UnsafeMutablePointer<Float>, count: Int) {
        let v = V(repeating: value)
        var i = 0
        while i + 8 <= count {
            let x = UnsafeRawPointer(data + i).loadUnaligned(as: V.self)
            UnsafeMutableRawPointer(data + i).storeBytes(of: x + v, as: V.self)
            i += 8
        }
        while i < count { data[i] += value; i += 1 }
    }

    /// `data[i] += values[i]`.
    @inlinable
    public static func add(_ values: UnsafePointer<Float>, to data: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            let x = UnsafeRawPointer(data + i).loadUnaligned(as: V.self)
            let y = UnsafeRawPointer(values + i).loadUnaligned(as: V.self)
            UnsafeMutableRawPointer(data + i).storeBytes(of: x + y, as: V.self)
            i += 8
        }
        while i < count { data[i] += values[i]; i += 1 }
    }

    /// `target[i] = source[i] * factor` (a channel plane rescaled into a copy).
    @inlinable
    public static func scale(_ source: UnsafePointer<Float>, by factor: Float, into target: UnsafeMutablePointer<Float>,
                             count: Int) {
        let f = V(repeating: factor)
        var i = 0
        while i + 8 <= count {
            let x = UnsafeRawPointer(source + i).loadUnaligned(as: V.self)
            UnsafeMutableRawPointer(target + i).storeBytes(of: x * f, as: V.self)
            i += 8
        }
        while i < count { target[i] = source[i] * factor; i += 1 }
    }
}
