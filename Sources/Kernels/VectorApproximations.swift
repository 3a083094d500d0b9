/// SIMD polynomial approximations of transcendental functions, one vector at a time.
///
/// Every function is accurate to about 1e-7 relative (a few ulp) over the float range
/// where its result is a normal number, and returns the right limits at ±infinity.
/// ``VectorMath`` applies them to buffers.
public enum VectorApproximation {
    public typealias Vector = SIMD8<Float>

    /// e^x. Cephes-style: x = n·ln2 + r with |r| ≤ ln2/2, a degree-6 polynomial for e^r,
    /// and 2^n built from exponent bits (in two halves, so that n = ±128 still works).
    @inlinable @inline(__always)
    public static func exp(_ x: Vector) -> Vector {
        let upper = Vector(repeating: 88.72283), lower = Vector(repeating: -103.97208)
        let clamped = x.clamped(lowerBound: lower, upperBound: upper)
        let n = (clamped * 1.442695040888963).rounded(.toNearestOrEven)
        // ln2 split in a part exact in float and a correction (Cody-Waite).
        var r = clamped - n * 0.693359375
        r = r + n * 2.12194440e-4
        var p = Vector(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        p = p * (r * r) + r + 1
        let exponent = SIMD8<Int32>(n, rounding: .towardZero)
        let half = exponent &>> 1
        let rest = exponent &- half
        let scaleA = unsafeBitCast((half &+ 127) &<< 23, to: Vector.self)
        let scaleB = unsafeBitCast((rest &+ 127) &<< 23, to: Vector.self)
        var result = p * scaleA * scaleB
        result.replace(with: .infinity, where: x .> upper)
        result.replace(with: 0, where: x .< lower)
        return result
    }

    /// |x| (clears the sign bit).
    @inlinable @inline(__always)
    public static func magnitude(_ x: Vector) -> Vector {
        unsafeBitCast(unsafeBitCast(x, to: SIMD8<UInt32>.self) & 0x7FFF_FFFF, to: Vector.self)
    }

    /// 1 / (1 + e^-x).
    @inlinable @inline(__always)
    public static func sigmoid(_ x: Vector) -> Vector {
        1 / (1 + exp(-x))
    }

    /// x / (1 + e^-x) (SiLU, Swish).
    @inlinable @inline(__always)
    public static func silu(_ x: Vector) -> Vector {
        var result = x / (1 + exp(-x))
        result.replace(with: 0, where: x .< -110)
        return result
    }

    /// tanh(x): an odd polynomial for |x| < 0.625 (no cancellation near 0),
    /// 1 − 2 / (e^{2|x|} + 1) beyond, with the sign of x.
    @inlinable @inline(__always)
    public static func tanh(_ x: Vector) -> Vector {
        let a = magnitude(x)
        let z = x * x
        var p = Vector(repeating: -5.70498872745e-3)
        p = p * z + 2.06390887954e-2
        p = p * z - 5.37397155531e-2
        p = p * z + 1.33314422036e-1
        p = p * z - 3.33332819422e-1
        let small = p * z * x + x
        let e = exp(2 * a.clamped(lowerBound: Vector(repeating: 0), upperBound: Vector(repeating: 20)))
        var large = 1 - 2 / (e + 1)
        large.replace(with: -large, where: x .< 0)
        return small.replacing(with: large, where: a .>= 0.625)
    }

    /// erf(|x|) and erfc(|x|) together, for x of any sign.
    ///
    /// Below 0.5 the Maclaurin series (7 terms, exact to 3e-8 relative there) gives erf;
    /// above, the Chebyshev-fitted form erfc(z) = t·exp(−z² + P(t)), t = 1/(1 + z/2)
    /// (Press et al., *Numerical Recipes*, §6.2; 1.2e-7 relative) gives erfc.
    @inlinable @inline(__always)
    public static func erfAndErfcOfMagnitude(_ x: Vector) -> (erf: Vector, erfc: Vector) {
        let a = magnitude(x).clamped(lowerBound: Vector(repeating: 0), upperBound: Vector(repeating: 10))
        let z = a * a
        // 2/√π · Σ (−1)^n z^n / (n! (2n+1)), n = 0...6
        var s = Vector(repeating: 1.2055332981789664e-4)
        s = s * z - 8.548327023450852e-4
        s = s * z + 5.223977625442188e-3
        s = s * z - 2.6866170645131252e-2
        s = s * z + 1.1283791670955126e-1
        s = s * z - 3.7612638903183754e-1
        let seriesErf = (s * z + 1.1283791670955126) * a
        let t = 1 / (1 + 0.5 * a)
        var q = Vector(repeating: 0.17087277)
        q = q * t - 0.82215223
        q = q * t + 1.48851587
        q = q * t - 1.13520398
        q = q * t + 0.27886807
        q = q * t - 0.18628806
        q = q * t + 0.09678418
        q = q * t + 0.37409196
        q = q * t + 1.00002368
        q = q * t - 1.26551223
        let tailErfc = t * exp(q - z)
        let useSeries = a .< 0.5
        let erf = (1 - tailErfc).replacing(with: seriesErf, where: useSeries)
        let erfc = tailErfc.replacing(with: 1 - seriesErf, where: useSeries)
        return (erf, erfc)
    }

    /// The error function.
    @inlinable @inline(__always)
    public static func erf(_ x: Vector) -> Vector {
        let magnitude = erfAndErfcOfMagnitude(x).erf
        return magnitude.replacing(with: -magnitude, where: x .< 0)
    }

    /// GELU, exact form: x/2 · (1 + erf(x/√2)); written with erfc for x < 0 so that
    /// the negative tail keeps its relative accuracy.
    @inlinable @inline(__always)
    public static func gelu(_ x: Vector) -> Vector {
        let parts = erfAndErfcOfMagnitude(x * 0.70710678118654752)
        let positive = 0.5 * x * (1 + parts.erf)
        var result = positive.replacing(with: 0.5 * x * parts.erfc, where: x .< 0)
        result.replace(with: 0, where: x .< -20)
        return result
    }

    /// GELU, tanh approximation: x/2 · (1 + tanh(√(2/π)(x + 0.044715x³))) = x · σ(2u).
    @inlinable @inline(__always)
    public static func geluTanh(_ x: Vector) -> Vector {
        let u = 0.7978845608028654 * (x + 0.044715 * x * x * x)
        var result = x / (1 + exp(-2 * u))
        result.replace(with: 0, where: x .< -20)
        return result
    }
}
