import Graph
import Kernels
import Tensor
import Testing
import TestSupport

/// A convolution whose skip connection is read by no later step writes its output over it (the
/// planner gives both one buffer): the results are the unfused graph's on every convolution
/// path, and the arena is smaller than when the skip connection must survive.
@Suite struct InPlaceResidualPlanTests {
    /// x -> stem Conv (Relu) -> h; Conv(h) (Relu) -> t; y = Relu(Add(Conv(t), h)): the skip
    /// connection h is not the last convolution's input, so its buffer is free after the add.
    private func block(channels: Int, kernel: Int, seed: UInt64) -> Graph {
        var generator = SeededGenerator(seed: seed)
        let pad = kernel / 2
        let attributes: [String: Attribute] = ["pads": .ints([pad, pad, pad, pad])]
        return Graph(name: "in-place", nodes: [
            Node(name: "stem", opType: "Conv", inputs: ["x", "w0", "b0"], outputs: ["s"]),
            Node(name: "stem_relu", opType: "Relu", inputs: ["s"], outputs: ["h"]),
            Node(name: "first", opType: "Conv", inputs: ["h", "w1", "b1"], outputs: ["f"], attributes: attributes),
            Node(name: "first_relu", opType: "Relu", inputs: ["f"], outputs: ["t"]),
            Node(name: "second", opType: "Conv", inputs: ["t", "w2", "b2"], outputs: ["c"], attributes: attributes),
            Node(name: "add", opType: "Add", inputs: ["c", "h"], outputs: ["a"]),
            Node(name: "relu", opType: "Relu", inputs: ["a"], outputs: ["y"]),
        ], initializers: [
            "w0": generator.tensor([channels, 3, 1, 1]), "b0": generator.tensor([channels]),
            "w1": generator.tensor([channels, channels, kernel, kernel], in: -0.2...0.2), "b1": generator.tensor([channels]),
            "w2": generator.tensor([channels, channels, kernel, kernel], in: -0.2...0.2), "b2": generator.tensor([channels]),
        ], inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.symbolic("N"), .fixed(3), .symbolic("H"), .symbolic("W")])],
           outputs: [ValueInfo(name: "y", dataType: .float32, shape: [.symbolic("N"), .fixed(channels), .symbolic("H"), .symbolic("W")])])
    }

    /// Per-image GEMM tiles (20x20), tiles across images (3x3 planes, batch 5), the direct
    /// convolution (3x3 over 8 channels: 72 taps, 56 wide), and paths that must not share (and
    /// still compute the same): Winograd (16 channels, 12x12), channel lanes (64 channels at
    /// 7x7), a reduction of several k blocks (400 channels); 1 and 2 threads.
    @Test(arguments: [(8, 1, 20, 1), (8, 1, 3, 5), (8, 3, 56, 1), (16, 3, 12, 2), (64, 1, 7, 1), (400, 1, 3, 1)])
    func sharedBufferMatchesTheUnfusedGraph(channels: Int, kernel: Int, size: Int, batch: Int) throws {
        let graph = block(channels: channels, kernel: kernel, seed: UInt64(channels * size))
        var generator = SeededGenerator(seed: 7)
        let x = generator.tensor([batch, 3, size, size])
        let reference = try Session(graph: graph, options: SessionOptions(threadCount: 1, optimize: false)).run(x).toFloats()
        for threads in [1, 2] {
            let session = try Session(graph: graph, options: SessionOptions(threadCount: threads, splitsBatch: false))
            #expect(session.optimizedGraph.nodes.last?.inputs.count == 4, "the add is fused into the last Conv")
            let output = try session.run(x).toFloats()
            #expect(Comparison.maxAbsDifference(output, reference) < 1e-4, "threads \(threads)")
        }
    }

    /// Three same-size values (h, t, the output) are alive at the last step unless the output
    /// takes h's buffer: then two, as long as h is not also requested.
    @Test func theOutputTakesTheSkipConnectionsBuffer() throws {
        let session = try Session(graph: block(channels: 8, kernel: 1, seed: 1), options: SessionOptions(threadCount: 1))
        let shapes = ["x": [1, 3, 20, 20]]
        let value = 8 * 20 * 20 * 4
        let shared = try session.statistics(inputShapes: shapes).arenaBytes
        let kept = try session.statistics(inputShapes: shapes, outputs: ["y", "h"]).arenaBytes
        #expect(kept - shared == value, "arena \(shared) bytes with h's buffer shared, \(kept) with h kept")
    }
}
