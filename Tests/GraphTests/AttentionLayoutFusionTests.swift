import Foundation
import Graph
import Tensor
import Testing
import TestSupport

/// Attention's head split (`Reshape -> Transpose -> Split -> Squeeze`) and merge (`Transpose`)
/// read and written in place by the MatMuls, against the same graph run without optimisation.
@Suite struct AttentionLayoutFusionTests {
    static let heads = 3, headSize = 4

    /// qkv [N, T, 3 * H * Dh] -> heads -> softmax(q kᵀ / 2) v -> merged [N, T, H * Dh], as
    /// `torch.nn.MultiheadAttention` exports it.
    static func attention() -> Graph {
        func n(_ name: String, _ op: String, _ inputs: [String], _ attributes: [String: Attribute] = [:], outputs: [String]? = nil) -> Node {
            Node(name: name, opType: op, inputs: inputs, outputs: outputs ?? [name], attributes: attributes)
        }
        let nodes = [
            n("split_shape", "Reshape", ["qkv", "shape5"]),
            n("heads", "Transpose", ["split_shape"], ["perm": .ints([2, 0, 3, 1, 4])]),
            n("split", "Split", ["heads"], ["axis": .int(0)], outputs: ["q0", "k0", "v0"]),
            n("q", "Squeeze", ["q0", "zero"]), n("k", "Squeeze", ["k0", "zero"]), n("v", "Squeeze", ["v0", "zero"]),
            n("kt", "Transpose", ["k"], ["perm": .ints([0, 1, 3, 2])]),
            n("scores0", "MatMul", ["q", "kt"]), n("scores", "Div", ["scores0", "two"]),
            n("p", "Softmax", ["scores"], ["axis": .int(-1)]),
            n("o", "MatMul", ["p", "v"]),
            n("merged", "Transpose", ["o"], ["perm": .ints([0, 2, 1, 3])]),
            n("y", "Reshape", ["merged", "shape3"]),
        ]
        return Graph(nodes: nodes, initializers: [
            "shape5": Tensor(shape: [5], int64s: [0, 0, 3, Int64(heads), Int64(headSize)]),
            "shape3": Tensor(shape: [3], int64s: [0, 0, -1]),
            "zero": Tensor(shape: [1], int64s: [0]), "two": Tensor(scalar: 2),
        ], inputs: [ValueInfo(name: "qkv", dataType: .float32, shape: nil)],
           outputs: [ValueInfo(name: "y", dataType: .float32, shape: nil)])
    }

    @Test func headSplitAndMergeDisappear() throws {
        let fused = try GraphOptimizer().optimize(Self.attention())
        #expect(fused.nodes.map(\.opType) == ["Reshape", "MatMul", "Softmax", "MatMul", "Reshape"])
        let scores = fused.nodes[1], values = fused.nodes[3]
        #expect(scores.inputs == ["split_shape", "split_shape"])
        #expect(try scores.ints(FusedMatMulAttribute.aPerm) == [2, 0, 3, 1, 4])
        #expect(try scores.int(FusedMatMulAttribute.aSelect, default: -1) == 0)
        #expect(try scores.int(FusedMatMulAttribute.bSelect, default: -1) == 1)
        #expect(try values.int(FusedMatMulAttribute.bSelect, default: -1) == 2)
        #expect(try values.ints(FusedMatMulAttribute.outputPerm) == [0, 2, 1, 3])
    }

    @Test(arguments: [[1, 5, 36], [2, 7, 36], [3, 1, 36]])
    func matchesTheUnfusedGraph(shape: [Int]) throws {
        var generator = SeededGenerator(seed: UInt64(shape[0] * 10 + shape[1]))
        let x = generator.tensor(shape)
        let graph = Self.attention()
        let reference = try Session(graph: graph, options: SessionOptions(threadCount: 1, optimize: false)).run(x)
        for threads in [1, 2, 3] {
            let y = try Session(graph: graph, options: SessionOptions(threadCount: threads, splitsBatch: false)).run(x)
            #expect(y.shape == reference.shape)
            #expect(OpTest.relativeError(y.toFloats(), reference.toFloats()) < 1e-5, "\(shape), \(threads) threads")
        }
    }

    /// Probabilities for two images against one image's values: v's batch axis broadcasts.
    @Test func broadcastBatchAxes() throws {
        var graph = Self.attention()
        graph.nodes.removeAll { ["kt", "scores0", "scores", "p"].contains($0.name) }
        graph.inputs.append(ValueInfo(name: "p", dataType: .float32, shape: nil))
        let fused = try GraphOptimizer().optimize(graph)
        #expect(!fused.nodes.contains { $0.opType == "Transpose" })
        var generator = SeededGenerator(seed: 8)
        let qkv = generator.tensor([1, 5, 36]), p = generator.tensor([2, Self.heads, 5, 5])
        let reference = try Session(graph: graph, options: SessionOptions(threadCount: 1, optimize: false)).run(["qkv": qkv, "p": p])
        let y = try Session(graph: graph, options: SessionOptions(threadCount: 2)).run(["qkv": qkv, "p": p])
        #expect(y["y"]!.shape == [2, 5, 12])
        #expect(OpTest.relativeError(y["y"]!.toFloats(), reference["y"]!.toFloats()) < 1e-5)
    }

    /// A head slice that something else also reads keeps its Split for that reader.
    @Test func otherReadersKeepTheirCopies() throws {
        var graph = Self.attention()
        graph.nodes.append(Node(name: "extra", opType: "Relu", inputs: ["v"], outputs: ["extra"]))
        graph.outputs.append(ValueInfo(name: "extra", dataType: .float32, shape: nil))
        let fused = try GraphOptimizer().optimize(graph)
        #expect(fused.nodes.contains { $0.opType == "Split" })
        var generator = SeededGenerator(seed: 4)
        let x = generator.tensor([2, 5, 36])
        let reference = try Session(graph: graph, options: SessionOptions(threadCount: 1, optimize: false)).run(["qkv": x])
        let outputs = try Session(graph: graph, options: SessionOptions(threadCount: 2)).run(["qkv": x])
        for name in ["y", "extra"] {
            #expect(OpTest.relativeError(outputs[name]!.toFloats(), reference[name]!.toFloats()) < 1e-5, "\(name)")
        }
    }
}
