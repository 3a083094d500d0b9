import Foundation
import Graph
import Tensor
import Testing
import TestSupport

@Suite struct ReductionOperatorTests {
    /// Reference reduction by index arithmetic, in double.
    static func reduce(_ x: [Float], _ shape: [Int], axes: [Int], keep: Bool,
                       _ combine: ([Double]) -> Double) -> (values: [Float], shape: [Int]) {
        let outShape = shape.indices.map { axes.contains($0) ? 1 : shape[$0] }
        var groups = [[Double]](repeating: [], count: outShape.reduce(1, *))
        for index in x.indices {
            var remainder = index, target = 0, step = 1
            for axis in stride(from: shape.count - 1, through: 0, by: -1) {
                let coordinate = remainder % shape[axis]
                remainder /= shape[axis]
                if !axes.contains(axis) { target += coordinate * step }
                step *= outShape[axis]
            }
            groups[target].append(Double(x[index]))
        }
        let finalShape = keep ? outShape : shape.indices.filter { !axes.contains($0) }.map { shape[$0] }
        return (groups.map { Float(combine($0)) }, finalShape)
    }

    @Test func reductionsOverAxisSets() throws {
        var generator = SeededGenerator(seed: 12)
        let shape = [2, 3, 4, 5]
        let x = generator.tensor(shape, in: 0.5...1.5)
        let functions: [(String, ([Double]) -> Double)] = [
            ("ReduceSum", { $0.reduce(0, +) }), ("ReduceMean", { $0.reduce(0, +) / Double($0.count) }),
            ("ReduceMax", { $0.max()! }), ("ReduceMin", { $0.min()! }), ("ReduceProd", { $0.reduce(1, *) }),
            ("ReduceL2", { $0.reduce(0) { $0 + $1 * $1 }.squareRoot() }), ("ReduceL1", { $0.reduce(0) { $0 + abs($1) } }),
            ("ReduceSumSquare", { $0.reduce(0) { $0 + $1 * $1 } }),
            ("ReduceLogSumExp", { Foundation.log($0.reduce(0) { $0 + Foundation.exp($1) }) }),
        ]
        for axes in [[3], [-1], [2, 3], [1], [0, 2], [1, 3], [0, 1, 2, 3]] {
            let normalized = axes.map { $0 < 0 ? $0 + 4 : $0 }
            for keep in [true, false] {
                for (op, f) in functions {
                    if op == "ReduceLogSumExp" && [[0, 2], [1, 3]].contains(normalized) { continue }
                    let expected = Self.reduce(x.toFloats(), shape, axes: normalized, keep: keep, f)
                    let attributes: [String: Attribute] = ["keepdims": .int(keep ? 1 : 0)]
                    // Opset 18: axes as an input; opset 13: as an attribute (except ReduceSum).
                    let y18 = try run(op, [x, int64s(axes.map(Int64.init))], attributes: attributes, opset: 18)[0]
                    #expect(y18.shape == expected.shape, "\(op) \(axes)")
                    #expect(Comparison.maxAbsDifference(y18.toFloats(), expected.values) <= 2e-5 * max(1, expected.values.map(abs).max()!), "\(op) \(axes) keep \(keep)")
                    if op != "ReduceSum" {
                        var legacy = attributes
                        legacy["axes"] = .ints(axes)
                        let y13 = try run(op, [x], attributes: legacy, opset: 13)[0]
                        #expect(y13.toFloats() == y18.toFloats())
                    }
                }
            }
        }
    }

    @Test func emptyAxesAndIntegers() throws {
        let x = Tensor(shape: [2, 3], floats: [1, 2, 3, 4, 5, 6])
        #expect(try run("ReduceSum", [x])[0].toFloats() == [21])
        #expect(try run("ReduceSum", [x, int64s([])], attributes: ["noop_with_empty_axes": .int(1)])[0].toFloats() == x.toFloats())
        #expect(try run("ReduceProd", [int64s([2, 3, 4])], attributes: ["keepdims": .int(0)])[0].toInt64s() == [24])
        #expect(try run("ReduceMax", [int64s([2, 9, 4], [3, 1])], attributes: ["axes": .ints([0])])[0].toInt64s() == [9])
        #expect(throws: GraphError.self) { try run("ReduceMean", [x], attributes: ["axes": .ints([2])], opset: 13) }
    }

    @Test func argMaxAndArgMin() throws {
        let x = Tensor(shape: [2, 3], floats: [1, 5, 5, 7, 0, 2])
        #expect(try run("ArgMax", [x], attributes: ["axis": .int(1)])[0].toInt64s() == [1, 0])
        #expect(try run("ArgMax", [x], attributes: ["axis": .int(-1), "select_last_index": .int(1), "keepdims": .int(0)])[0].toInt64s() == [2, 0])
        #expect(try run("ArgMin", [x], attributes: ["axis": .int(0)])[0].toInt64s() == [0, 1, 1])
    }
}
