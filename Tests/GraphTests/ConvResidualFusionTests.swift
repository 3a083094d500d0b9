import Graph
import Kernels
import Tensor
import Testing
import TestSupport

/// `Relu(Add(Conv(h), skip))` becomes one Conv with the skip as input 3, and computes the same.
@Suite struct ConvResidualFusionTests {
    /// x -> stem Conv (Relu) -> h; body Conv(h) -> c; y = Relu(Add(c, h)) (or Add(h, c)).
    private func block(channels: Int, kernel: Int, group: Int = 1, skipFirst: Bool = false, seed: UInt64) -> Graph {
        var generator = SeededGenerator(seed: seed)
        let pad = kernel / 2
        let convAttributes: [String: Attribute] = ["pads": .ints([pad, pad, pad, pad]), "group": .int(group)]
        return Graph(name: "residual", nodes: [
            Node(name: "stem", opType: "Conv", inputs: ["x", "w0", "b0"], outputs: ["s"]),
            Node(name: "stem_relu", opType: "Relu", inputs: ["s"], outputs: ["h"]),
            Node(name: "body", opType: "Conv", inputs: ["h", "w1", "b1"], outputs: ["c"], attributes: convAttributes),
            Node(name: "add", opType: "Add", inputs: skipFirst ? ["h", "c"] : ["c", "h"], outputs: ["a"]),
            Node(name: "relu", opType: "Relu", inputs: ["a"], outputs: ["y"]),
        ], initializers: [
            "w0": generator.tensor([channels, 3, 1, 1]), "b0": generator.tensor([channels]),
            "w1": generator.tensor([channels, channels / group, kernel, kernel], in: -0.3...0.3), "b1": generator.tensor([channels]),
        ], inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.symbolic("N"), .fixed(3), .symbolic("H"), .symbolic("W")])],
           outputs: [ValueInfo(name: "y", dataType: .float32, shape: [.symbolic("N"), .fixed(channels), .symbolic("H"), .symbolic("W")])])
    }

    @Test func theAddAndItsActivationMoveIntoTheConv() throws {
        let fused = try GraphOptimizer().optimize(block(channels: 8, kernel: 1, seed: 1))
        #expect(fused.nodes.map(\.opType) == ["Conv", "Conv"])
        let body = fused.nodes[1]
        #expect(body.inputs.count == 4 && body.inputs[3] == fused.nodes[0].outputs[0])
        #expect(body.outputs == ["y"])
        #expect(try Activation(fusedInto: body) == .relu)
    }

    @Test func aConvWithItsOwnActivationKeepsTheAdd() throws {
        var graph = block(channels: 8, kernel: 1, seed: 2)
        graph.nodes.insert(Node(name: "body_relu", opType: "Relu", inputs: ["c"], outputs: ["cr"]), at: 3)
        graph.nodes[4].inputs = ["cr", "h"]
        let fused = try GraphOptimizer().optimize(graph)
        #expect(fused.nodes.map(\.opType) == ["Conv", "Conv", "Add"])
    }

    /// Every convolution path: per-image GEMM tiles (20x20), tiles across images (3x3 planes),
    /// Winograd (3x3 kernel, 16 channels, 12x12), depthwise (post-pass); 1 and 2 threads.
    @Test(arguments: [(8, 1, 1, 20, 1), (8, 1, 1, 3, 5), (16, 3, 1, 12, 2), (8, 3, 8, 9, 2), (24, 3, 1, 7, 1)])
    func fusedMatchesUnfused(channels: Int, kernel: Int, group: Int, size: Int, batch: Int) throws {
        for skipFirst in [false, true] {
            let graph = block(channels: channels, kernel: kernel, group: group, skipFirst: skipFirst, seed: UInt64(size))
            var generator = SeededGenerator(seed: 99)
            let x = generator.tensor([batch, 3, size, size])
            let reference = try Session(graph: graph, options: SessionOptions(threadCount: 1, optimize: false)).run(x).toFloats()
            for threads in [1, 2] {
                let session = try Session(graph: graph, options: SessionOptions(threadCount: threads, splitsBatch: false))
                #expect(session.optimizedGraph.nodes.count == 2)
                let output = try session.run(x).toFloats()
                #expect(Comparison.maxAbsDifference(output, reference) < 1e-4, "threads \(threads), skip first \(skipFirst)")
            }
        }
    }
}
