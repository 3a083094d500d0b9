import Foundation
import Graph
import Tensor
import Testing
import TestSupport

@Suite struct ActivationOperatorTests {
    @Test func unaryFunctionsMatchScalarReferences() throws {
        var generator = SeededGenerator(seed: 4)
        let x = generator.tensor([3, 7], in: -4...4)
        let xv = x.toFloats()
        let cases: [(String, [String: Attribute], (Double) -> Double)] = [
            ("Exp", [:], { Foundation.exp($0) }), ("Erf", [:], { Foundation.erf($0) }), ("Tanh", [:], { Foundation.tanh($0) }),
            ("Sigmoid", [:], { 1 / (1 + Foundation.exp(-$0)) }), ("Relu", [:], { max($0, 0) }), ("Neg", [:], { -$0 }),
            ("Abs", [:], { abs($0) }), ("Reciprocal", [:], { 1 / $0 }),
            ("LeakyRelu", ["alpha": .float(0.1)], { $0 < 0 ? 0.1 * $0 : $0 }),
            ("HardSigmoid", ["alpha": .float(0.25), "beta": .float(0.4)], { min(max(0.25 * $0 + 0.4, 0), 1) }),
            ("HardSwish", [:], { $0 * min(max($0 / 6 + 0.5, 0), 1) }),
            ("Gelu", [:], { 0.5 * $0 * (1 + Foundation.erf($0 / 2.0.squareRoot())) }),
            ("Gelu", ["approximate": .string("tanh")], { 0.5 * $0 * (1 + Foundation.tanh(0.7978845608028654 * ($0 + 0.044715 * $0 * $0 * $0))) }),
            ("Softplus", [:], { Foundation.log(1 + Foundation.exp($0)) }),
        ]
        for (op, attributes, reference) in cases {
            let y = try run(op, [x], attributes: attributes, opset: 20)[0].toFloats()
            for i in xv.indices {
                let expected = reference(Double(xv[i]))
                #expect(abs(Double(y[i]) - expected) <= 2e-6 * max(1, abs(expected)), "\(op)(\(xv[i])) = \(y[i]), expected \(expected)")
            }
        }
        let positive = generator.tensor([9], in: 0.1...5)
        #expect(try run("Sqrt", [positive])[0].toFloats() == positive.toFloats().map { $0.squareRoot() })
        #expect(try run("Log", [positive])[0].toFloats() == positive.toFloats().map { Foundation.log($0) })
        #expect(try run("Neg", [int64s([1, -2])])[0].toInt64s() == [-1, 2])
    }

    @Test func clipInputsAndAttributes() throws {
        let x = Tensor(shape: [5], floats: [-3, -1, 0, 1, 3])
        #expect(try run("Clip", [x, Tensor(scalar: -1.5), Tensor(scalar: 2)])[0].toFloats() == [-1.5, -1, 0, 1, 2])
        #expect(try run("Clip", [x, nil, Tensor(scalar: 0.5)])[0].toFloats() == [-3, -1, 0, 0.5, 0.5])
        #expect(try run("Clip", [x])[0].toFloats() == x.toFloats())
        #expect(try run("Clip", [x], attributes: ["min": .float(0), "max": .float(6)], opset: 6)[0].toFloats() == [0, 0, 0, 1, 3])
    }

    @Test func castBetweenTypes() throws {
        let x = Tensor(shape: [5], floats: [-2.7, -0.5, 0, 1.9, 300])
        let ints = try run("Cast", [x], attributes: ["to": .int(7)])[0]
        #expect(ints.dataType == .int64 && ints.toInt64s() == [-2, 0, 0, 1, 300])
        let flags = try run("Cast", [x], attributes: ["to": .int(9)])[0]
        #expect(boolValues(flags) == [true, true, false, true, true])
        let bytes = try run("Cast", [x], attributes: ["to": .int(2)])[0]
        #expect(bytes.dataType == .uint8 && bytes.toInt64s() == [254, 0, 0, 1, 44])
        let back = try run("Cast", [int64s([3, -4])], attributes: ["to": .int(1)])[0]
        #expect(back.dataType == .float32 && back.toFloats() == [3, -4])
        let wide = try run("Cast", [int64s([Int64.max])], attributes: ["to": .int(7)])[0]
        #expect(wide.toInt64s() == [Int64.max])
        let like = try run("CastLike", [int64s([1]), Tensor(scalar: 0)])[0]
        #expect(like.dataType == .float32)
        #expect(throws: GraphError.self) { try run("Cast", [x], attributes: ["to": .int(8)]) }
    }

    static func softmaxReference(_ x: [Float], _ shape: [Int], axis: Int, log: Bool) -> [Float] {
        let outer = shape[..<axis].reduce(1, *), n = shape[axis], inner = shape[(axis + 1)...].reduce(1, *)
        var y = [Float](repeating: 0, count: x.count)
        for o in 0..<outer {
            for j in 0..<inner {
                let indices = (0..<n).map { (o * n + $0) * inner + j }
                let m = indices.map { Double(x[$0]) }.max()!
                let sum = indices.reduce(0.0) { $0 + Foundation.exp(Double(x[$1]) - m) }
                for i in indices { y[i] = Float(log ? Double(x[i]) - m - Foundation.log(sum) : Foundation.exp(Double(x[i]) - m) / sum) }
            }
        }
        return y
    }

    @Test func softmaxOnSeveralAxes() throws {
        var generator = SeededGenerator(seed: 9)
        let shape = [2, 3, 11]
        let x = generator.tensor(shape, in: -5...5)
        for axis in [-1, 0, 1, 2] {
            for (op, log) in [("Softmax", false), ("LogSoftmax", true)] {
                let y = try run(op, [x], attributes: ["axis": .int(axis)])[0].toFloats()
                let expected = Self.softmaxReference(x.toFloats(), shape, axis: axis < 0 ? axis + 3 : axis, log: log)
                #expect(Comparison.maxAbsDifference(y, expected) < 2e-6, "\(op) axis \(axis)")
            }
        }
        // Opset 11 flattens at the axis (default 1) and normalizes whole rows.
        let legacy = try run("Softmax", [x], opset: 11)[0].toFloats()
        #expect(Comparison.maxAbsDifference(legacy, Self.softmaxReference(x.toFloats(), [2, 33], axis: 1, log: false)) < 2e-6)
    }
}
