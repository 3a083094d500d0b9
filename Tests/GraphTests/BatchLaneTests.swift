import Foundation
@testable import Graph
import Tensor
import Testing
import TestSupport

/// A batch split into per-thread lanes must give the rows the whole batch gives.
@Suite struct BatchLaneTests {
    /// Conv(3->8, 3x3, pad 1) + Relu -> GlobalAveragePool -> Flatten, batch-symbolic in and out,
    /// optionally with a Reshape that bakes in batch size `bakedBatch`.
    private func convGraph(bakedBatch: Int? = nil) -> Graph {
        var generator = SeededGenerator(seed: 7)
        var nodes = [
            Node(name: "conv", opType: "Conv", inputs: ["x", "w", "b"], outputs: ["h"],
                 attributes: ["pads": .ints([1, 1, 1, 1]), "kernel_shape": .ints([3, 3])]),
            Node(name: "relu", opType: "Relu", inputs: ["h"], outputs: ["r"]),
            Node(name: "pool", opType: "GlobalAveragePool", inputs: ["r"], outputs: ["p"]),
        ]
        var initializers = ["w": generator.tensor([8, 3, 3, 3]), "b": generator.tensor([8])]
        if let bakedBatch {
            initializers["shape"] = Tensor(shape: [2], int64s: [Int64(bakedBatch), -1])
            nodes.append(Node(name: "flat", opType: "Reshape", inputs: ["p", "shape"], outputs: ["y"]))
        } else {
            nodes.append(Node(name: "flat", opType: "Flatten", inputs: ["p"], outputs: ["y"]))
        }
        return Graph(name: "lanes", nodes: nodes, initializers: initializers,
                     inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.symbolic("N"), .fixed(3), .fixed(9), .fixed(9)])],
                     outputs: [ValueInfo(name: "y", dataType: .float32, shape: [.symbolic("N"), .fixed(8)])])
    }

    private func sessions(_ graph: Graph) throws -> (split: Session, whole: Session) {
        (try Session(graph: graph, options: SessionOptions(threadCount: 2, splitsBatch: true)),
         try Session(graph: graph, options: SessionOptions(threadCount: 2, splitsBatch: false)))
    }

    @Test(arguments: [2, 3, 5])
    func lanesMatchTheWholeBatch(batch: Int) throws {
        let (split, whole) = try sessions(convGraph())
        var generator = SeededGenerator(seed: UInt64(batch))
        let x = generator.tensor([batch, 3, 9, 9])
        let lanes = try split.run(x), reference = try whole.run(x)
        #expect(split.lastLaneCount == 2 && whole.lastLaneCount == 1)
        #expect(lanes.shape == [batch, 8])
        #expect(Comparison.maxAbsDifference(lanes.toFloats(), reference.toFloats()) < 1e-5)
        // A second run reuses the lane plans and gives the same answer.
        #expect(try split.run(x).toFloats() == lanes.toFloats())
    }

    @Test func intermediateOutputsComeBackInRowOrder() throws {
        let (split, whole) = try sessions(convGraph())
        var generator = SeededGenerator(seed: 11)
        let x = generator.tensor([4, 3, 9, 9])
        let lanes = try split.run(["x": x], outputs: ["h", "y"]), reference = try whole.run(["x": x], outputs: ["h", "y"])
        #expect(split.lastLaneCount == 2)
        #expect(lanes["h"]!.shape == [4, 8, 9, 9])
        #expect(Comparison.maxAbsDifference(lanes["h"]!.toFloats(), reference["h"]!.toFloats()) < 1e-5)
    }

    @Test func aGraphThatBakesInTheBatchRunsWhole() throws {
        let (split, whole) = try sessions(convGraph(bakedBatch: 4))
        var generator = SeededGenerator(seed: 3)
        let x = generator.tensor([4, 3, 9, 9])
        let lanes = try split.run(x), reference = try whole.run(x)
        #expect(split.lastLaneCount == 1)
        #expect(lanes.shape == [4, 8])
        #expect(Comparison.maxAbsDifference(lanes.toFloats(), reference.toFloats()) < 1e-5)
    }

    /// Lanes that step through their rows (one, two or three at a time; on one thread the whole
    /// batch is one lane) give the whole batch's rows, in order.
    @Test(arguments: [(2, 1), (2, 2), (1, 1), (1, 3)])
    func steppedLanesMatchTheWholeBatch(threads: Int, step: Int) throws {
        let graph = convGraph()
        let stepped = try Session(graph: graph, options: SessionOptions(threadCount: threads, splitsBatch: true, laneStep: step))
        let whole = try Session(graph: graph, options: SessionOptions(threadCount: threads, splitsBatch: false))
        var generator = SeededGenerator(seed: UInt64(10 * threads + step))
        let x = generator.tensor([7, 3, 9, 9])
        let rows = try stepped.run(["x": x], outputs: ["h", "y"]), reference = try whole.run(["x": x], outputs: ["h", "y"])
        #expect(stepped.lastLaneCount == threads && stepped.lastLaneStep == step)
        #expect(whole.lastLaneStep == 0)
        for name in ["h", "y"] {
            #expect(rows[name]!.shape == reference[name]!.shape)
            #expect(Comparison.maxAbsDifference(rows[name]!.toFloats(), reference[name]!.toFloats()) < 1e-5)
        }
    }

    /// By default a lane takes as many items per step as keep its activations within the
    /// working-set budget: one for a graph with 4 MB per item, many for a small one.
    @Test func theDefaultStepKeepsALanesActivationsWithinTheBudget() throws {
        let large = Graph(name: "relu", nodes: [Node(name: "relu", opType: "Relu", inputs: ["x"], outputs: ["y"])],
                          initializers: [:],
                          inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.symbolic("N"), .fixed(1024), .fixed(1024)])],
                          outputs: [ValueInfo(name: "y", dataType: .float32, shape: [.symbolic("N"), .fixed(1024), .fixed(1024)])])
        let session = try Session(graph: large, options: SessionOptions(threadCount: 1, splitsBatch: true))
        var generator = SeededGenerator(seed: 5)
        let x = generator.tensor([3, 1024, 1024])
        let y = try session.run(x)
        #expect(session.lastLaneStep == 1)
        // One Bool: on a failure, Swift Testing would otherwise diff the two 3M-element arrays.
        let rectified = y.toFloats() == x.toFloats().map { max($0, 0) }
        #expect(rectified)

        let small = try Session(graph: convGraph(), options: SessionOptions(threadCount: 2, splitsBatch: true))
        _ = try small.run(generator.tensor([8, 3, 9, 9]))
        #expect(small.lastLaneStep >= 4)   // each lane's 4 rows in one step
    }

    @Test func onlyGraphsWithOneSymbolicBatchDimensionSplit() {
        #expect(Session.batchSymbol(of: convGraph()) == "N")
        var fixed = convGraph()
        fixed.inputs[0] = ValueInfo(name: "x", dataType: .float32, shape: [.fixed(4), .fixed(3), .fixed(9), .fixed(9)])
        #expect(Session.batchSymbol(of: fixed) == nil)
    }
}
