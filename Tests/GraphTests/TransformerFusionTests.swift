import Foundation
import Graph
import Kernels
import Tensor
import Testing
import TestSupport

/// The transformer fusion passes (MatMul bias, GELU, QuickGELU, Transpose/scale folding,
/// residual add) against the same graph run without optimisation.
@Suite struct TransformerFusionTests {
    static let sqrt2 = Tensor(scalar: Float(2).squareRoot())

    /// A small transformer block: attention (bias, transposed K, scaled scores, softmax, projection,
    /// residual), an erf-GELU MLP with residual, then a QuickGELU MLP without bias.
    static func block(seed: UInt64) -> Graph {
        var g = SeededGenerator(seed: seed)
        func n(_ name: String, _ op: String, _ inputs: [String], _ attributes: [String: Attribute] = [:]) -> Node {
            Node(name: name, opType: op, inputs: inputs, outputs: [name], attributes: attributes)
        }
        let nodes = [
            n("q0", "MatMul", ["x", "wq"]), n("q", "Add", ["q0", "bq"]),
            n("k0", "MatMul", ["x", "wk"]), n("k", "Add", ["bk", "k0"]),
            n("kt", "Transpose", ["k"], ["perm": .ints([0, 2, 1])]),
            n("s0", "MatMul", ["q", "kt"]), n("s", "Div", ["s0", "two"]),
            n("p", "Softmax", ["s"], ["axis": .int(-1)]),
            n("o", "MatMul", ["p", "x"]),
            n("proj0", "MatMul", ["o", "wo"]), n("proj", "Add", ["proj0", "bo"]),
            n("r", "Add", ["x", "proj"]),
            n("f0", "MatMul", ["r", "w1"]), n("f", "Add", ["f0", "b1"]),
            n("d", "Div", ["f", "sqrt2"]), n("e", "Erf", ["d"]), n("a", "Add", ["e", "one"]),
            n("m", "Mul", ["f", "a"]), n("gl", "Mul", ["m", "half"]),
            n("f20", "MatMul", ["gl", "w2"]), n("f2", "Add", ["f20", "b2"]),
            n("y1", "Add", ["f2", "r"]),
            n("u0", "MatMul", ["y1", "w3"]), n("u", "Add", ["u0", "b3"]),
            n("t", "Mul", ["u", "c1702"]), n("sg", "Sigmoid", ["t"]), n("qg", "Mul", ["sg", "u"]),
            n("y", "MatMul", ["qg", "w4"]),
        ]
        let initializers: [String: Tensor] = [
            "wq": g.tensor([8, 8]), "bq": g.tensor([8]), "wk": g.tensor([8, 8]), "bk": g.tensor([8]),
            "two": Tensor(scalar: 2), "wo": g.tensor([8, 8]), "bo": g.tensor([8]),
            "w1": g.tensor([8, 40]), "b1": g.tensor([40]), "sqrt2": sqrt2, "one": Tensor(scalar: 1),
            "half": Tensor(scalar: 0.5), "w2": g.tensor([40, 8]), "b2": g.tensor([8]),
            "w3": g.tensor([8, 36]), "b3": g.tensor([36]), "c1702": Tensor(scalar: 1.702), "w4": g.tensor([36, 8]),
        ]
        return Graph(nodes: nodes, initializers: initializers,
                     inputs: [ValueInfo(name: "x", dataType: .float32, shape: nil)],
                     outputs: [ValueInfo(name: "y", dataType: .float32, shape: nil)])
    }

    @Test func blockFusesIntoMatMulsAndSoftmax() throws {
        let fused = try GraphOptimizer().optimize(Self.block(seed: 3))
        #expect(fused.nodes.map(\.opType) == ["MatMul", "MatMul", "MatMul", "Softmax", "MatMul", "MatMul",
                                              "MatMul", "MatMul", "MatMul", "MatMul"])
        let scores = fused.nodes[2]
        #expect(scores.inputs == ["q", "k"])
        #expect(try scores.int(FusedMatMulAttribute.transposeB, default: 0) == 1)
        #expect(try scores.float(FusedMatMulAttribute.alpha, default: 1) == 0.5)
        #expect(fused.nodes[5].inputs == ["o", "wo", "bo", "x"])   // bias and residual
        #expect(try Activation(fusedInto: fused.nodes[6]) == .gelu)
        #expect(fused.nodes[7].inputs.count == 4)
        #expect(try Activation(fusedInto: fused.nodes[8]) == .quickGelu(alpha: 1.702))
    }

    @Test func fusedBlockMatchesUnfusedEvaluation() throws {
        let graph = Self.block(seed: 5)
        var generator = SeededGenerator(seed: 11)
        for shape in [[2, 6, 8], [1, 37, 8]] {
            let x = generator.tensor(shape)
            let reference = try Session(graph: graph, options: SessionOptions(threadCount: 1, optimize: false)).run(x)
            for threads in [1, 2] {
                let y = try Session(graph: graph, options: SessionOptions(threadCount: threads)).run(x)
                #expect(y.shape == reference.shape)
                #expect(OpTest.relativeError(y.toFloats(), reference.toFloats()) < 1e-5, "\(shape), \(threads) threads")
            }
        }
    }

    @Test func geluVariantsBecomeOneGeluNode() throws {
        // (x · 0.5) · (1 + erf(x · 1/√2)) on a graph input: no producer to fuse into.
        let graph = Graph(nodes: [
            Node(name: "h", opType: "Mul", inputs: ["x", "half"], outputs: ["h"]),
            Node(name: "d", opType: "Mul", inputs: ["rsqrt2", "x"], outputs: ["d"]),
            Node(name: "e", opType: "Erf", inputs: ["d"], outputs: ["e"]),
            Node(name: "a", opType: "Add", inputs: ["one", "e"], outputs: ["a"]),
            Node(name: "y", opType: "Mul", inputs: ["h", "a"], outputs: ["y"]),
        ], initializers: ["half": Tensor(scalar: 0.5), "rsqrt2": Tensor(scalar: Float(0.5).squareRoot()),
                          "one": Tensor(scalar: 1)],
           inputs: [ValueInfo(name: "x", dataType: .float32, shape: nil)],
           outputs: [ValueInfo(name: "y", dataType: .float32, shape: nil)])
        let fused = try GraphOptimizer().optimize(graph)
        #expect(fused.nodes.map(\.opType) == ["Gelu"])
        var generator = SeededGenerator(seed: 2)
        let x = generator.tensor([3, 50], in: -6...6)
        let reference = try Session(graph: graph, options: SessionOptions(threadCount: 1, optimize: false)).run(x)
        let y = try Session(graph: graph, options: SessionOptions(threadCount: 1)).run(x)
        #expect(OpTest.relativeError(y.toFloats(), reference.toFloats()) < 1e-5)
    }

    @Test func protectedIntermediatesBlockFusion() throws {
        let graph = Self.block(seed: 3)
        let kept = try GraphOptimizer().optimize(graph, protected: ["q0", "s0", "e"])
        #expect(kept.nodes.contains { $0.outputs == ["q0"] && $0.opType == "MatMul" && $0.inputs.count == 2 })
        #expect(kept.nodes.contains { $0.opType == "Div" })
        #expect(kept.nodes.contains { $0.opType == "Erf" })
    }
}

