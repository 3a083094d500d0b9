import Foundation
@testable import Graph
import Kernels
import Tensor
import Testing
import TestSupport

/// Squeeze-excitation's `Conv1x1(x * s)` with `s` folded into the convolution as input 4,
/// against the same graph run without optimisation, on every path the scaled GEMM takes.
@Suite struct ChannelScaleFusionTests {
    /// x -> GlobalAveragePool -> Conv1x1 + Relu -> Conv1x1 + Sigmoid = s; y = Conv1x1(x * s) + bias,
    /// with the Mul's operands in either order.
    static func squeezeExcitation(channels: Int, outputs: Int, scaleFirst: Bool, seed: UInt64) -> Graph {
        var g = SeededGenerator(seed: seed)
        func n(_ name: String, _ op: String, _ inputs: [String]) -> Node {
            Node(name: name, opType: op, inputs: inputs, outputs: [name])
        }
        let nodes = [
            n("pool", "GlobalAveragePool", ["x"]),
            n("squeeze", "Conv", ["pool", "w1", "b1"]), n("relu", "Relu", ["squeeze"]),
            n("excite", "Conv", ["relu", "w2", "b2"]), n("s", "Sigmoid", ["excite"]),
            n("scaled", "Mul", scaleFirst ? ["s", "x"] : ["x", "s"]),
            n("y", "Conv", ["scaled", "w3", "b3"]),
        ]
        let initializers: [String: Tensor] = [
            "w1": g.tensor([4, channels, 1, 1]), "b1": g.tensor([4]),
            "w2": g.tensor([channels, 4, 1, 1]), "b2": g.tensor([channels]),
            "w3": g.tensor([outputs, channels, 1, 1]), "b3": g.tensor([outputs]),
        ]
        return Graph(nodes: nodes, initializers: initializers,
                     inputs: [ValueInfo(name: "x", dataType: .float32, shape: nil)],
                     outputs: [ValueInfo(name: "y", dataType: .float32, shape: nil)])
    }

    @Test func mulFoldsIntoThePointwiseConv() throws {
        for scaleFirst in [false, true] {
            let fused = try GraphOptimizer().optimize(Self.squeezeExcitation(channels: 8, outputs: 6, scaleFirst: scaleFirst, seed: 1))
            #expect(!fused.nodes.contains { $0.opType == "Mul" })
            let conv = try #require(fused.nodes.last)
            #expect(conv.inputs == ["x", "w3", "b3", "", "s"])
        }
    }

    /// Per-image tiles (20x20), tiles across images (5x5, batch 3), row blocks on two threads and
    /// the one-thread channel-lane path (7x7, 64 channels, batch 1), and the channel lanes on two
    /// threads (128 outputs: four panels), which scale the input's channels in shares.
    @Test(arguments: [([1, 8, 20, 20], 6), ([3, 8, 5, 5], 6), ([1, 64, 7, 7], 96), ([2, 64, 7, 7], 96), ([1, 96, 14, 14], 112),
                      ([1, 64, 7, 7], 128)])
    func matchesTheUnfusedGraph(shape: [Int], outputs: Int) throws {
        let graph = Self.squeezeExcitation(channels: shape[1], outputs: outputs, scaleFirst: false, seed: 2)
        var generator = SeededGenerator(seed: 7)
        let x = generator.tensor(shape)
        let reference = try Session(graph: graph, options: SessionOptions(threadCount: 1, optimize: false)).run(x)
        for threads in [1, 2] {
            let y = try Session(graph: graph, options: SessionOptions(threadCount: threads, splitsBatch: false)).run(x)
            #expect(y.shape == reference.shape)
            #expect(OpTest.relativeError(y.toFloats(), reference.toFloats()) < 1e-5, "\(shape), \(threads) threads")
        }
    }

    @Test func otherMulsAndConvsAreLeftAlone() throws {
        var g = SeededGenerator(seed: 3)
        // A full-size product (not a per-channel vector), and a 3x3 convolution after an SE scale.
        let graph = Graph(nodes: [
            Node(name: "gate", opType: "Sigmoid", inputs: ["x"], outputs: ["gate"]),
            Node(name: "m", opType: "Mul", inputs: ["x", "gate"], outputs: ["m"]),
            Node(name: "c", opType: "Conv", inputs: ["m", "w"], outputs: ["c"]),
            Node(name: "pool", opType: "GlobalAveragePool", inputs: ["c"], outputs: ["pool"]),
            Node(name: "s", opType: "Sigmoid", inputs: ["pool"], outputs: ["s"]),
            Node(name: "m2", opType: "Mul", inputs: ["c", "s"], outputs: ["m2"]),
            Node(name: "y", opType: "Conv", inputs: ["m2", "w3x3"], outputs: ["y"], attributes: ["pads": .ints([1, 1, 1, 1])]),
        ], initializers: ["w": g.tensor([4, 4, 1, 1]), "w3x3": g.tensor([4, 4, 3, 3])],
        inputs: [ValueInfo(name: "x", dataType: .float32, shape: nil)],
        outputs: [ValueInfo(name: "y", dataType: .float32, shape: nil)])
        let fused = try GraphOptimizer().optimize(graph)
        #expect(fused.nodes.filter { $0.opType == "Mul" }.count == 2)
    }

    /// Input 4 on a convolution the scaled GEMM does not serve (3x3): the input is scaled first.
    @Test func scaleOnOtherConvolutionsIsAppliedToACopy() throws {
        var generator = SeededGenerator(seed: 5)
        let x = generator.tensor([2, 3, 6, 6]), w = generator.tensor([4, 3, 3, 3]), scale = generator.tensor([2, 3, 1, 1])
        let attributes: [String: Attribute] = ["pads": .ints([1, 1, 1, 1])]
        let fused = try OpTest.run(OpTest.node("Conv", inputs: [x, w, nil, nil, scale], attributes: attributes), [x, w, nil, nil, scale])[0]
        var scaledValues = x.toFloats()
        let factors = scale.toFloats()
        for i in scaledValues.indices { scaledValues[i] *= factors[i / 36] }
        let scaled = Tensor(shape: x.shape, floats: scaledValues)
        let reference = try OpTest.run(OpTest.node("Conv", inputs: [scaled, w], attributes: attributes), [scaled, w])[0]
        #expect(OpTest.relativeError(fused.toFloats(), reference.toFloats()) < 1e-6)
        #expect(throws: GraphError.self) {
            _ = try OpTest.run(OpTest.node("Conv", inputs: [x, w, nil, nil, x], attributes: attributes), [x, w, nil, nil, x])
        }
    }
}
