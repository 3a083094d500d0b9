import Foundation
import Kernels
import Testing
import TestSupport

/// Every VectorMath function, through every instruction-set build this CPU runs, against
/// double-precision references on dense sweeps.
@Suite struct VectorMathTests {
    /// The builds to test: AVX-512, AVX2 and portable where the CPU has them, and automatic.
    static let kernels = GEMM.Kernel.allCases.filter(\.isAvailable)

    /// Evenly spaced samples plus random ones over `range`.
    static func samples(_ range: ClosedRange<Float>, count: Int = 20000, seed: UInt64 = 1) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        let step = (range.upperBound - range.lowerBound) / Float(count)
        return (0..<count).map { range.lowerBound + Float($0) * step } + generator.floats(count / 4, in: range)
    }

    /// Wide and dense near zero (where relative accuracy is hardest for odd functions).
    static let wide = samples(-100...100, count: 40000) + samples(-4...4, count: 20000, seed: 2)
        + samples(-1e-3...1e-3, count: 2000, seed: 3) + [1e-30, -1e-30, 1e-20, -1e-20]

    /// `function` applied through `kernel` (out of place).
    static func run(_ function: VectorMath.Function, _ kernel: GEMM.Kernel, _ xs: [Float]) -> [Float] {
        var out = [Float](repeating: .nan, count: xs.count)
        let ran = xs.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer {
                VectorMath.apply(function, kernel: kernel, source.baseAddress!, $0.baseAddress!, count: xs.count)
            }
        }
        #expect(ran)
        return out
    }

    /// Largest error of `function` against `reference` (computed in double): relative, or
    /// absolute / `floor` where |reference| < floor (default: the smallest normal float, so
    /// subnormal results are held to ~1 subnormal ulp). A float overflow must match exactly.
    static func worstError(_ function: VectorMath.Function, _ kernel: GEMM.Kernel, _ xs: [Float],
                           floor: Double = Double(Float.leastNormalMagnitude),
                           reference: (Double) -> Double) -> (error: Double, at: Float) {
        let out = run(function, kernel, xs)
        var worst = 0.0, at: Float = 0
        for (x, y) in zip(xs, out) {
            let expected = reference(Double(x))
            let error = Float(expected).isInfinite ? (y == Float(expected) ? 0 : .infinity)
                : abs(Double(y) - expected) / max(abs(expected), floor)
            if !(error <= worst) { worst = error; at = x }
        }
        return (worst, at)
    }

    static func check(_ function: VectorMath.Function, _ kernel: GEMM.Kernel, _ xs: [Float], tolerance: Double = 2e-6,
                      floor: Double = Double(Float.leastNormalMagnitude), reference: (Double) -> Double) {
        let result = worstError(function, kernel, xs, floor: floor, reference: reference)
        #expect(result.error <= tolerance, "\(function) on \(kernel.name): worst \(result.error) at \(result.at)")
    }

    @Test(arguments: kernels) func exp(kernel: GEMM.Kernel) {
        Self.check(.exp, kernel, Self.samples(-104...89, count: 60000) + Self.samples(-1...1, count: 4000),
                   reference: Foundation.exp)
    }

    @Test(arguments: kernels) func sigmoidAndSilu(kernel: GEMM.Kernel) {
        Self.check(.sigmoid, kernel, Self.wide) { 1 / (1 + Foundation.exp(-$0)) }
        Self.check(.silu, kernel, Self.wide) { $0 / (1 + Foundation.exp(-$0)) }
    }

    @Test(arguments: kernels) func tanhAndErf(kernel: GEMM.Kernel) {
        Self.check(.tanh, kernel, Self.wide, reference: Foundation.tanh)
        Self.check(.erf, kernel, Self.wide, reference: Foundation.erf)
    }

    @Test(arguments: kernels) func gelu(kernel: GEMM.Kernel) {
        Self.check(.gelu, kernel, Self.wide) { 0.5 * $0 * Foundation.erfc(-$0 / 2.0.squareRoot()) }
        Self.check(.geluTanh, kernel, Self.wide) {
            $0 / (1 + Foundation.exp(-2 * 0.7978845608028654 * ($0 + 0.044715 * $0 * $0 * $0)))
        }
    }

    @Test(arguments: kernels) func piecewiseLinear(kernel: GEMM.Kernel) {
        let xs = Self.samples(-10...10, count: 4000) + [-3, 3, 0, -0.5, 0.5, 6, -6, -2.5, 2.5]
        Self.check(.hardSwish, kernel, xs) { $0 * min(max(($0 + 3) / 6, 0), 1) }
        // alpha x + beta cancels near -beta/alpha: absolute error there (values are in [0, 1]).
        Self.check(.hardSigmoid(alpha: 0.2, beta: 0.5), kernel, xs, tolerance: 1e-7, floor: 1) {
            min(max(Double(Float(0.2)) * $0 + 0.5, 0), 1)
        }
        #expect(Self.run(.clamp(min: -1.5, max: 2), kernel, xs) == xs.map { min(max($0, -1.5), 2) })
        #expect(Self.run(.clamp(min: 0, max: .infinity), kernel, xs) == xs.map { max($0, 0) })
    }

    @Test(arguments: kernels) func limitsAndSpecialValues(kernel: GEMM.Kernel) {
        let xs: [Float] = [.infinity, -.infinity, 1000, -1000, 0, -0.0, 89, -104, 88.72283, -150, 1e-30]
        func run(_ function: VectorMath.Function) -> [Float] { Self.run(function, kernel, xs) }
        let exp = run(.exp)
        #expect(exp[..<8] == [.infinity, 0, .infinity, 0, 1, 1, .infinity, 0])
        #expect(abs(exp[8] / Float(Foundation.exp(Double(xs[8]))) - 1) < 1e-6 && exp[9] == 0 && exp[10] == 1)
        #expect(run(.sigmoid).prefix(6) == [1, 0, 1, 0, 0.5, 0.5])
        #expect(run(.silu).prefix(6) == [.infinity, 0, 1000, 0, 0, 0])
        #expect(run(.tanh).prefix(6) == [1, -1, 1, -1, 0, 0])
        #expect(run(.erf).prefix(6) == [1, -1, 1, -1, 0, 0])
        #expect(run(.gelu).prefix(6) == [.infinity, 0, 1000, 0, 0, 0])
        #expect(run(.geluTanh).prefix(6) == [.infinity, 0, 1000, 0, 0, 0])
        #expect(run(.hardSwish).prefix(6) == [.infinity, 0, 1000, 0, 0, 0])
        #expect(run(.hardSigmoid(alpha: 0.2, beta: 0.5)).prefix(6) == [1, 0, 1, 0, 0.5, 0.5])
        #expect(run(.clamp(min: -1, max: 2)).prefix(6) == [2, -1, 2, -1, 0, 0])
        // Odd functions keep the sign of zero.
        for function in [VectorMath.Function.tanh, .erf] {
            #expect(Self.run(function, kernel, [-0.0])[0].sign == .minus, "\(function)")
        }
        // NaN in, NaN out.
        let all: [VectorMath.Function] = [.exp, .sigmoid, .silu, .tanh, .erf, .gelu, .geluTanh, .hardSwish,
                                          .hardSigmoid(alpha: 0.2, beta: 0.5), .clamp(min: 0, max: 6)]
        for function in all {
            #expect(Self.run(function, kernel, [.nan, 1, .nan])[0].isNaN, "\(function)")
        }
    }

    @Test(arguments: kernels) func inPlaceAndEveryTailLength(kernel: GEMM.Kernel) {
        for count in 0...40 {
            let xs = (0..<count).map { Float($0) * 0.37 - 7 }
            let expected = Self.run(.silu, kernel, xs)
            var data = xs
            data.withUnsafeMutableBufferPointer {
                _ = VectorMath.apply(.silu, kernel: kernel, $0.baseAddress!, $0.baseAddress!, count: count)
            }
            #expect(data == expected)
            #expect(zip(xs, data).allSatisfy { abs(Double($1) - Double($0) / (1 + Foundation.exp(-Double($0)))) < 1e-5 })
        }
    }

    @Test func namedFunctionsUseTheAutomaticBuild() {
        let xs = Self.samples(-9...9, count: 300)
        func named(_ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) -> [Float] {
            var out = [Float](repeating: .nan, count: xs.count)
            xs.withUnsafeBufferPointer { s in out.withUnsafeMutableBufferPointer { body(s.baseAddress!, $0.baseAddress!, xs.count) } }
            return out
        }
        #expect(named { VectorMath.exp($0, $1, count: $2) } == Self.run(.exp, .automatic, xs))
        #expect(named { VectorMath.erf($0, $1, count: $2) } == Self.run(.erf, .automatic, xs))
        #expect(named { VectorMath.tanh($0, $1, count: $2) } == Self.run(.tanh, .automatic, xs))
        #expect(named { VectorMath.sigmoid($0, $1, count: $2) } == Self.run(.sigmoid, .automatic, xs))
        #expect(named { VectorMath.silu($0, $1, count: $2) } == Self.run(.silu, .automatic, xs))
        #expect(named { VectorMath.gelu($0, $1, count: $2) } == Self.run(.gelu, .automatic, xs))
        #expect(named { VectorMath.gelu($0, $1, count: $2, approximateTanh: true) } == Self.run(.geluTanh, .automatic, xs))
    }

    @Test func activationApplyMatchesScalarDefinition() {
        let activations: [Activation] = [.relu, .clip(min: 0, max: 6), .hardSwish, .hardSigmoid(alpha: 0.2, beta: 0.5),
                                         .sigmoid, .silu]
        for activation in activations {
            var data: [Float] = (0..<37).map { Float($0) * 0.5 - 9 }
            let expected = data.map { activation($0) }
            data.withUnsafeMutableBufferPointer { activation.apply($0.baseAddress!, count: 37) }
            #expect(Comparison.maxAbsDifference(data, expected) < 1e-6, "\(activation)")
        }
    }
}
