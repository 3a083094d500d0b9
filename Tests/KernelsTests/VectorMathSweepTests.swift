import Foundation
import Kernels
import Testing
import TestSupport

/// Tight accuracy of the fast vector-math paths: a sweep over float bit patterns (so every binade
/// of [-110, 110] is sampled evenly, tiny arguments and the overflow / underflow edges included)
/// against double references, within a few float ulps (4e-7 relative where the result is normal).
@Suite struct VectorMathSweepTests {
    static let kernels = GEMM.Kernel.allCases.filter(\.isAvailable)

    /// Every `step`-th float of [0, 110] and their negatives, plus the ranges' edges.
    static let sweep: [Float] = {
        let top = Float(110).bitPattern
        let positive = stride(from: UInt32(0), through: top, by: 9_973).map { Float(bitPattern: $0) }
        let edges: [Float] = [88.3762626647949, 88.72283, 88.7228394, -87.33654, -87.3365479, -88, -100, -103.97,
                              -104, 86.99, -86.99, 87.01, -87.01]
        return positive + positive.map { -$0 } + edges
    }()

    static func check(_ function: VectorMath.Function, _ kernel: GEMM.Kernel, tolerance: Double = 4e-7,
                      floor: Double = Double(Float.leastNormalMagnitude), _ reference: (Double) -> Double) {
        let worst = VectorMathTests.worstError(function, kernel, sweep, floor: floor, reference: reference)
        #expect(worst.error <= tolerance, "\(function) on \(kernel.name): worst \(worst.error) at \(worst.at)")
    }

    @Test(arguments: kernels) func expAndLogistic(kernel: GEMM.Kernel) {
        Self.check(.exp, kernel, Foundation.exp)
        Self.check(.sigmoid, kernel) { 1 / (1 + Foundation.exp(-$0)) }
        Self.check(.silu, kernel) { $0 / (1 + Foundation.exp(-$0)) }
        // a x is rounded to float first (as the kernel must): the reference does the same.
        // Below a x = -100 the result is flushed to -0 (|y| < 1e-41): held to 4e-7 * 1e-34 absolute.
        Self.check(.quickGelu(alpha: 1.702), kernel, floor: 1e-34) { x in
            x / (1 + Foundation.exp(-Double(Float(1.702) * Float(x))))
        }
    }

    @Test(arguments: kernels) func tanhErfAndGelu(kernel: GEMM.Kernel) {
        Self.check(.tanh, kernel, Foundation.tanh)
        Self.check(.erf, kernel, Foundation.erf)
        // erfc's fitted tail (Numerical Recipes form) is ~1.2e-7 relative by itself; below
        // x = -14.14 (|y| < 1e-43) the result is flushed to -0.
        Self.check(.gelu, kernel, tolerance: 7e-7, floor: 1e-34) { 0.5 * $0 * Foundation.erfc(-$0 / 2.0.squareRoot()) }
        Self.check(.geluTanh, kernel) {
            $0 / (1 + Foundation.exp(-2 * 0.7978845608028654 * ($0 + 0.044715 * $0 * $0 * $0)))
        }
    }

    /// Every tail length gives exactly what the same elements give inside a longer array.
    @Test(arguments: kernels) func tailsMatchWholeVectors(kernel: GEMM.Kernel) {
        let xs = (0..<40).map { Float($0) * 0.53 - 9.5 }
        let functions: [VectorMath.Function] = [.exp, .sigmoid, .silu, .tanh, .erf, .gelu, .geluTanh,
                                                .quickGelu(alpha: 1.702), .hardSwish]
        for function in functions {
            let whole = VectorMathTests.run(function, kernel, xs)
            for count in 1..<xs.count {
                #expect(VectorMathTests.run(function, kernel, Array(xs[..<count])) == Array(whole[..<count]),
                        "\(function) on \(kernel.name), \(count) elements")
            }
        }
    }

    /// Far outside the fast range: the same limits as the careful forms (and no NaN from inf * 0).
    @Test(arguments: kernels) func largeMagnitudes(kernel: GEMM.Kernel) {
        let xs: [Float] = [-.infinity, -1e30, -200, -150, -100, 100, 150, 1e30, .infinity]
        #expect(VectorMathTests.run(.sigmoid, kernel, xs).map { $0 == 0 || $0 == 1 || Double($0) < 1e-40 } == Array(repeating: true, count: 9))
        let silu = VectorMathTests.run(.silu, kernel, xs)
        #expect(silu[..<4].allSatisfy { $0 == 0 } && silu[5] == 100 && silu[8] == .infinity)
        let quick = VectorMathTests.run(.quickGelu(alpha: 1.702), kernel, xs)
        #expect(quick[..<5].allSatisfy { $0 == 0 } && quick[5] == 100 && quick[8] == .infinity)
        #expect(VectorMathTests.run(.tanh, kernel, xs) == [-1, -1, -1, -1, -1, 1, 1, 1, 1])
    }

    /// Softmax rows of every length up to 40 (partial last vectors) with a scale, against a
    /// double reference; entries past each row's length are never written.
    @Test func softmaxRowsEveryLength() {
        var generator = SeededGenerator(seed: 7)
        for length in 1...40 {
            let stride = length + 3, rows = 3
            var x = generator.floats(rows * stride, in: -10...10)
            x[1] = -.infinity
            var y = [Float](repeating: 12345, count: x.count)
            var logY = y
            x.withUnsafeBufferPointer { source in
                y.withUnsafeMutableBufferPointer {
                    VectorMath.softmaxRows(source.baseAddress!, $0.baseAddress!, rows: rows, length: length, stride: stride, scale: 0.7)
                }
                logY.withUnsafeMutableBufferPointer {
                    VectorMath.softmaxRows(source.baseAddress!, $0.baseAddress!, rows: rows, length: length, stride: stride,
                                           scale: 0.7, logarithmic: true)
                }
            }
            for row in 0..<rows {
                let scaled = (0..<length).map { Double(Float(0.7) * x[row * stride + $0]) }
                let maximum = scaled.max()!
                let sum = scaled.reduce(0) { $0 + Foundation.exp($1 - maximum) }
                for j in 0..<length {
                    let expected = Foundation.exp(scaled[j] - maximum) / sum
                    #expect(abs(Double(y[row * stride + j]) - expected) <= 1e-6 * expected + 1e-38, "length \(length)")
                    let expectedLog = scaled[j] - maximum - Foundation.log(sum)
                    if expectedLog.isFinite {
                        #expect(abs(Double(logY[row * stride + j]) - expectedLog) <= 1e-6 * (1 + abs(expectedLog)))
                    } else {
                        #expect(logY[row * stride + j] == -.infinity)
                    }
                }
                if row < rows - 1 {
                    #expect(y[(row * stride + length)..<((row + 1) * stride)].allSatisfy { $0 == 12345 })
                }
            }
        }
    }

    /// A huge-magnitude row with a scale: a x - a max must be exactly 0 at the maximum.
    @Test func softmaxHugeValuesWithScale() {
        let x: [Float] = [-1e30, 3e29, -4e30]
        var y = [Float](repeating: .nan, count: 3)
        x.withUnsafeBufferPointer { source in
            y.withUnsafeMutableBufferPointer {
                for row in 0..<3 {
                    VectorMath.softmaxRows(source.baseAddress! + row, $0.baseAddress! + row, rows: 1, length: 1, stride: 1, scale: 0.7)
                }
            }
        }
        #expect(y == [1, 1, 1])
    }
}
