import Graph
import Kernels
import Tensor
import Testing
import TestSupport

@Suite("Pooling operators")
struct PoolOperatorTests {
    /// Reference 2-D pooling with explicit pads; ceil mode handled by the caller's output size.
    func reference(_ x: [Float], n: Int, c: Int, h: Int, w: Int, k: (Int, Int), s: (Int, Int), d: (Int, Int) = (1, 1),
                   pads: [Int], out: (Int, Int), max isMax: Bool, includePad: Bool) -> [Float] {
        var result = [Float]()
        for plane in 0..<(n * c) { for oy in 0..<out.0 { for ox in 0..<out.1 {
            var best = -Float.infinity, sum: Float = 0, count = 0
            for ky in 0..<k.0 { for kx in 0..<k.1 {
                let iy = oy * s.0 - pads[0] + ky * d.0, ix = ox * s.1 - pads[1] + kx * d.1
                let inside = iy >= 0 && iy < h && ix >= 0 && ix < w
                let inPadded = iy >= -pads[0] && iy < h + pads[2] && ix >= -pads[1] && ix < w + pads[3]
                if inside { best = max(best, x[(plane * h + iy) * w + ix]); sum += x[(plane * h + iy) * w + ix] }
                if inside || (includePad && inPadded) { count += 1 }
            } }
            result.append(isMax ? best : sum / Float(count))
        } } }
        return result
    }

    func check(_ op: String, n: Int = 2, c: Int = 3, h: Int, w: Int, k: (Int, Int), s: (Int, Int), d: (Int, Int) = (1, 1),
               pads: [Int], ceil: Bool = false, includePad: Bool = false, expectedOut: (Int, Int)) throws {
        var generator = SeededGenerator(seed: UInt64(h * 31 + w))
        let x = generator.tensor([n, c, h, w])
        var attributes: [String: Attribute] = ["kernel_shape": .ints([k.0, k.1]), "strides": .ints([s.0, s.1]),
                                               "pads": .ints(pads), "ceil_mode": .int(ceil ? 1 : 0),
                                               "count_include_pad": .int(includePad ? 1 : 0)]
        if d != (1, 1) { attributes["dilations"] = .ints([d.0, d.1]) }
        let node = OpTest.node(op, inputs: [x], attributes: attributes)
        let expected = reference(x.toFloats(), n: n, c: c, h: h, w: w, k: k, s: s, d: d, pads: pads, out: expectedOut,
                                 max: op == "MaxPool", includePad: includePad)
        for threads in [1, 2] {
            let y = try OpTest.run(node, [x], threads: threads)[0]
            #expect(y.shape == [n, c, expectedOut.0, expectedOut.1])
            #expect(Comparison.maxAbsDifference(y.toFloats(), expected) < 1e-5, "\(op) \(h)x\(w) k\(k) s\(s) ceil \(ceil)")
        }
    }

    @Test func maxPool() throws {
        try check("MaxPool", h: 12, w: 12, k: (3, 3), s: (2, 2), pads: [1, 1, 1, 1], expectedOut: (6, 6))
        try check("MaxPool", h: 7, w: 9, k: (2, 3), s: (1, 2), pads: [0, 1, 1, 0], expectedOut: (7, 4))
        // ceil_mode: 8 -> (8 + 0 - 3)/2 = 2.5 -> 4 windows instead of 3.
        try check("MaxPool", h: 8, w: 8, k: (3, 3), s: (2, 2), pads: [0, 0, 0, 0], ceil: true, expectedOut: (4, 4))
        try check("MaxPool", h: 10, w: 11, k: (2, 2), s: (1, 1), d: (2, 3), pads: [0, 0, 0, 0], expectedOut: (8, 8))
    }

