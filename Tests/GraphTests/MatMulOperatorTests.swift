import Graph
import Kernels
import Tensor
import Testing
import TestSupport

@Suite("MatMul operator")
struct MatMulOperatorTests {
    /// numpy.matmul by nested loops, with broadcasting of batch dimensions.
    func reference(_ a: Tensor, _ b: Tensor) -> (shape: [Int], values: [Float]) {
        let aShape = a.shape.count == 1 ? [1, a.shape[0]] : a.shape
        let bShape = b.shape.count == 1 ? [b.shape[0], 1] : b.shape
        let m = aShape[aShape.count - 2], k = aShape.last!, n = bShape.last!
        let aBatch = Array(aShape.dropLast(2)), bBatch = Array(bShape.dropLast(2))
        let rank = max(aBatch.count, bBatch.count)
        let ab = Array(repeating: 1, count: rank - aBatch.count) + aBatch
        let bb = Array(repeating: 1, count: rank - bBatch.count) + bBatch
        let batch = zip(ab, bb).map { max($0, $1) }
        let av = a.toFloats(), bv = b.toFloats()
        var out = [Float]()
        for index in 0..<batch.reduce(1, *) {
            var rem = index, aIndex = 0, bIndex = 0, aMul = 1, bMul = 1
            for axis in (0..<rank).reversed() {
                let coord = rem % batch[axis]; rem /= batch[axis]
                aIndex += (ab[axis] == 1 ? 0 : coord) * aMul; bIndex += (bb[axis] == 1 ? 0 : coord) * bMul
                aMul *= ab[axis]; bMul *= bb[axis]
            }
            for i in 0..<m { for j in 0..<n {
                var sum: Float = 0
                for p in 0..<k { sum += av[aIndex * m * k + i * k + p] * bv[bIndex * k * n + p * n + j] }
                out.append(sum)
            } }
        }
        var shape = batch
        if a.shape.count > 1 { shape.append(m) }
        if b.shape.count > 1 { shape.append(n) }
        return (shape, out)
    }

    func check(_ aShape: [Int], _ bShape: [Int], activation: Activation? = nil) throws {
        var generator = SeededGenerator(seed: UInt64(aShape.reduce(7, *) + bShape.reduce(3, *)))
        let a = generator.tensor(aShape), b = generator.tensor(bShape)
        let node = Node(name: "mm", opType: "MatMul", inputs: ["a", "b"], outputs: ["y"],
                        attributes: activation?.fusedAttributes ?? [:])
        var (shape, expected) = reference(a, b)
        if let activation { expected = expected.map { activation($0) } }
        for threads in [1, 2] {
            let y = try OpTest.run(node, [a, b], threads: threads)[0]
            #expect(y.shape == shape, "\(aShape) x \(bShape)")
            #expect(OpTest.relativeError(y.toFloats(), expected) < 1e-5, "\(aShape) x \(bShape)")
        }
    }

    @Test func plainAndWeightShared() throws {
        try check([5, 7], [7, 3])
        try check([2, 3, 5, 7], [7, 4], activation: .relu)
        try check([64, 24], [24, 80], activation: .silu)
    }

    @Test func oneDimensionalOperands() throws {
        try check([7], [7, 3])
        try check([4, 7], [7])
        try check([6], [6])
        try check([2, 3, 7], [7])
        try check([7], [2, 7, 3])
    }

    @Test func batchBroadcast() throws {
        try check([2, 3, 4, 5], [2, 3, 5, 4])          // attention-style
        try check([2, 1, 4, 5], [1, 3, 5, 6])
        try check([3, 4, 5], [2, 1, 5, 2])
        try check([1, 4, 5], [3, 5, 2])
    }

    @Test func mismatchThrows() {
        let a = Tensor(zeros: [2, 3]), b = Tensor(zeros: [4, 5])
        #expect(throws: GraphError.self) { try OpTest.run(Node(name: "m", opType: "MatMul", inputs: ["a", "b"], outputs: ["y"]), [a, b]) }
        let c = Tensor(zeros: [2, 2, 3]), d = Tensor(zeros: [3, 3, 4])
        #expect(throws: GraphError.self) { try OpTest.run(Node(name: "m", opType: "MatMul", inputs: ["a", "b"], outputs: ["y"]), [c, d]) }
    }
}
