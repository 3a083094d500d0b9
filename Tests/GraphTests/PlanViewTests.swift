@testable import Graph
import Tensor
import Testing
import TestSupport

/// Outputs that are pieces of their input (Split along a leading axis) are planned as views
/// into the input's buffer, never copied; Split elsewhere still copies.
@Suite struct PlanViewTests {
    /// x [2, 3, 4] -> Transpose [1, 0, 2] -> Split(axis 0) -> Squeeze -> q, k, v; y = (q + k) * v.
    private let attentionLikeGraph = Graph(name: "views", nodes: [
        Node(name: "t", opType: "Transpose", inputs: ["x"], outputs: ["t"], attributes: ["perm": .ints([1, 0, 2])]),
        Node(name: "split", opType: "Split", inputs: ["t"], outputs: ["q0", "k0", "v0"], attributes: ["axis": .int(0)]),
        Node(name: "sq_q", opType: "Squeeze", inputs: ["q0", "axes"], outputs: ["q"]),
        Node(name: "sq_k", opType: "Squeeze", inputs: ["k0", "axes"], outputs: ["k"]),
        Node(name: "sq_v", opType: "Squeeze", inputs: ["v0", "axes"], outputs: ["v"]),
        Node(name: "add", opType: "Add", inputs: ["q", "k"], outputs: ["s"]),
        Node(name: "mul", opType: "Mul", inputs: ["s", "v"], outputs: ["y"]),
    ], initializers: ["axes": Tensor(shape: [1], int64s: [0])],
    inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.fixed(2), .fixed(3), .fixed(4)])],
    outputs: [ValueInfo(name: "y", dataType: .float32, shape: nil)])

    @Test func leadingAxisSplitIsAViewAndComputesTheSame() throws {
        var generator = SeededGenerator(seed: 3)
        let x = generator.tensor([2, 3, 4])
        let session = try Session(graph: attentionLikeGraph)
        let y = try session.run(["x": x])["y"]!
        let t = ShapeOperatorTests.transposed(x.toFloats(), [2, 3, 4], [1, 0, 2])   // q, k, v: 8 floats each
        #expect(y.shape == [2, 4])
        let reference: [Float] = (0..<8).map { i -> Float in (t[i] + t[8 + i]) * t[16 + i] }
        #expect(y.toFloats() == reference)
        // Transpose, Add and Mul run; Split and the Squeezes are views.
        #expect(try session.statistics(inputShapes: ["x": [2, 3, 4]]).steps == 3)
        // A piece requested as an output reads from the right place in the shared buffer.
        let pieces = try session.run(["x": x], outputs: ["k", "v"])
        #expect(pieces["k"]!.toFloats() == Array(t[8..<16]) && pieces["v"]!.toFloats() == Array(t[16..<24]))
    }

    @Test func splitAfterALeadingAxisStillCopies() throws {
        var generator = SeededGenerator(seed: 4)
        let x = generator.tensor([2, 3, 4])
        // Transpose gives [3, 2, 4]; Split along axis 1 gives two [3, 1, 4] pieces, not contiguous.
        let graph = Graph(name: "copies", nodes: [
            Node(name: "t", opType: "Transpose", inputs: ["x"], outputs: ["t"], attributes: ["perm": .ints([1, 0, 2])]),
            Node(name: "split", opType: "Split", inputs: ["t", "sizes"], outputs: ["a", "b"], attributes: ["axis": .int(1)]),
            Node(name: "add", opType: "Add", inputs: ["a", "b"], outputs: ["y"]),
        ], initializers: ["sizes": Tensor(shape: [2], int64s: [1, 1])],
        inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.fixed(2), .fixed(3), .fixed(4)])],
        outputs: [ValueInfo(name: "y", dataType: .float32, shape: nil)])
        let session = try Session(graph: graph)
        let y = try session.run(["x": x])["y"]!
        let t = ShapeOperatorTests.transposed(x.toFloats(), [2, 3, 4], [1, 0, 2])   // [3, 2, 4]
        var reference: [Float] = []
        for j in 0..<3 { for c in 0..<4 { reference.append(t[j * 8 + c] + t[j * 8 + 4 + c]) } }
        #expect(y.shape == [3, 1, 4] && y.toFloats() == reference)
        #expect(try session.statistics(inputShapes: ["x": [2, 3, 4]]).steps == 3)
    }
}