/// The MatMul extensions the passes use, against a direct reference.
@Suite struct FusedMatMulOperatorTests {
    @Test func biasActivationResidualScaleAndTransposedB() throws {
        var g = SeededGenerator(seed: 9)
        for (batch, m, k, n, constantB) in [(1, 5, 7, 3, true), (3, 13, 20, 70, true), (2, 9, 11, 33, false), (1, 40, 64, 100, true)] {
            for transposeB in [false, true] {
                let a = g.tensor([batch, m, k])
                let bShape = constantB ? (transposeB ? [n, k] : [k, n]) : (transposeB ? [batch, n, k] : [batch, k, n])
                let b = g.tensor(bShape), bias = g.tensor([n]), residual = g.tensor([batch, m, n])
                let alpha: Float = 0.75
                var attributes = Activation.gelu.fusedAttributes
                attributes[FusedMatMulAttribute.alpha] = .float(alpha)
                if transposeB { attributes[FusedMatMulAttribute.transposeB] = .int(1) }
                let node = Node(name: "mm", opType: "MatMul", inputs: ["a", "b", "bias", "r"], outputs: ["y"],
                                attributes: attributes)
                let av = a.toFloats(), bv = b.toFloats(), biasV = bias.toFloats(), rv = residual.toFloats()
                var expected = [Float]()
                for t in 0..<batch { for i in 0..<m { for j in 0..<n {
                    var sum: Double = 0
                    let bBase = constantB ? 0 : t * k * n
                    for p in 0..<k {
                        let bValue = transposeB ? bv[bBase + j * k + p] : bv[bBase + p * n + j]
                        sum += Double(av[(t * m + i) * k + p]) * Double(bValue)
                    }
                    let pre = Float(sum) * alpha + biasV[j]
                    expected.append(Activation.gelu(pre) + rv[(t * m + i) * n + j])
                } } }
                for threads in [1, 2] {
                    // Constant B goes through the packed-weights path (OpTest passes every input as a constant).
                    let y = try OpTest.run(node, [a, b, bias, residual], threads: threads)[0]
                    #expect(y.shape == [batch, m, n])
                    #expect(OpTest.relativeError(y.toFloats(), expected) < 1e-5, "\(batch)x\(m)x\(k)x\(n) tB \(transposeB)")
                }
            }
        }
    }

    @Test func broadcastResidualStillAdds() throws {
        var g = SeededGenerator(seed: 4)
        let a = g.tensor([4, 6]), b = g.tensor([6, 5]), residual = g.tensor([3, 4, 5])
        let node = Node(name: "mm", opType: "MatMul", inputs: ["a", "b", "", "r"], outputs: ["y"])
        let y = try OpTest.run(node, [a, b, nil, residual])[0]
        #expect(y.shape == [3, 4, 5])
        let av = a.toFloats(), bv = b.toFloats(), rv = residual.toFloats()
        var expected = [Float]()
        for t in 0..<3 { for i in 0..<4 { for j in 0..<5 {
            var sum: Float = 0
            for p in 0..<6 { sum += av[i * 6 + p] * bv[p * 5 + j] }
            expected.append(sum + rv[(t * 4 + i) * 5 + j])
        } } }
        #expect(OpTest.relativeError(y.toFloats(), expected) < 1e-5)
    }

    @Test func softmaxRowsMatchTheDefinition() throws {
        var g = SeededGenerator(seed: 8)
        for length in [1, 7, 16, 197] {
            let x = g.tensor([3, length], in: -20...20)
            for (op, logarithmic) in [("Softmax", false), ("LogSoftmax", true)] {
                let y = try run(op, [x], attributes: ["axis": .int(-1)])[0].toFloats()
                let xv = x.toFloats()
                var expected = [Float]()
                for r in 0..<3 {
                    let row = xv[(r * length)..<((r + 1) * length)].map(Double.init)
                    let top = row.max()!, total = row.map { Foundation.exp($0 - top) }.reduce(0, +)
                    expected += row.map { Float(logarithmic ? $0 - top - Foundation.log(total) : Foundation.exp($0 - top) / total) }
                }
                let worst = zip(y, expected).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
                #expect(worst <= 2e-6, "\(op) \(length): \(worst)")
            }
        }
    }
}
