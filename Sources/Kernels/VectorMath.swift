import Foundation

/// Vectorised pointwise math on float buffers, in place.
///
/// Transcendental functions use SIMD polynomial approximations accurate to a
/// few ulp, because scalar `exp`/`erf` can dominate a transformer's run time.
public enum VectorMath {
    public typealias Vector = SIMD8<Float>

    /// Clamps every element into `[min, max]`.
    @inlinable
    public static func clamp(_ data: UnsafeMutablePointer<Float>, count: Int, min lo: Float, max hi: Float) {
        let vlo = Vector(repeating: lo), vhi = Vector(repeating: hi)
        var i = 0
        while i + 8 <= count {
            let v = UnsafeRawPointer(data + i).loadUnaligned(as: Vector.self)
            UnsafeMutableRawPointer(data + i).storeBytes(of: v.clamped(lowerBound: vlo, upperBound: vhi), as: Vector.self)
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
            let gate = (v * sixth + half).clamped(lowerBound: zero, upperBound: one)
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
            UnsafeMutableRawPointer(data + i).storeBytes(of: (v * va + vb).clamped(lowerBound: zero, upperBound: one), as: Vector.self)
            i += 8
        }
        while i < count { data[i] = Swift.min(Swift.max(alpha * data[i] + beta, 0), 1); i += 1 }
    }

    /// 1 / (1 + exp(-x)).
    @inlinable
    public static func sigmoid(_ data: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { data[i] = 1 / (1 + Foundation.exp(-data[i])) }
    }

    /// x / (1 + exp(-x)).
    @inlinable
    public static func silu(_ data: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { let x = data[i]; data[i] = x / (1 + Foundation.exp(-x)) }
    }
}
