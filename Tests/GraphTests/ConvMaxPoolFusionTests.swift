import Foundation
@testable import Graph
import Kernels
import Tensor
import Testing
import TestSupport

/// VGG's `MaxPool2x2(Relu(Conv3x3(x)))` run as one pooled Conv, against the same graph run
/// without optimisation, on the Winograd paths (tiles per block, output channels split at
/// batch 1, 8 and 16 tiles per vector) and the im2col fallback that pools a full-size copy.
@Suite struct ConvMaxPoolFusionTests {
    /// x -> Conv3x3 (pads 1) [-> activation] -> MaxPool(pool attributes) -> y.
    static func convThenPool(channels: Int, outputs: Int, activation: String? = "Relu",
                             pool: [String: Attribute] = [:], seed: UInt64) -> Graph {
        var g = SeededGenerator(seed: seed)
        var nodes = [Node(name: "c", opType: "Conv", inputs: ["x", "w", "b"], outputs: ["c"],
                          attributes: ["pads": .ints([1, 1, 1, 1]), "kernel_shape": .ints([3, 3])])]
        var last = "c"
        if let activation {
            nodes.append(Node(name: "a", opType: activation, inputs: ["c"], outputs: ["a"]))
            last = "a"
        }
        let attributes = pool.merging(["kernel_shape": .ints([2, 2]), "strides": .ints([2, 2])]) { given, _ in given }
        nodes.append(Node(name: "y", opType: "MaxPool", inputs: [last], outputs: ["y"], attributes: attributes))
        return Graph(nodes: nodes, initializers: ["w": g.tensor([outputs, channels, 3, 3]), "b": g.tensor([outputs])],
                     inputs: [ValueInfo(name: "x", dataType: .float32, shape: nil)],
                     outputs: [ValueInfo(name: "y", dataType: .float32, shape: nil)])
    }

    @Test func poolFoldsIntoTheConv() throws {
        for activation in ["Relu", nil] {
            let fused = try GraphOptimizer().optimize(Self.convThenPool(channels: 16, outputs: 16, activation: activation, seed: 1))
            #expect(fused.nodes.count == 1)
            let conv = try #require(fused.nodes.first)
            #expect(conv.opType == "Conv" && conv.outputs == ["y"])
            #expect(conv.attributes[ConvOperator.maxPoolAttribute]?.intValue == 1)
        }
    }

    /// [N, C, H, W] input and output channels: Winograd with blocks across images (16x18, batch 2),
    /// odd sizes (15x13: the last row and column are dropped), output channels split (batch 1,
    /// 14x14, 130 channels), 18 tiles per row (two 16-tile vectors, the second partial), and a
    /// 6x6 and a 7x5 plane (4 tiles: im2col, pooled from a full-size copy, the 7x5 one with its
    /// last row and column dropped).
    @Test(arguments: [([2, 16, 16, 18], 16), ([1, 16, 15, 13], 20), ([1, 16, 14, 14], 130), ([1, 16, 6, 72], 17),
                      ([2, 16, 6, 6], 16), ([1, 16, 7, 5], 16)])
    func matchesTheUnfusedGraph(shape: [Int], outputs: Int) throws {
        let graph = Self.convThenPool(channels: shape[1], outputs: outputs, seed: 2)
        var generator = SeededGenerator(seed: 7)
        let x = generator.tensor(shape)
        let reference = try Session(graph: graph, options: SessionOptions(threadCount: 1, optimize: false)).run(x)
        #expect(reference.shape == [shape[0], outputs, shape[2] / 2, shape[3] / 2])
        for (threads, splitsBatch) in [(1, false), (2, false), (3, false), (2, true)] {
            let y = try Session(graph: graph, options: SessionOptions(threadCount: threads, splitsBatch: splitsBatch)).run(x)
            #expect(y.shape == reference.shape)
            #expect(OpTest.relativeError(y.toFloats(), reference.toFloats()) < 1e-4, "\(shape), \(threads) threads")
        }
    }

    /// Clip's bounds and no activation at all, on the Winograd path.
    @Test func clipAndNoActivation() throws {
        var generator = SeededGenerator(seed: 9)
        let x = generator.tensor([1, 16, 12, 20])
        for activation in ["Clip", nil] {
            var graph = Self.convThenPool(channels: 16, outputs: 24, activation: activation, seed: 4)
            if activation == "Clip" {
                graph.nodes[1].inputs += ["lo", "hi"]
                graph.initializers["lo"] = Tensor(scalar: -0.3)
                graph.initializers["hi"] = Tensor(scalar: 0.4)
            }
            let reference = try Session(graph: graph, options: SessionOptions(threadCount: 1, optimize: false)).run(x)
            let y = try Session(graph: graph, options: SessionOptions(threadCount: 2)).run(x)
            #expect(OpTest.relativeError(y.toFloats(), reference.toFloats()) < 1e-4, "\(activation ?? "none")")
        }
    }

    /// Pools that are not 2x2/2 floor, a Conv output read twice, and a 1x1 Conv are left alone.
    @Test func otherPoolsAreLeftAlone() throws {
        let variants: [[String: Attribute]] = [["ceil_mode": .int(1)], ["kernel_shape": .ints([3, 3])],
                                              ["pads": .ints([0, 0, 1, 1])], ["strides": .ints([1, 1])]]
        for pool in variants {
            let fused = try GraphOptimizer().optimize(Self.convThenPool(channels: 16, outputs: 16, pool: pool, seed: 3))
            #expect(fused.nodes.contains { $0.opType == "MaxPool" }, "\(pool)")
        }
        var twice = Self.convThenPool(channels: 16, outputs: 16, seed: 3)
        twice.outputs.append(ValueInfo(name: "a", dataType: .float32, shape: nil))
        #expect(try GraphOptimizer().optimize(twice).nodes.contains { $0.opType == "MaxPool" })
        var pointwise = Self.convThenPool(channels: 16, outputs: 16, seed: 3)
        var generator = SeededGenerator(seed: 3)
        pointwise.initializers["w"] = generator.tensor([16, 16, 1, 1])
        pointwise.nodes[0].attributes = [:]
        #expect(try GraphOptimizer().optimize(pointwise).nodes.contains { $0.opType == "MaxPool" })
    }
}
