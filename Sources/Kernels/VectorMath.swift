import Foundation

/// Vectorised pointwise math on float buffers, in place.
///
/// Transcendental functions use SIMD polynomial approximations accurate to a
/// few ulp, because scalar `exp`/`erf` can dominate a transformer's run time.
public enum VectorMath {
    public typealias Vector = SIMD8<Float>

    /// `v` clamped into `[lo, hi]` lane-wise, as compare-and-select (NaN lanes stay NaN).
    /// `SIMD.clamped(lowerBound:upperBound:)` and `pointwiseMin/Max` compile to out-of-line
    /// generic calls in this toolchain; `replacing(with:where:)` becomes vcmpps + blend.
    @inlinable @inline(__always)
    public static func clamp(_ v: Vector, _ lo: Vector, _ hi: Vector) -> Vector {
        let raised = v.replacing(with: lo, where: v .< lo)
        return raised.replacing(with: hi, where: raised .> hi)
    }

    /// Clamps every element into `[min, max]`.
    @inlinable
    public static func clamp(_ data: UnsafeMutablePointer<Float>, count: Int, min lo: Float, max hi: Float) {
        let vlo = Vector(repeating: lo), vhi = Vector(repeating: hi)
        var i = 0
        while i + 8 <= count {
            let v = UnsafeRawPointer(data + i).loadUnaligned(as: Vector.self)
            UnsafeMutableRawPointer(data + i).storeBytes(of: clamp(v, vlo, vhi), as: Vector.self)
            i += 8
        }
        while i < count { data[i] = Swift.min(Swift.max(data[i], lo), hi); i += 1 }
    }

    /// x * clamp(x/6 + 1/2, 0, 1).
    @inlinable
    public static func hardSwish(_ data: UnsafeMutablePointer<Float>, count: Int) {
        let zero = Vector(repeating: 0), one = Vector(repeating: 1)
        let sixth = Vector(repeating: 1 / 6), half = Vector(repeating: 0.5)
        var i = 0
        while i + 8 <= count {
            let v = UnsafeRawPointer(data + i).loadUnaligned(as: Vector.self)
            let gate = clamp(v * sixth + half, zero, one)
            UnsafeMutableRawPointer(data + i).storeBytes(of: v * gate, as: Vector.self)
            i += 8
        }
        while i < count { let x = data[i]; data[i] = x * Swift.min(Swift.max(x / 6 + 0.5, 0), 1); i += 1 }
    }

    /// clamp(alpha * x + beta, 0, 1).
    @inlinable
    public static func hardSigmoid(_ data: UnsafeMutablePointer<Float>, count: Int, alpha: Float, beta: Float) {
        let zero = Vector(repeating: 0), one = Vector(repeating: 1)
        let va = Vector(repeating: alpha), vb = Vector(repeating: beta)
        var i = 0
        while i + 8 <= count {
            let v = UnsafeRawPointer(data + i).loadUnaligned(as: Vector.self)
            UnsafeMutableRawPointer(data + i).storeBytes(of: clamp(v * va + vb, zero, one), as: Vector.self)
            i += 8
        }
        while i < count { data[i] = Swift.min(Swift.max(alpha * data[i] + beta, 0), 1); i += 1 }
    }

    /// 1 / (1 + exp(-x)), in place.
    @inlinable
    public static func sigmoid(_ data: UnsafeMutablePointer<Float>, count: Int) {
        map(data, data, count: count, VectorApproximation.sigmoid)
    }

    /// x / (1 + exp(-x)), in place.
    @inlinable
    public static func silu(_ data: UnsafeMutablePointer<Float>, count: Int) {
        map(data, data, count: count, VectorApproximation.silu)
    }

    /// Applies `function` to `count` floats from `source` into `destination`
    /// (which may equal `source`). The tail is padded into one vector so every
    /// element goes through the same approximation.
    @inlinable @inline(__always)
    public static func map(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, count: Int,
                           _ function: (Vector) -> Vector) {
        var i = 0
        while i + 8 <= count {
            let v = UnsafeRawPointer(source + i).loadUnaligned(as: Vector.self)
            UnsafeMutableRawPointer(destination + i).storeBytes(of: function(v), as: Vector.self)
            i += 8
        }
        let rest = count - i
        guard rest > 0 else { return }
        var v = Vector(repeating: 0)
        for j in 0..<rest { v[j] = source[i + j] }
        let r = function(v)
        for j in 0..<rest { destination[i + j] = r[j] }
    }

    /// e^x.
    @inlinable
    public static func exp(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, count: Int) {
        map(source, destination, count: count, VectorApproximation.exp)
    }

    /// The error function.
    @inlinable
    public static func erf(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, count: Int) {
        map(source, destination, count: count, VectorApproximation.erf)
    }

    /// Hyperbolic tangent.
    @inlinable
    public static func tanh(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, count: Int) {
        map(source, destination, count: count, VectorApproximation.tanh)
    }

    /// Logistic sigmoid.
    @inlinable
    public static func sigmoid(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, count: Int) {
        map(source, destination, count: count, VectorApproximation.sigmoid)
    }

    /// SiLU (x · sigmoid(x)).
    @inlinable
    public static func silu(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, count: Int) {
        map(source, destination, count: count, VectorApproximation.silu)
    }

    /// GELU; `approximateTanh` selects the tanh form (ONNX `approximate="tanh"`).
    @inlinable
    public static func gelu(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, count: Int,
                            approximateTanh: Bool = false) {
        if approximateTanh {
            map(source, destination, count: count, VectorApproximation.geluTanh)
        } else {
            map(source, destination, count: count, VectorApproximation.gelu)
        }
    }
}
