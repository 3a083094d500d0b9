import Foundation
import Graph
import Tensor
import Testing
import TestSupport

@Suite struct SessionTests {
    let registry = TestOperators.registry

    @Test func runsAChainAndReturnsIntermediateValues() throws {
        let graph = Graph.test(nodes: [
            Node(name: "a", opType: "Scale", inputs: ["x"], outputs: ["h"], attributes: ["factor": .float(2)]),
            Node(name: "b", opType: "Scale", inputs: ["h"], outputs: ["y"], attributes: ["factor": .float(3)]),
        ], output: "y")
        let session = try Session(graph: graph, options: SessionOptions(threadCount: 1), registry: registry)
        let x = Tensor(shape: [2, 4], floats: (0..<8).map(Float.init))
        #expect(try session.run(x).toFloats() == (0..<8).map { Float($0) * 6 })
        let both = try session.run(["x": x], outputs: ["h", "y"])
        #expect(both["h"]!.toFloats() == (0..<8).map { Float($0) * 2 })
        #expect(both["y"]!.toFloats() == (0..<8).map { Float($0) * 6 })
    }

    @Test func batchSizesGetTheirOwnPlansAndAgree() throws {
        let graph = Graph.test(nodes: [
            Node(name: "a", opType: "Scale", inputs: ["x"], outputs: ["y"], attributes: ["factor": .float(-1)]),
        ], output: "y")
        let session = try Session(graph: graph, options: SessionOptions(threadCount: 1), registry: registry)
        var generator = SeededGenerator(seed: 1)
        let batch = generator.tensor([4, 4])
        let all = try session.run(batch).toFloats()
        for row in 0..<4 {
            let single = try session.run(batch.slice(rows: row..<row + 1).copy()).toFloats()
            #expect(single == Array(all[row * 4..<row * 4 + 4]))
        }
    }

    @Test func buffersWithDisjointLifetimesShareMemory() throws {
        var nodes: [Node] = []
        var previous = "x"
        for i in 0..<20 {
            nodes.append(Node(name: "s\(i)", opType: "Scale", inputs: [previous], outputs: ["v\(i)"], attributes: ["factor": .float(1.5)]))
            previous = "v\(i)"
        }
        let graph = Graph.test(nodes: nodes, output: previous, inputShape: [.symbolic("batch"), .fixed(1000)])
        let session = try Session(graph: graph, options: SessionOptions(threadCount: 1), registry: registry)
        let stats = try session.statistics(inputShapes: ["x": [1, 1000]])
        // input + two ping-pong buffers, never 21 buffers.
        #expect(stats.arenaBytes <= 3 * 4032)
        let result = try session.run(Tensor(shape: [1, 1000], floats: [Float](repeating: 1, count: 1000))).toFloats()
        #expect(abs(result[0] - Float(pow(1.5, 20.0))) < 1e-2)
    }

    @Test func aliasesShareStorageAndKeepTheirSourceAlive() throws {
        // y = flat(x*2) + flat(x*2)*3: the flat view must keep h alive until the Sum.
        let graph = Graph.test(nodes: [
            Node(name: "a", opType: "Scale", inputs: ["x"], outputs: ["h"], attributes: ["factor": .float(2)]),
            Node(name: "f", opType: "Flat", inputs: ["h"], outputs: ["hf"]),
            Node(name: "b", opType: "Scale", inputs: ["hf"], outputs: ["g"], attributes: ["factor": .float(3)]),
            Node(name: "c", opType: "Sum", inputs: ["hf", "g"], outputs: ["y"]),
        ], output: "y")
        let session = try Session(graph: graph, options: SessionOptions(threadCount: 1), registry: registry)
        let y = try session.run(Tensor(shape: [1, 4], floats: [1, 2, 3, 4]))
        #expect(y.shape == [4])
        #expect(y.toFloats() == [8, 16, 24, 32])
    }

    @Test func shapeQueriesFoldIntoConstants() throws {
        // z = ReshapeTo(x*1, Shape(x)) works only if Shape(x) is folded while planning.
        let graph = Graph.test(nodes: [
            Node(name: "s", opType: "Shape", inputs: ["x"], outputs: ["shape"]),
            Node(name: "a", opType: "Scale", inputs: ["x"], outputs: ["h"], attributes: ["factor": .float(1)]),
            Node(name: "f", opType: "Flat", inputs: ["h"], outputs: ["hf"]),
            Node(name: "r", opType: "ReshapeTo", inputs: ["hf", "shape"], outputs: ["y"]),
        ], output: "y")
        let shapeRegistry = TestOperators.registry
        shapeRegistry.register("Shape") { _ in TestOperators.FlatOp() } // never executed: folded by the planner
        let session = try Session(graph: graph, options: SessionOptions(threadCount: 1), registry: shapeRegistry)
        let y = try session.run(Tensor(shape: [3, 4], floats: (0..<12).map(Float.init)))
        #expect(y.shape == [3, 4])
    }

    @Test func unsupportedOperatorsAreAllListed() {
        let graph = Graph.test(nodes: [
            Node(name: "n1", opType: "Frobnicate", inputs: ["x"], outputs: ["a"]),
            Node(name: "n2", opType: "Scale", inputs: ["a"], outputs: ["b"]),
            Node(name: "n3", opType: "Twiddle", inputs: ["b"], outputs: ["y"]),
        ], output: "y")
        do {
            _ = try Session(graph: graph, registry: registry)
            Issue.record("expected an error")
        } catch let error as GraphError {
            guard case let .unsupportedOperators(ops) = error else { Issue.record("wrong error \(error)"); return }
            #expect(ops.count == 2)
            #expect(ops[0].contains("Frobnicate") && ops[0].contains("n1"))
            #expect(ops[1].contains("Twiddle") && ops[1].contains("n3"))
        } catch { Issue.record("wrong error \(error)") }
    }

    @Test func wrongInputsAreRejected() throws {
        let graph = Graph.test(nodes: [Node(name: "a", opType: "Scale", inputs: ["x"], outputs: ["y"])], output: "y")
        let session = try Session(graph: graph, registry: registry)
        #expect(throws: GraphError.self) { try session.run(Tensor(shape: [2, 5], floats: [Float](repeating: 0, count: 10))) }
        #expect(throws: GraphError.self) { try session.run(["x": Tensor(shape: [1, 4], int64s: [1, 2, 3, 4])]) }
        #expect(throws: GraphError.self) { try session.run(["x": Tensor(shape: [1, 4], floats: [1, 2, 3, 4])], outputs: ["nope"]) }
    }
}
