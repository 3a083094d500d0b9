import Foundation
import Graph
import Kernels
import Tensor
import Testing
import TestSupport

@Suite struct ElementwiseOperatorTests {
    static let shapePairs: [([Int], [Int])] = [
        ([2, 3, 4], [2, 3, 4]),        // same shape
        ([2, 3, 4], []),               // scalar
        ([2, 3, 4], [1]),              // [1]
        ([], [3, 2]),                  // scalar first
        ([2, 3, 5, 4], [3, 1, 1]),     // per channel
        ([2, 3, 5, 4], [1, 3, 1, 1]),
        ([6, 9], [9]),                 // row broadcast
        ([4, 3, 5], [3, 1]),           // middle dimension
        ([4, 1, 5], [1, 3, 1]),        // both sides
        ([3, 1], [1, 4]),
        ([2, 1, 3, 1], [5, 1, 2]),     // rank mismatch, both sides
        ([2, 40, 37], [40, 1]),        // long runs with SIMD tails
    ]

    static let functions: [(String, (Float, Float) -> Float)] = [
        ("Add", { $0 + $1 }), ("Sub", { $0 - $1 }), ("Mul", { $0 * $1 }), ("Div", { $0 / $1 }),
        ("Max", { max($0, $1) }), ("Min", { min($0, $1) }),
    ]

    @Test func floatArithmeticBroadcastsLikeNumpy() throws {
        var generator = SeededGenerator(seed: 7)
        for (sa, sb) in Self.shapePairs {
            let a = generator.tensor(sa), b = generator.tensor(sb, in: 0.5...2)
            let output = BroadcastWalk.broadcastShape([sa, sb])!
            let av = a.toFloats(), bv = b.toFloats()
            for (op, f) in Self.functions {
                let result = try run(op, [a, b])[0]
                #expect(result.shape == output, "\(op) \(sa) \(sb)")
                let expected = (0..<output.reduce(1, *)).map {
                    f(av[broadcastOffset($0, output: output, operand: sa)], bv[broadcastOffset($0, output: output, operand: sb)])
                }
                #expect(result.toFloats() == expected, "\(op) \(sa) \(sb)")
            }
        }
    }

