import Graph
import Kernels
import Tensor
import Testing
import TestSupport

@Suite struct PassTests {
    @Test func batchNormFoldsIntoConvWeightsAndBias() throws {
        var generator = SeededGenerator(seed: 7)
        let weight = generator.tensor([2, 1, 1, 1])
        let graph = Graph(nodes: [
            Node(name: "conv", opType: "Conv", inputs: ["x", "w", "b"], outputs: ["c"]),
            Node(name: "bn", opType: "BatchNormalization", inputs: ["c", "g", "beta", "m", "v"], outputs: ["y"],
                 attributes: ["epsilon": .float(1e-3)]),
        ], initializers: [
            "w": weight, "b": Tensor(shape: [2], floats: [0.5, -1]),
            "g": Tensor(shape: [2], floats: [2, 3]), "beta": Tensor(shape: [2], floats: [0.1, 0.2]),
            "m": Tensor(shape: [2], floats: [1, -1]), "v": Tensor(shape: [2], floats: [4, 9]),
        ], inputs: [ValueInfo(name: "x", dataType: .float32, shape: nil)],
           outputs: [ValueInfo(name: "y", dataType: .float32, shape: nil)])
        let folded = try GraphOptimizer().optimize(graph)
        #expect(folded.nodes.count == 1)
        let conv = folded.nodes[0]
        #expect(conv.opType == "Conv" && conv.outputs == ["y"])
        let w = folded.initializers[conv.inputs[1]]!.toFloats()
        let b = folded.initializers[conv.inputs[2]]!.toFloats()
        let w0 = weight.toFloats()
        let s0 = 2 / (4 + 1e-3).squareRoot(), s1 = 3 / (9 + 1e-3).squareRoot()
        #expect(abs(Double(w[0]) - Double(w0[0]) * s0) < 1e-6)
        #expect(abs(Double(w[1]) - Double(w0[1]) * s1) < 1e-6)
        #expect(abs(Double(b[0]) - ((0.5 - 1) * s0 + 0.1)) < 1e-6)
        #expect(abs(Double(b[1]) - ((-1 + 1) * s1 + 0.2)) < 1e-6)
    }

    @Test func activationsFuseIntoTheirProducer() throws {
        let graph = Graph(nodes: [
            Node(name: "conv", opType: "Conv", inputs: ["x", "w"], outputs: ["c"]),
            Node(name: "clip", opType: "Clip", inputs: ["c", "lo", "hi"], outputs: ["r"]),
            Node(name: "conv2", opType: "Conv", inputs: ["r", "w"], outputs: ["c2"]),
            Node(name: "sig", opType: "Sigmoid", inputs: ["c2"], outputs: ["s"]),
            Node(name: "mul", opType: "Mul", inputs: ["c2", "s"], outputs: ["y"]),
        ], initializers: ["w": Tensor(shape: [1, 1, 1, 1], floats: [1]), "lo": Tensor(scalar: 0), "hi": Tensor(scalar: 6)],
           inputs: [ValueInfo(name: "x", dataType: .float32, shape: nil)],
           outputs: [ValueInfo(name: "y", dataType: .float32, shape: nil)])
        let fused = try GraphOptimizer().optimize(graph)
        #expect(fused.nodes.map(\.opType) == ["Conv", "Conv"])
        #expect(try Activation(fusedInto: fused.nodes[0]) == .clip(min: 0, max: 6))
        #expect(try Activation(fusedInto: fused.nodes[1]) == .silu)
        #expect(fused.nodes[1].outputs == ["y"])
    }

    @Test func protectedValuesAreNotFusedAway() throws {
        let graph = Graph(nodes: [
            Node(name: "conv", opType: "Conv", inputs: ["x", "w"], outputs: ["c"]),
            Node(name: "relu", opType: "Relu", inputs: ["c"], outputs: ["y"]),
            Node(name: "unused", opType: "Relu", inputs: ["x"], outputs: ["dead"]),
        ], initializers: ["w": Tensor(shape: [1, 1, 1, 1], floats: [1])],
           inputs: [ValueInfo(name: "x", dataType: .float32, shape: nil)],
           outputs: [ValueInfo(name: "y", dataType: .float32, shape: nil)])
        let kept = try GraphOptimizer().optimize(graph, protected: ["c"])
        #expect(kept.nodes.map(\.opType) == ["Conv", "Relu"])
        let fused = try GraphOptimizer().optimize(graph)
        #expect(fused.nodes.map(\.opType) == ["Conv"])
    }

