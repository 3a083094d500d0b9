import Kernels
import Testing
import TestSupport

/// The compare-and-select clamps in VectorMath against scalar min/max.
@Suite struct VectorMathClampTests {
    static let inputs: [Float] = {
        var generator = SeededGenerator(seed: 3)
        return generator.floats(203, in: -8...8) + [-3, 3, 0, -0.5, 0.5, 6, -6]
    }()

    func apply(_ body: (UnsafeMutablePointer<Float>, Int) -> Void) -> [Float] {
        var values = Self.inputs
        values.withUnsafeMutableBufferPointer { body($0.baseAddress!, $0.count) }
        return values
    }

    @Test func clampMatchesScalar() {
        let got = apply { VectorMath.clamp($0, count: $1, min: -1.5, max: 2) }
        #expect(got == Self.inputs.map { min(max($0, -1.5), 2) })
    }

    @Test func hardSwishMatchesScalar() {
        let got = apply { VectorMath.hardSwish($0, count: $1) }
        for (x, y) in zip(Self.inputs, got) {
            #expect(abs(y - x * min(max(x / 6 + 0.5, 0), 1)) <= 1e-6, "x=\(x)")
        }
    }

    @Test func hardSigmoidMatchesScalar() {
        let got = apply { VectorMath.hardSigmoid($0, count: $1, alpha: 0.2, beta: 0.5) }
        for (x, y) in zip(Self.inputs, got) {
            #expect(abs(y - min(max(0.2 * x + 0.5, 0), 1)) <= 1e-6, "x=\(x)")
        }
    }
}
