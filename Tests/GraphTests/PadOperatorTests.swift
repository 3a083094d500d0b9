import Graph
import Kernels
import Tensor
import Testing
import TestSupport

@Suite("Pad operator")
struct PadOperatorTests {
    func pad(_ x: Tensor, _ pads: [Int64], mode: String, value: Float? = nil, axes: [Int64]? = nil) throws -> Tensor {
        let inputs: [Tensor?] = [x, Tensor(shape: [pads.count], int64s: pads), value.map { Tensor(scalar: $0) },
                                 axes.map { Tensor(shape: [$0.count], int64s: $0) }]
        return try OpTest.run(OpTest.node("Pad", inputs: inputs, attributes: ["mode": .string(mode)]), inputs, opset: 18)[0]
    }

    @Test func constantReflectEdgeWrap() throws {
        // numpy.pad([[1,2,3],[4,5,6]], ((1,0),(2,1)), mode=...)
        let x = Tensor(shape: [2, 3], floats: [1, 2, 3, 4, 5, 6])
        let pads: [Int64] = [1, 2, 0, 1]
        #expect(try pad(x, pads, mode: "constant", value: 9).toFloats() ==
                [9, 9, 9, 9, 9, 9,  9, 9, 1, 2, 3, 9,  9, 9, 4, 5, 6, 9])
        #expect(try pad(x, pads, mode: "reflect").toFloats() ==
                [6, 5, 4, 5, 6, 5,  3, 2, 1, 2, 3, 2,  6, 5, 4, 5, 6, 5])
        #expect(try pad(x, pads, mode: "edge").toFloats() ==
                [1, 1, 1, 2, 3, 3,  1, 1, 1, 2, 3, 3,  4, 4, 4, 5, 6, 6])
        #expect(try pad(x, pads, mode: "wrap").toFloats() ==
                [5, 6, 4, 5, 6, 4,  2, 3, 1, 2, 3, 1,  5, 6, 4, 5, 6, 4])
        #expect(try pad(x, pads, mode: "wrap").shape == [3, 6])
    }

    @Test func negativePadsCropAndAxes() throws {
        let x = Tensor(shape: [2, 4], floats: [1, 2, 3, 4, 5, 6, 7, 8])
        let cropped = try pad(x, [0, -1, -1, 1], mode: "constant")
        #expect(cropped.shape == [1, 4])
        #expect(cropped.toFloats() == [2, 3, 4, 0])
        let onAxis = try pad(x, [1, 2], mode: "edge", axes: [-1])
        #expect(onAxis.shape == [2, 7])
        #expect(onAxis.toFloats() == [1, 1, 2, 3, 4, 4, 4, 5, 5, 6, 7, 8, 8, 8])
    }

    @Test func fourDimensionalReflectMatchesLoops() throws {
        var generator = SeededGenerator(seed: 9)
        let x = generator.tensor([2, 3, 4, 5])
        let begin = [0, 1, 2, 3], end = [1, 0, 3, 2]
        let y = try pad(x, (begin + end).map(Int64.init), mode: "reflect")
        let shape = (0..<4).map { x.shape[$0] + begin[$0] + end[$0] }
        #expect(y.shape == shape)
        func reflect(_ i: Int, _ n: Int) -> Int { var i = i; while i < 0 || i >= n { i = i < 0 ? -i : 2 * (n - 1) - i }; return i }
        let xv = x.toFloats(), yv = y.toFloats()
        var mismatches = 0, index = 0
        for a in 0..<shape[0] { for b in 0..<shape[1] { for c in 0..<shape[2] { for d in 0..<shape[3] {
            let s = [reflect(a - begin[0], 2), reflect(b - begin[1], 3), reflect(c - begin[2], 4), reflect(d - begin[3], 5)]
            if yv[index] != xv[((s[0] * 3 + s[1]) * 4 + s[2]) * 5 + s[3]] { mismatches += 1 }
            index += 1
        } } } }
        #expect(mismatches == 0)
    }

    @Test func attributePadsAndIntegers() throws {
        let x = Tensor(shape: [3], int64s: [1, 2, 3])
        let node = OpTest.node("Pad", inputs: [x], attributes: ["pads": .ints([1, 2]), "mode": .string("edge")])
        #expect(try OpTest.run(node, [x], opset: 2)[0].toInt64s() == [1, 1, 2, 3, 3, 3])
        let bad = OpTest.node("Pad", inputs: [x], attributes: ["pads": .ints([1, 2, 3])])
        #expect(throws: GraphError.self) { try OpTest.run(bad, [x], opset: 2) }
    }
}
