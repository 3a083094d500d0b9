import Foundation
import Kernels
import Testing
import TestSupport

@Suite struct VectorMathTests {
    /// Evenly spaced samples plus random ones over `range`.
    static func samples(_ range: ClosedRange<Float>, count: Int = 20000, seed: UInt64 = 1) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        let step = (range.upperBound - range.lowerBound) / Float(count)
        return (0..<count).map { range.lowerBound + Float($0) * step } + generator.floats(count, in: range)
    }

    /// Largest relative error (absolute below `floor`) of `vector` against `reference` computed in double.
    static func worstError(_ xs: [Float], floor: Double = 1e-30,
                           vector: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void,
                           reference: (Double) -> Double) -> (error: Double, at: Float) {
        var out = [Float](repeating: 0, count: xs.count)
        xs.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { vector(source.baseAddress!, $0.baseAddress!, xs.count) }
        }
        var worst = 0.0, at: Float = 0
        for (x, y) in zip(xs, out) {
            let expected = reference(Double(x))
            let error = abs(Double(y) - expected) / max(abs(expected), floor)
            if !(error <= worst) { worst = error; at = x }
        }
        return (worst, at)
    }

    @Test func expMatchesFoundation() {
        let result = Self.worstError(Self.samples(-87...88.5), vector: { VectorMath.exp($0, $1, count: $2) },
                                     reference: { Foundation.exp($0) })
        #expect(result.error <= 2e-6, "worst \(result.error) at \(result.at)")
    }

    @Test func erfMatchesFoundation() {
        let result = Self.worstError(Self.samples(-6...6) + Self.samples(-0.01...0.01, count: 2000),
                                     vector: { VectorMath.erf($0, $1, count: $2) },
                                     reference: { Foundation.erf($0) })
        #expect(result.error <= 2e-6, "worst \(result.error) at \(result.at)")
    }

    @Test func tanhMatchesFoundation() {
        let result = Self.worstError(Self.samples(-20...20) + Self.samples(-0.01...0.01, count: 2000),
                                     vector: { VectorMath.tanh($0, $1, count: $2) },
                                     reference: { Foundation.tanh($0) })
        #expect(result.error <= 2e-6, "worst \(result.error) at \(result.at)")
    }

    @Test func sigmoidAndSiluMatchFoundation() {
        let xs = Self.samples(-80...80)
        let sigmoid = Self.worstError(xs, vector: { VectorMath.sigmoid($0, $1, count: $2) },
                                      reference: { 1 / (1 + Foundation.exp(-$0)) })
        #expect(sigmoid.error <= 2e-6, "sigmoid worst \(sigmoid.error) at \(sigmoid.at)")
        let silu = Self.worstError(xs, vector: { VectorMath.silu($0, $1, count: $2) },
                                   reference: { $0 / (1 + Foundation.exp(-$0)) })
        #expect(silu.error <= 2e-6, "silu worst \(silu.error) at \(silu.at)")
    }

    @Test func geluMatchesReference() {
        let xs = Self.samples(-12...12)
        // Deep in the negative tail the float rounding of x itself dominates: compare relative
        // to max(|gelu|, 1e-3), i.e. 2e-9 absolute there.
        let exact = Self.worstError(xs, floor: 1e-3, vector: { VectorMath.gelu($0, $1, count: $2) },
                                    reference: { 0.5 * $0 * Foundation.erfc(-$0 / 2.0.squareRoot()) })
        #expect(exact.error <= 2e-6, "gelu worst \(exact.error) at \(exact.at)")
        let tanhForm = Self.worstError(xs, floor: 1e-3, vector: { VectorMath.gelu($0, $1, count: $2, approximateTanh: true) },
                                       reference: { $0 / (1 + Foundation.exp(-2 * 0.7978845608028654 * ($0 + 0.044715 * $0 * $0 * $0))) })
        #expect(tanhForm.error <= 2e-6, "gelu tanh worst \(tanhForm.error) at \(tanhForm.at)")
    }

    @Test func limitsAtInfinityAndLargeMagnitudes() {
        let xs: [Float] = [.infinity, -.infinity, 1000, -1000, 0, -0.0, 89, -104, 1e-30]
        func run(_ f: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) -> [Float] {
            var out = [Float](repeating: .nan, count: xs.count)
            xs.withUnsafeBufferPointer { s in out.withUnsafeMutableBufferPointer { f(s.baseAddress!, $0.baseAddress!, xs.count) } }
            return out
        }
        #expect(run { VectorMath.exp($0, $1, count: $2) } == [.infinity, 0, .infinity, 0, 1, 1, .infinity, 0, 1])
        #expect(run { VectorMath.erf($0, $1, count: $2) }.prefix(6) == [1, -1, 1, -1, 0, 0])
        #expect(run { VectorMath.tanh($0, $1, count: $2) }.prefix(6) == [1, -1, 1, -1, 0, 0])
        #expect(run { VectorMath.sigmoid($0, $1, count: $2) }.prefix(5) == [1, 0, 1, 0, 0.5])
        #expect(run { VectorMath.silu($0, $1, count: $2) }.prefix(5) == [.infinity, 0, 1000, 0, 0])
        #expect(run { VectorMath.gelu($0, $1, count: $2) }.prefix(5) == [.infinity, 0, 1000, 0, 0])
        #expect(run { VectorMath.gelu($0, $1, count: $2, approximateTanh: true) }.prefix(5) == [.infinity, 0, 1000, 0, 0])
    }

    @Test func activationApplyUsesVectorSigmoid() {
        var data: [Float] = (0..<37).map { Float($0) * 0.5 - 9 }
        let expected = data.map { Activation.silu($0) }
        data.withUnsafeMutableBufferPointer { Activation.silu.apply($0.baseAddress!, count: 37) }
        #expect(Comparison.maxAbsDifference(data, expected) < 1e-5)
    }
}