    @Test func identityAndDropoutAreRemoved() throws {
        let graph = Graph(nodes: [
            Node(name: "i", opType: "Identity", inputs: ["x"], outputs: ["a"]),
            Node(name: "d", opType: "Dropout", inputs: ["a"], outputs: ["b"]),
            Node(name: "r", opType: "Relu", inputs: ["b"], outputs: ["y"]),
        ], inputs: [ValueInfo(name: "x", dataType: .float32, shape: nil)],
           outputs: [ValueInfo(name: "y", dataType: .float32, shape: nil)])
        let optimized = try GraphOptimizer().optimize(graph)
        #expect(optimized.nodes.map(\.opType) == ["Relu"])
        #expect(optimized.nodes[0].inputs == ["x"])
    }
}

@Suite struct PadAndConstantFoldingTests {
    /// x -> Pad(pads computed by a Constant/Concat subgraph) -> Conv: the subgraph folds at
    /// load and the Pad becomes Conv padding, with identical results.
    @Test func computedZeroPadFoldsIntoConvPadding() throws {
        var generator = SeededGenerator(seed: 3)
        let weight = generator.tensor([2, 3, 3, 3])
        let graph = Graph(nodes: [
            Node(name: "c", opType: "Concat", inputs: ["head", "tail"], outputs: ["pads"], attributes: ["axis": .int(0)]),
            Node(name: "pad", opType: "Pad", inputs: ["x", "pads"], outputs: ["padded"]),
            Node(name: "conv", opType: "Conv", inputs: ["padded", "w"], outputs: ["y"],
                 attributes: ["strides": .ints([2, 2]), "pads": .ints([1, 0, 0, 0])]),
        ], initializers: ["w": weight, "head": Tensor(shape: [4], int64s: [0, 0, 0, 1]), "tail": Tensor(shape: [4], int64s: [0, 0, 1, 2])],
           inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.symbolic("n"), .fixed(3), .fixed(9), .fixed(8)])],
           outputs: [ValueInfo(name: "y", dataType: .float32, shape: nil)])
        let optimized = try GraphOptimizer().optimize(graph)
        #expect(optimized.nodes.map(\.opType) == ["Conv"])
        #expect(try optimized.nodes[0].ints("pads") == [1, 1, 1, 2])
        let x = generator.tensor([2, 3, 9, 8])
        let folded = try Session(graph: graph, options: SessionOptions(threadCount: 1)).run(x)
        let unfolded = try Session(graph: graph, options: SessionOptions(threadCount: 1, optimize: false)).run(x)
        #expect(folded.shape == unfolded.shape)
        #expect(Comparison.maxAbsDifference(folded.toFloats(), unfolded.toFloats()) < 1e-5)
    }

    @Test func nonZeroOrChannelPadsAreKept() throws {
        for (pads, value) in [([0, 1, 1, 1, 0, 0, 1, 1], Float(0)), ([0, 0, 1, 1, 0, 0, 1, 1], Float(2))] {
            let graph = Graph(nodes: [
                Node(name: "pad", opType: "Pad", inputs: ["x", "pads", "v"], outputs: ["padded"]),
                Node(name: "conv", opType: "Conv", inputs: ["padded", "w"], outputs: ["y"]),
            ], initializers: ["w": Tensor(zeros: [1, pads[1] == 1 ? 4 : 3, 1, 1]),
                              "pads": Tensor(shape: [8], int64s: pads.map(Int64.init)), "v": Tensor(scalar: value)],
               inputs: [ValueInfo(name: "x", dataType: .float32, shape: nil)],
               outputs: [ValueInfo(name: "y", dataType: .float32, shape: nil)])
            #expect(try GraphOptimizer().optimize(graph).nodes.map(\.opType) == ["Pad", "Conv"])
        }
    }
}