    /// The 3x3 stride-2 window's direct kernel: several 16-column blocks with a partial last one,
    /// one-sided and no padding, ceil_mode's overhang, and ResNet's stem pool.
    @Test func maxPoolThreeByThreeStrideTwo() throws {
        try check("MaxPool", n: 1, c: 2, h: 112, w: 112, k: (3, 3), s: (2, 2), pads: [1, 1, 1, 1], expectedOut: (56, 56))
        try check("MaxPool", h: 13, w: 67, k: (3, 3), s: (2, 2), pads: [1, 1, 1, 1], expectedOut: (7, 34))
        try check("MaxPool", h: 9, w: 40, k: (3, 3), s: (2, 2), pads: [0, 1, 0, 0], expectedOut: (4, 20))
        try check("MaxPool", h: 8, w: 70, k: (3, 3), s: (2, 2), pads: [0, 0, 0, 0], ceil: true, expectedOut: (4, 35))
        try check("MaxPool", h: 5, w: 3, k: (3, 3), s: (2, 2), pads: [1, 1, 1, 1], expectedOut: (3, 2))
    }

    @Test func averagePool() throws {
        for includePad in [false, true] {
            try check("AveragePool", h: 9, w: 10, k: (3, 3), s: (2, 2), pads: [1, 1, 1, 1], includePad: includePad, expectedOut: (5, 5))
            try check("AveragePool", h: 8, w: 8, k: (3, 3), s: (2, 2), pads: [1, 1, 1, 1], ceil: true, includePad: includePad,
                      expectedOut: (5, 5))
            try check("AveragePool", h: 6, w: 20, k: (2, 5), s: (2, 3), pads: [0, 2, 1, 0], includePad: includePad,
                      expectedOut: (3, 6))
        }
    }

    @Test func autoPadAndOneDimensional() throws {
        var generator = SeededGenerator(seed: 11)
        let x = generator.tensor([1, 2, 7, 7])
        let node = OpTest.node("MaxPool", inputs: [x], attributes: ["kernel_shape": .ints([2, 2]), "strides": .ints([2, 2]),
                                                                    "auto_pad": .string("SAME_UPPER")])
        let y = try OpTest.run(node, [x])[0]
        #expect(y.shape == [1, 2, 4, 4])
        let expected = reference(x.toFloats(), n: 1, c: 2, h: 7, w: 7, k: (2, 2), s: (2, 2), pads: [0, 0, 1, 1],
                                 out: (4, 4), max: true, includePad: false)
        #expect(Comparison.maxAbsDifference(y.toFloats(), expected) == 0)

        let x1 = generator.tensor([2, 3, 10])
        let pool1 = OpTest.node("AveragePool", inputs: [x1], attributes: ["kernel_shape": .ints([3]), "pads": .ints([1, 1])])
        let y1 = try OpTest.run(pool1, [x1])[0]
        #expect(y1.shape == [2, 3, 10])
        let expected1 = reference(x1.toFloats(), n: 2, c: 3, h: 1, w: 10, k: (1, 3), s: (1, 1), pads: [0, 1, 0, 1],
                                  out: (1, 10), max: false, includePad: false)
        #expect(Comparison.maxAbsDifference(y1.toFloats(), expected1) < 1e-6)
    }

    @Test func globalPools() throws {
        var generator = SeededGenerator(seed: 5)
        let x = generator.tensor([3, 5, 6, 7])
        let values = x.toFloats()
        for op in ["GlobalAveragePool", "GlobalMaxPool"] {
            for threads in [1, 2] {
                let y = try OpTest.run(OpTest.node(op, inputs: [x]), [x], threads: threads)[0]
                #expect(y.shape == [3, 5, 1, 1])
                let expected = (0..<15).map { plane -> Float in
                    let slice = values[(plane * 42)..<((plane + 1) * 42)]
                    return op == "GlobalMaxPool" ? slice.max()! : slice.reduce(0, +) / 42
                }
                #expect(Comparison.maxAbsDifference(y.toFloats(), expected) < 1e-6)
            }
        }
    }

    @Test func indicesOutputIsUnsupported() {
        let x = Tensor(zeros: [1, 1, 4, 4])
        let node = OpTest.node("MaxPool", inputs: [x], attributes: ["kernel_shape": .ints([2, 2])], outputs: 2)
        #expect(throws: GraphError.self) { try OpTest.run(node, [x]) }
    }
}
