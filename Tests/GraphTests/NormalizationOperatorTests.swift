import Foundation
import Graph
import Tensor
import Testing
import TestSupport

@Suite struct NormalizationOperatorTests {
    @Test func layerNormalizationMatchesDoubleReference() throws {
        var generator = SeededGenerator(seed: 21)
        for (shape, axis) in [([2, 5, 24], -1), ([3, 4, 6], 1), ([4, 37], -1)] {
            let x = generator.tensor(shape, in: -3...4)
            let a = axis < 0 ? axis + shape.count : axis
            let tail = Array(shape[a...]), width = tail.reduce(1, *)
            let scale = generator.tensor(tail, in: 0.5...1.5), bias = generator.tensor(tail)
            let outputs = try run("LayerNormalization", [x, scale, bias], attributes: ["axis": .int(axis), "epsilon": .float(1e-5)], outputs: 3)
            let xv = x.toFloats(), g = scale.toFloats(), b = bias.toFloats()
            var expected = [Float](), means = [Float](), invStds = [Float]()
            for row in 0..<(xv.count / width) {
                let values = (0..<width).map { Double(xv[row * width + $0]) }
                let mean = values.reduce(0, +) / Double(width)
                let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(width)
                let invStd = 1 / (variance + 1e-5).squareRoot()
                expected += (0..<width).map { Float((values[$0] - mean) * invStd * Double(g[$0]) + Double(b[$0])) }
                means.append(Float(mean)); invStds.append(Float(invStd))
            }
            #expect(Comparison.maxAbsDifference(outputs[0].toFloats(), expected) < 1e-5, "\(shape) axis \(axis)")
            #expect(Comparison.maxAbsDifference(outputs[1].toFloats(), means) < 1e-6)
            #expect(Comparison.maxAbsDifference(outputs[2].toFloats(), invStds) < 1e-5)
            #expect(outputs[1].shape == Array(shape[..<a]) + Array(repeating: 1, count: shape.count - a))
            let withoutBias = try run("LayerNormalization", [x, scale], attributes: ["axis": .int(axis)])
            #expect(withoutBias.count == 1)
            let unbiased = expected.indices.map { expected[$0] - b[$0 % width] }
            #expect(Comparison.maxAbsDifference(withoutBias[0].toFloats(), unbiased) < 1e-5)
        }
    }

    @Test func batchNormalizationPerChannel() throws {
        var generator = SeededGenerator(seed: 22)
        let x = generator.tensor([2, 3, 4, 5])
        let scale = generator.tensor([3]), bias = generator.tensor([3]), mean = generator.tensor([3])
        let variance = generator.tensor([3], in: 0.1...2)
        let y = try run("BatchNormalization", [x, scale, bias, mean, variance], attributes: ["epsilon": .float(1e-3)])[0].toFloats()
        let xv = x.toFloats()
        let expected: [Float] = xv.indices.map { i in
            let c = i / 20 % 3
            let normalized = (Double(xv[i]) - Double(mean.toFloats()[c])) / (Double(variance.toFloats()[c]) + 1e-3).squareRoot()
            return Float(normalized * Double(scale.toFloats()[c]) + Double(bias.toFloats()[c]))
        }
        #expect(Comparison.maxAbsDifference(y, expected) < 1e-5)
        #expect(throws: GraphError.self) { try run("BatchNormalization", [x, Tensor(zeros: [4]), bias, mean, variance]) }
    }

    @Test func instanceNormalizationPerPlane() throws {
        var generator = SeededGenerator(seed: 23)
        let x = generator.tensor([2, 3, 16])
        let scale = generator.tensor([3]), bias = generator.tensor([3])
        let y = try run("InstanceNormalization", [x, scale, bias])[0].toFloats()
        let xv = x.toFloats()
        var expected = [Float]()
        for plane in 0..<6 {
            let values = (0..<16).map { Double(xv[plane * 16 + $0]) }
            let mean = values.reduce(0, +) / 16
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 16
            expected += values.map { Float(($0 - mean) / (variance + 1e-5).squareRoot() * Double(scale.toFloats()[plane % 3]) + Double(bias.toFloats()[plane % 3])) }
        }
        #expect(Comparison.maxAbsDifference(y, expected) < 1e-5)
    }
}
