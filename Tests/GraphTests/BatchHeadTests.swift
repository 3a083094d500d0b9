import Foundation
@testable import Graph
import Tensor
import Testing
import TestSupport

/// A batch lane's head (the ops after one small value, run once per lane): where a graph can
/// be cut, and lanes with a head giving the whole batch's rows.
@Suite struct BatchHeadTests {
    /// x -> Conv(3->64, 3x3, pad 1) "h" -> Relu "r" -> squeeze-excitation (GlobalAveragePool "s",
    /// Mul(r, s) "m") -> GlobalAveragePool "p" -> Flatten "f" -> Gemm(64 -> 4096) "y": the conv's
    /// 74 KB per image are past the head's input limit, and the Gemm's 262K multiply-adds per
    /// image make a head. `extra`, when set, is a second input added to the output.
    private func classifier(extraInput: Bool = false) -> Graph {
        var generator = SeededGenerator(seed: 21)
        var nodes = [
            Node(name: "conv", opType: "Conv", inputs: ["x", "w", "b"], outputs: ["h"],
                 attributes: ["pads": .ints([1, 1, 1, 1]), "kernel_shape": .ints([3, 3])]),
            Node(name: "relu", opType: "Relu", inputs: ["h"], outputs: ["r"]),
            Node(name: "squeeze", opType: "GlobalAveragePool", inputs: ["r"], outputs: ["s"]),
            Node(name: "excite", opType: "Mul", inputs: ["r", "s"], outputs: ["m"]),
            Node(name: "pool", opType: "GlobalAveragePool", inputs: ["m"], outputs: ["p"]),
            Node(name: "flat", opType: "Flatten", inputs: ["p"], outputs: ["f"]),
            Node(name: "fc", opType: "Gemm", inputs: ["f", "fw", "fb"], outputs: [extraInput ? "g" : "y"],
                 attributes: ["transB": .int(1)]),
        ]
        var inputs = [ValueInfo(name: "x", dataType: .float32, shape: [.symbolic("N"), .fixed(3), .fixed(17), .fixed(17)])]
        if extraInput {
            nodes.append(Node(name: "add", opType: "Add", inputs: ["g", "e"], outputs: ["y"]))
            inputs.append(ValueInfo(name: "e", dataType: .float32, shape: [.symbolic("N"), .fixed(4096)]))
        }
        let initializers = ["w": generator.tensor([64, 3, 3, 3]), "b": generator.tensor([64]),
                            "fw": generator.tensor([4096, 64]), "fb": generator.tensor([4096])]
        return Graph(name: "classifier", nodes: nodes, initializers: initializers, inputs: inputs,
                     outputs: [ValueInfo(name: "y", dataType: .float32, shape: [.symbolic("N"), .fixed(4096)])])
    }

    @Test func cutsAreTheValuesThatAloneCarryTheRestOfTheGraph() {
        // Not "s": the excitation also reads "r". Not "y": it is the output.
        #expect(BatchHead.cutCandidates(classifier(), outputs: ["y"]) == ["h", "r", "m", "p", "f"])
        // An output earlier in the graph stays live to the end: nothing after it is a cut.
        #expect(BatchHead.cutCandidates(classifier(), outputs: ["h", "y"]).isEmpty)
        // The head reads a graph input too: no value alone carries it.
        #expect(BatchHead.cutCandidates(classifier(extraInput: true), outputs: ["y"]).isEmpty)
    }

    /// Lanes that step through their rows and run the head once over them give the whole
    /// batch's rows, on one thread (one lane) and two, one and two items per step.
    @Test(arguments: [(1, 1), (2, 1), (2, 2)])
    func lanesWithAHeadMatchTheWholeBatch(threads: Int, step: Int) throws {
        let graph = classifier()
        let headed = try Session(graph: graph, options: SessionOptions(threadCount: threads, splitsBatch: true, laneStep: step))
        let plain = try Session(graph: graph, options: SessionOptions(threadCount: threads, splitsBatch: true, laneStep: step,
                                                                      batchesHead: false))
        let whole = try Session(graph: graph, options: SessionOptions(threadCount: threads, splitsBatch: false))
        var generator = SeededGenerator(seed: UInt64(30 + 10 * threads + step))
        let x = generator.tensor([7, 3, 17, 17])
        let rows = try headed.run(x), reference = try whole.run(x), unheaded = try plain.run(x)
        #expect(headed.lastLaneHead == "p" && headed.lastLaneStep == step && headed.lastLaneCount == threads)
        #expect(plain.lastLaneHead == nil)
        #expect(rows.shape == [7, 4096])
        #expect(Comparison.maxAbsDifference(rows.toFloats(), reference.toFloats()) < 1e-4)
        #expect(Comparison.maxAbsDifference(unheaded.toFloats(), reference.toFloats()) < 1e-4)
        // Plans are reused: a second batch gives its own rows.
        let second = generator.tensor([7, 3, 17, 17])
        #expect(Comparison.maxAbsDifference(try headed.run(second).toFloats(), try whole.run(second).toFloats()) < 1e-4)
    }

    /// Asking for an intermediate value as well leaves no cut: the lane runs without a head.
    @Test func anIntermediateOutputRunsWithoutAHead() throws {
        let graph = classifier()
        let headed = try Session(graph: graph, options: SessionOptions(threadCount: 2, splitsBatch: true, laneStep: 1))
        let whole = try Session(graph: graph, options: SessionOptions(threadCount: 2, splitsBatch: false))
        var generator = SeededGenerator(seed: 40)
        let x = generator.tensor([4, 3, 17, 17])
        let rows = try headed.run(["x": x], outputs: ["h", "y"]), reference = try whole.run(["x": x], outputs: ["h", "y"])
        #expect(headed.lastLaneHead == nil && headed.lastLaneCount == 2)
        for name in ["h", "y"] {
            #expect(Comparison.maxAbsDifference(rows[name]!.toFloats(), reference[name]!.toFloats()) < 1e-4)
        }
    }
}
