@testable import Graph
import Kernels
import Tensor
import Testing
import TestSupport

/// Depthwise Conv nodes (group == channels) with every fused activation, on 1-3 threads:
/// the channel-blocked and per-plane kernels and the graph's work split (channel blocks,
/// output rows) against a direct convolution.
@Suite("Conv operator: depthwise")
struct ConvDepthwiseOperatorTests {
    func check(_ r: ReferenceConvolution, activation: Activation?, seed: UInt64 = 3) throws {
        var generator = SeededGenerator(seed: seed)
        let x = generator.tensor([r.n, r.c, r.h, r.w])
        let weight = generator.tensor([r.cout, 1, r.kh, r.kw]), bias = generator.tensor([r.cout])
        var attributes: [String: Attribute] = [
            "strides": .ints([r.sh, r.sw]), "dilations": .ints([r.dh, r.dw]),
            "pads": .ints([r.top, r.left, r.bottom, r.right]), "group": .int(r.group),
        ]
        if let activation { attributes.merge(activation.fusedAttributes) { $1 } }
        let node = OpTest.node("Conv", inputs: [x, weight, bias], attributes: attributes)
        let expected = r.run(x.toFloats(), weight.toFloats(), bias.toFloats(), activation)
        for threads in 1...3 {
            let output = try OpTest.run(node, [x, weight, bias], threads: threads)[0]
            #expect(output.shape == [r.n, r.cout, r.outH, r.outW])
            #expect(Comparison.maxAbsDifference(output.toFloats(), expected) < 1e-4,
                    "threads \(threads), \(r), \(String(describing: activation))")
        }
    }

    static let activations: [Activation?] = [
        nil, .relu, .clip(min: 0, max: 6), .hardSwish, .hardSigmoid(alpha: 0.2, beta: 0.5), .sigmoid, .silu, .gelu,
    ]

    @Test(arguments: activations)
    func shapesAndThreads(activation: Activation?) throws {
        func depthwise(n: Int, c: Int, h: Int, w: Int, k: Int, s: Int, pads: (Int, Int, Int, Int), d: Int = 1, kw: Int? = nil) -> ReferenceConvolution {
            ReferenceConvolution(n: n, c: c, h: h, w: w, cout: c, kh: k, kw: kw ?? k, sh: s, sw: s, dh: d, dw: d,
                                 top: pads.0, left: pads.1, bottom: pads.2, right: pads.3, group: c)
        }
        // One block (rows split over threads), uneven blocks, batches, narrow and wide planes.
        try check(depthwise(n: 1, c: 16, h: 14, w: 14, k: 3, s: 1, pads: (1, 1, 1, 1)), activation: activation)
        try check(depthwise(n: 1, c: 40, h: 13, w: 11, k: 5, s: 2, pads: (2, 2, 2, 2)), activation: activation)
        try check(depthwise(n: 3, c: 17, h: 7, w: 7, k: 3, s: 2, pads: (0, 0, 1, 1)), activation: activation)
        try check(depthwise(n: 2, c: 15, h: 7, w: 7, k: 7, s: 1, pads: (3, 3, 3, 3)), activation: activation)
        try check(depthwise(n: 1, c: 3, h: 30, w: 33, k: 3, s: 1, pads: (1, 1, 1, 1)), activation: activation)
        try check(depthwise(n: 2, c: 5, h: 12, w: 12, k: 3, s: 3, pads: (2, 2, 2, 2), d: 2), activation: activation)
        try check(depthwise(n: 1, c: 9, h: 9, w: 9, k: 1, s: 1, pads: (0, 1, 0, 1), kw: 3), activation: activation)
    }
}
