import Graph
import Tensor
import Testing
import TestSupport

/// A session packs constant weights and gives back the memory of their originals.
@Suite struct WeightReleaseTests {
    final class Counter: @unchecked Sendable { var fills = 0 }

    /// A tensor made by a counted recipe (like an unaligned weight copied out of a model file).
    func recomputable(_ tensor: Tensor, counter: Counter) -> Tensor {
        let values = tensor.toFloats()
        return Tensor(recomputing: tensor.shape) { target in
            counter.fills += 1
            target.copyMemory(from: values, byteCount: values.count * 4)
        }
    }

    func graph(nodes: [Node], initializers: [String: Tensor], output: String) -> Graph {
        Graph(nodes: nodes, initializers: initializers,
              inputs: [ValueInfo(name: "x", dataType: .float32, shape: nil)],
              outputs: [ValueInfo(name: output, dataType: .float32, shape: nil)])
    }

    @Test func packedMatMulWeightsAreReleasedAndRunsNeverReadThem() throws {
        var generator = SeededGenerator(seed: 3)
        let weight = generator.tensor([16, 24]), x = generator.tensor([5, 16])
        let counter = Counter()
        let lazyWeight = recomputable(weight, counter: counter)
        let nodes = [Node(name: "mm", opType: "MatMul", inputs: ["x", "w"], outputs: ["y"])]
        let session = try Session(graph: graph(nodes: nodes, initializers: ["w": lazyWeight], output: "y"),
                                  options: SessionOptions(threadCount: 2))
        #expect(counter.fills == 1)   // read once, to pack
        let sessionWeight = session.sourceGraph.initializers["w"]!
        #expect(!sessionWeight.storage.isMaterialized)
        // The caller's tensor is not the session's: it was never made.
        #expect(!lazyWeight.storage.isMaterialized)

        let reference = try Session(graph: graph(nodes: nodes, initializers: ["w": weight], output: "y"),
                                    options: SessionOptions(threadCount: 2))
        let expected = try reference.run(x).toFloats()
        for _ in 0..<2 { #expect(try session.run(x).toFloats() == expected) }
        #expect(counter.fills == 1 && !sessionWeight.storage.isMaterialized)
    }

    @Test func releasedWeightsComeBackWhenALaterRunNeedsANewCompile() throws {
        // The default outputs are compiled first (the weight is packed, then released); asking
        // for an intermediate value re-optimises the graph and packs the weight again.
        var generator = SeededGenerator(seed: 4)
        let weight = generator.tensor([8, 6]), x = generator.tensor([3, 8])
        let counter = Counter()
        let nodes = [Node(name: "mm", opType: "MatMul", inputs: ["x", "w"], outputs: ["h"]),
                     Node(name: "relu", opType: "Relu", inputs: ["h"], outputs: ["y"])]
        let session = try Session(graph: graph(nodes: nodes, initializers: ["w": recomputable(weight, counter: counter)], output: "y"),
                                  options: SessionOptions(threadCount: 1))
        let reference = try Session(graph: graph(nodes: nodes, initializers: ["w": weight], output: "y"),
                                    options: SessionOptions(threadCount: 1, optimize: false))
        #expect(try session.run(x).toFloats() == reference.run(x).toFloats())
        let both = try session.run(["x": x], outputs: ["h", "y"])
        let expected = try reference.run(["x": x], outputs: ["h", "y"])
        #expect(both["h"]!.toFloats() == expected["h"]!.toFloats())
        #expect(both["y"]!.toFloats() == expected["y"]!.toFloats())
        #expect(counter.fills == 2 && !session.sourceGraph.initializers["w"]!.storage.isMaterialized)
    }

    @Test func weightsReadInPlaceStayResident() throws {
        // A bias added by a plain Add is read by every run: it is made once and kept.
        let counter = Counter()
        let bias = recomputable(Tensor(shape: [4], floats: [1, 2, 3, 4]), counter: counter)
        let nodes = [Node(name: "add", opType: "Add", inputs: ["x", "b"], outputs: ["y"])]
        let session = try Session(graph: graph(nodes: nodes, initializers: ["b": bias], output: "y"),
                                  options: SessionOptions(threadCount: 1, optimize: false))
        let x = Tensor(shape: [1, 4], floats: [10, 20, 30, 40])
        #expect(try session.run(x).toFloats() == [11, 22, 33, 44])
        #expect(try session.run(x).toFloats() == [11, 22, 33, 44])
        #expect(counter.fills == 1 && session.sourceGraph.initializers["b"]!.storage.isMaterialized)
    }

    @Test func batchNormFoldedConvWeightsAreReleasedWithTheirOriginals() throws {
        var generator = SeededGenerator(seed: 11)
        let weight = generator.tensor([8, 3, 3, 3]), x = generator.tensor([1, 3, 6, 6])
        let counter = Counter()
        let lazyWeight = recomputable(weight, counter: counter)
        let nodes = [
            Node(name: "conv", opType: "Conv", inputs: ["x", "w"], outputs: ["c"], attributes: ["pads": .ints([1, 1, 1, 1])]),
            Node(name: "bn", opType: "BatchNormalization", inputs: ["c", "g", "beta", "m", "v"], outputs: ["y"]),
        ]
        func params(_ w: Tensor) -> [String: Tensor] {
            ["w": w, "g": Tensor(shape: [8], floats: (0..<8).map { 1 + Float($0) * 0.1 }),
             "beta": Tensor(shape: [8], floats: (0..<8).map { Float($0) * 0.01 }),
             "m": Tensor(shape: [8], floats: (0..<8).map { Float($0) * -0.02 }),
             "v": Tensor(shape: [8], floats: (0..<8).map { 0.5 + Float($0) * 0.05 })]
        }
        let session = try Session(graph: graph(nodes: nodes, initializers: params(lazyWeight), output: "y"),
                                  options: SessionOptions(threadCount: 1))
        let unoptimized = try Session(graph: graph(nodes: nodes, initializers: params(weight), output: "y"),
                                      options: SessionOptions(threadCount: 1, optimize: false))
        let result = try session.run(x).toFloats(), expected = try unoptimized.run(x).toFloats()
        #expect(zip(result, expected).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) })
        let resident = session.optimizedGraph.initializers.values.filter { $0.storage.isReleasable && $0.storage.isMaterialized }
        #expect(resident.isEmpty)
        #expect(!session.sourceGraph.initializers["w"]!.storage.isMaterialized)
    }
}