    @Test func powModAndComparisons() throws {
        var generator = SeededGenerator(seed: 3)
        let a = generator.tensor([3, 4], in: 0.1...3), b = generator.tensor([4], in: -2...2)
        let av = a.toFloats(), bv = b.toFloats()
        let pow = try run("Pow", [a, b])[0].toFloats()
        for i in 0..<12 { #expect(abs(pow[i] - Foundation.pow(av[i], bv[i % 4])) <= 1e-5 * abs(pow[i])) }
        #expect(try run("Pow", [a, Tensor(scalar: 2)])[0].toFloats() == av.map { $0 * $0 })
        #expect(try run("Pow", [a, int64s([2], [])])[0].toFloats() == av.map { $0 * $0 })
        let fmod = try run("Mod", [Tensor(shape: [4], floats: [5, -5, 5, -5]), Tensor(shape: [4], floats: [3, 3, -3, -3])],
                           attributes: ["fmod": .int(1)])[0]
        #expect(fmod.toFloats() == [2, -2, 2, -2])
        let intMod = try run("Mod", [int64s([5, -5, 5, -5]), int64s([3, 3, -3, -3])])[0]
        #expect(intMod.toInt64s() == [2, 1, -1, -2])
        let less = try run("Less", [a, b])[0]
        #expect(less.dataType == .bool)
        #expect(boolValues(less) == (0..<12).map { av[$0] < bv[$0 % 4] })
        #expect(boolValues(try run("Greater", [a, b])[0]) == (0..<12).map { av[$0] > bv[$0 % 4] })
        #expect(boolValues(try run("Equal", [int64s([1, 2, 3]), int64s([2], [])])[0]) == [false, true, false])
    }

    @Test func int64ArithmeticForShapeSubgraphs() throws {
        let a = int64s([6, -7, 8, 9, 10, 11], [2, 3]), b = int64s([2, 3, -4])
        #expect(try run("Add", [a, b])[0].toInt64s() == [8, -4, 4, 11, 13, 7])
        #expect(try run("Sub", [a, b])[0].toInt64s() == [4, -10, 12, 7, 7, 15])
        #expect(try run("Mul", [a, int64s([2], [])])[0].toInt64s() == [12, -14, 16, 18, 20, 22])
        #expect(try run("Div", [a, b])[0].toInt64s() == [3, -2, -2, 4, 3, -2])
        #expect(try run("Div", [a, int64s([0], [])])[0].toInt64s() == [0, 0, 0, 0, 0, 0])
        #expect(try run("Max", [a, b])[0].dataType == .int64)
    }

    @Test func logicalWhereAndVariadic() throws {
        let p = bools([true, false, true, false], [4]), q = bools([true, true, false, false], [4])
        #expect(boolValues(try run("And", [p, q])[0]) == [true, false, false, false])
        #expect(boolValues(try run("Or", [p, q])[0]) == [true, true, true, false])
        #expect(boolValues(try run("Not", [p])[0]) == [false, true, false, true])
        // Where with three-way broadcast: condition [2,1], X [1,3], Y scalar.
        let condition = bools([true, false], [2, 1])
        let x = Tensor(shape: [1, 3], floats: [1, 2, 3])
        let chosen = try run("Where", [condition, x, Tensor(scalar: -1)])[0]
        #expect(chosen.shape == [2, 3])
        #expect(chosen.toFloats() == [1, 2, 3, -1, -1, -1])
        let chosenInts = try run("Where", [bools([false, true], [2]), int64s([1, 2]), int64s([9, 9])])[0]
        #expect(chosenInts.toInt64s() == [9, 2])
        let m = try run("Max", [Tensor(shape: [2], floats: [1, 5]), Tensor(shape: [2, 1], floats: [3, 0]), Tensor(scalar: 2)])[0]
        #expect(m.toFloats() == [3, 5, 2, 5])
        #expect(try run("Sum", [Tensor(scalar: 1), Tensor(scalar: 2), Tensor(shape: [2], floats: [3, 4])])[0].toFloats() == [6, 7])
        let mean = try run("Mean", [Tensor(shape: [2], floats: [1, 3]), Tensor(shape: [2], floats: [3, 5]), Tensor(scalar: 2)])[0]
        #expect(Comparison.maxAbsDifference(mean.toFloats(), [2, 10.0 / 3]) < 1e-6)
    }

    @Test func fusedActivationOnAdd() throws {
        var generator = SeededGenerator(seed: 11)
        let a = generator.tensor([2, 3, 10]), b = generator.tensor([3, 1])
        let plain = try run("Add", [a, b])[0].toFloats()
        for activation in [Activation.relu, .clip(min: -0.2, max: 0.3), .silu, .hardSwish] {
            let fused = try run("Add", [a, b], attributes: activation.fusedAttributes)[0].toFloats()
            #expect(Comparison.maxAbsDifference(fused, plain.map { activation($0) }) < 1e-6)
        }
        let mul = try run("Mul", [a, b], attributes: Activation.relu.fusedAttributes)[0].toFloats()
        let av = a.toFloats(), bv = b.toFloats()
        let expected: [Float] = (0..<60).map { i in max(av[i] * bv[i / 10 % 3], 0) }
        #expect(mul == expected)
    }

    @Test func largeOperandsSplitAcrossThreads() throws {
        var generator = SeededGenerator(seed: 5)
        let a = generator.tensor([2, 8, 64, 40]), b = generator.tensor([8, 1, 1])
        let node = Node(name: "add", opType: "Add", inputs: ["a", "b"], outputs: ["c"])
        let context = ExecutionContext(threadPool: ThreadPool(threadCount: 3))
        let parallel = try OperatorRegistry.standard.evaluate(node, inputs: [a, b], context: context)[0].toFloats()
        let av = a.toFloats(), bv = b.toFloats()
        let expected: [Float] = (0..<av.count).map { i in av[i] + bv[i / 2560 % 8] }
        #expect(parallel == expected)
    }

    @Test func mismatchedShapesThrow() {
        #expect(throws: GraphError.self) { try run("Add", [Tensor(zeros: [2, 3]), Tensor(zeros: [4])]) }
        #expect(throws: GraphError.self) { try run("Mul", [Tensor(zeros: [2, 3]), Tensor(zeros: [3, 2])]) }
        #expect(throws: GraphError.self) { try run("Add", [Tensor(zeros: [2]), int64s([1, 2])]) }
        #expect(throws: GraphError.self) { try run("Where", [Tensor(zeros: [2]), Tensor(zeros: [2]), Tensor(zeros: [2])]) }
    }
}
