import Graph
import Kernels
import Tensor
import Testing
import TestSupport

@Suite("Gemm operator")
struct GemmOperatorTests {
    func check(m: Int, n: Int, k: Int, transA: Bool, transB: Bool, alpha: Float = 1, beta: Float = 1,
               cShape: [Int]?, activation: Activation? = nil) throws {
        var generator = SeededGenerator(seed: UInt64(m * 100 + n * 10 + k))
        let a = generator.tensor(transA ? [k, m] : [m, k]), b = generator.tensor(transB ? [n, k] : [k, n])
        let c = cShape.map { generator.tensor($0) }
        var attributes: [String: Attribute] = ["transA": .int(transA ? 1 : 0), "transB": .int(transB ? 1 : 0),
                                               "alpha": .float(alpha), "beta": .float(beta)]
        if let activation { attributes.merge(activation.fusedAttributes) { $1 } }
        let node = OpTest.node("Gemm", inputs: [a, b, c], attributes: attributes)
        let av = a.toFloats(), bv = b.toFloats(), cv = c?.toFloats()
        var expected = [Float]()
        for i in 0..<m { for j in 0..<n {
            var sum: Float = 0
            for p in 0..<k { sum += (transA ? av[p * m + i] : av[i * k + p]) * (transB ? bv[j * k + p] : bv[p * n + j]) }
            var value = alpha * sum
            if let cShape, let cv {
                let padded = Array(repeating: 1, count: 2 - cShape.count) + cShape
                value += beta * cv[(padded[0] == 1 ? 0 : i) * padded[1] + (padded[1] == 1 ? 0 : j)]
            }
            expected.append(activation.map { $0(value) } ?? value)
        } }
        for threads in [1, 2] {
            let y = try OpTest.run(node, [a, b, c], threads: threads)[0]
            #expect(y.shape == [m, n])
            #expect(OpTest.relativeError(y.toFloats(), expected) < 1e-5, "\(m)x\(n)x\(k) tA \(transA) tB \(transB) C \(cShape ?? [])")
        }
    }

    @Test func transposesAndBroadcasts() throws {
        for (transA, transB) in [(false, false), (true, false), (false, true), (true, true)] {
            for cShape in [nil, [], [1], [9], [1, 9], [6, 1], [6, 9]] as [[Int]?] {
                try check(m: 6, n: 9, k: 5, transA: transA, transB: transB, alpha: 0.5, beta: 2, cShape: cShape)
            }
        }
        try check(m: 8, n: 300, k: 40, transA: false, transB: true, cShape: [300], activation: .relu)
        try check(m: 70, n: 8, k: 33, transA: false, transB: false, cShape: [70, 1], activation: .hardSwish)
    }

    @Test func badShapesThrow() {
        let a = Tensor(zeros: [3, 4]), b = Tensor(zeros: [5, 6]), c = Tensor(zeros: [2, 6])
        #expect(throws: GraphError.self) { try OpTest.run(OpTest.node("Gemm", inputs: [a, b]), [a, b]) }
        let b2 = Tensor(zeros: [4, 6])
        #expect(throws: GraphError.self) { try OpTest.run(OpTest.node("Gemm", inputs: [a, b2, c]), [a, b2, c]) }
    }
}
