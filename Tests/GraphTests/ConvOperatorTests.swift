import Foundation
@testable import Graph
import Kernels
import Tensor
import Testing
import TestSupport

@Suite("Conv operator")
struct ConvOperatorTests {
    /// Builds and runs a 2-D Conv matching `reference`, returning (actual, expected).
    func check(_ r: ReferenceConvolution, bias: Bool = true, activation: Activation? = nil,
               attributes extra: [String: Attribute]? = nil, threads: Int = 1, seed: UInt64 = 1) throws {
        var generator = SeededGenerator(seed: seed)
        let x = generator.tensor([r.n, r.c, r.h, r.w])
        let weight = generator.tensor([r.cout, r.c / r.group, r.kh, r.kw])
        let b = bias ? generator.tensor([r.cout]) : nil
        var attributes: [String: Attribute] = extra ?? [
            "strides": .ints([r.sh, r.sw]), "dilations": .ints([r.dh, r.dw]),
            "pads": .ints([r.top, r.left, r.bottom, r.right]),
        ]
        attributes["group"] = .int(r.group)
        if let activation { attributes.merge(activation.fusedAttributes) { $1 } }
        let node = OpTest.node("Conv", inputs: [x, weight, b], attributes: attributes)
        let expected = r.run(x.toFloats(), weight.toFloats(), b?.toFloats(), activation)
        for t in Set([1, threads, 2]) {
            let output = try OpTest.run(node, [x, weight, b], threads: t)[0]
            #expect(output.shape == [r.n, r.cout, r.outH, r.outW])
            #expect(OpTest.relativeError(output.toFloats(), expected) < 1e-5, "threads \(t), \(r)")
        }
    }

    @Test func plainAndStrided() throws {
        try check(ReferenceConvolution(n: 2, c: 3, h: 9, w: 8, cout: 5, kh: 3, kw: 3, top: 1, left: 1, bottom: 1, right: 1))
        try check(ReferenceConvolution(n: 1, c: 3, h: 11, w: 12, cout: 4, kh: 3, kw: 3, sh: 2, sw: 2, top: 1, left: 1, bottom: 1, right: 1), bias: false)
        try check(ReferenceConvolution(n: 1, c: 3, h: 16, w: 15, cout: 8, kh: 7, kw: 7, sh: 2, sw: 2, top: 3, left: 3, bottom: 3, right: 3))
    }

    @Test func dilationsAndAsymmetricPads() throws {
        try check(ReferenceConvolution(n: 1, c: 2, h: 10, w: 9, cout: 3, kh: 3, kw: 2, dh: 2, dw: 3, top: 2, left: 0, bottom: 1, right: 3))
        try check(ReferenceConvolution(n: 2, c: 4, h: 7, w: 7, cout: 4, kh: 3, kw: 3, sh: 2, sw: 1, dh: 2, dw: 1, top: 0, left: 2, bottom: 3, right: 1))
    }

    @Test func groupsAndDepthwise() throws {
        try check(ReferenceConvolution(n: 2, c: 4, h: 8, w: 8, cout: 6, kh: 3, kw: 3, top: 1, left: 1, bottom: 1, right: 1, group: 2))
        // Depthwise 3x3 and 5x5 at strides 1 and 2, widths that exercise the SIMD tail.
        for (k, s) in [(3, 1), (3, 2), (5, 1), (5, 2)] {
            let p = k / 2
            try check(ReferenceConvolution(n: 2, c: 5, h: 19, w: 21, cout: 5, kh: k, kw: k, sh: s, sw: s,
                                           top: p, left: p, bottom: p, right: p, group: 5), activation: .relu, threads: 2)
        }
        // Generic depthwise: dilated, asymmetric, no bias; channel multiplier 2 (grouped GEMM path).
        try check(ReferenceConvolution(n: 1, c: 3, h: 9, w: 40, cout: 3, kh: 2, kw: 3, sh: 1, sw: 3, dh: 2, dw: 2,
                                       top: 1, left: 0, bottom: 2, right: 1, group: 3), bias: false)
        try check(ReferenceConvolution(n: 1, c: 3, h: 6, w: 6, cout: 6, kh: 3, kw: 3, top: 1, left: 1, bottom: 1, right: 1, group: 3))
    }

    /// Batch 1 on tiny planes: output channels run across the vector lanes (operands swapped,
    /// the result transposed back), for im2col and pointwise convolutions, channel counts that
    /// leave partial panels, and a fused skip connection added before the activation. On more
    /// than one thread im2col convolutions take it, their unfold shared (uneven slices of input
    /// channels), and pointwise ones whose channels split evenly; squeeze-excitation's 1x1 planes never do.
    @Test func channelLanesForTinyPlanes() throws {
        let tiny = ConvolutionGeometry(batch: 1, inputChannels: 72, outputChannels: 80, groups: 1, inputHeight: 7, inputWidth: 7,
                                       kernelHeight: 3, kernelWidth: 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1,
                                       outputHeight: 7, outputWidth: 7)
        #expect(ConvolutionRun.usesChannelLanes(tiny, threads: 1) == ConvolutionRun.channelLanesEnabled)
        #expect(ConvolutionRun.usesChannelLanes(tiny, threads: 2) == ConvolutionRun.channelLanesEnabled)
        var batched = tiny
        batched.batch = 2
        #expect(!ConvolutionRun.usesChannelLanes(batched, threads: 1))
        let pointwise = ConvolutionGeometry(batch: 1, inputChannels: 72, outputChannels: 80, groups: 1, inputHeight: 7,
                                            inputWidth: 7, kernelHeight: 1, kernelWidth: 1, outputHeight: 7, outputWidth: 7)
        #expect(ConvolutionRun.usesChannelLanes(pointwise, threads: 1) == ConvolutionRun.channelLanesEnabled)
        #expect(!ConvolutionRun.usesChannelLanes(pointwise, threads: 2), "80 channels: 3 or 5 column tiles for 2 threads")
        var wide = pointwise
        wide.outputChannels = 192
        #expect(ConvolutionRun.usesChannelLanes(wide, threads: 2) == ConvolutionRun.channelLanesEnabled, "6 or 12 tiles")
        #expect(ConvolutionRun.splitsEvenly(channels: 2048, threads: 3) && !ConvolutionRun.splitsEvenly(channels: 80, threads: 2))
        var excitation = pointwise
        (excitation.inputHeight, excitation.inputWidth, excitation.outputHeight, excitation.outputWidth) = (1, 1, 1, 1)
        #expect(!ConvolutionRun.usesChannelLanes(excitation, threads: 1))
        try check(ReferenceConvolution(n: 1, c: 72, h: 7, w: 7, cout: 80, kh: 3, kw: 3, top: 1, left: 1, bottom: 1, right: 1),
                  activation: .relu, threads: 2)
        try check(ReferenceConvolution(n: 1, c: 67, h: 7, w: 7, cout: 70, kh: 3, kw: 3, top: 1, left: 1, bottom: 1, right: 1),
                  activation: .relu, threads: 3)
        try check(ReferenceConvolution(n: 1, c: 96, h: 7, w: 7, cout: 130, kh: 1, kw: 1), activation: .hardSwish, threads: 2)
        try check(ReferenceConvolution(n: 1, c: 64, h: 7, w: 7, cout: 192, kh: 1, kw: 1), activation: .silu, threads: 2)
        try check(ReferenceConvolution(n: 1, c: 64, h: 6, w: 5, cout: 192, kh: 1, kw: 1), activation: .relu, threads: 3)
        try check(ReferenceConvolution(n: 1, c: 64, h: 10, w: 10, cout: 100, kh: 3, kw: 3, sh: 2, sw: 2,
                                       top: 1, left: 1, bottom: 1, right: 1), bias: false, threads: 2)
        var generator = SeededGenerator(seed: 9)
        let x = generator.tensor([1, 80, 7, 7]), weight = generator.tensor([96, 80, 1, 1])
        let b = generator.tensor([96]), skip = generator.tensor([1, 96, 7, 7])
        let node = OpTest.node("Conv", inputs: [x, weight, b, skip], attributes: Activation.relu.fusedAttributes)
        let reference = ReferenceConvolution(n: 1, c: 80, h: 7, w: 7, cout: 96)
        let expected = zip(reference.run(x.toFloats(), weight.toFloats(), b.toFloats(), nil), skip.toFloats()).map { max(0, $0 + $1) }
        for threads in [1, 2] {
            let output = try OpTest.run(node, [x, weight, b, skip], threads: threads)[0]
            #expect(OpTest.relativeError(output.toFloats(), expected) < 1e-5, "residual, threads \(threads)")
        }
    }

    /// Convolutions larger than 1x1 with output channels across the vector lanes and patches read
    /// in place (AVX-512): which geometries take it, then against the reference at batch 1 (one
    /// padded input, output channels split over 1-3 threads: 100 channels leave a partial panel)
    /// and at batch 2 (bands of rows per image, several products per band: 29-wide lines, two
    /// bands of a 57x57 input with 64 channels), strides 1 and 2, 3x3 and 5x5 kernels,
    /// asymmetric pads, and a skip connection before the activation.
    @Test func gatheredLanes() throws {
        let strided = ConvolutionGeometry(batch: 1, inputChannels: 64, outputChannels: 128, groups: 1, inputHeight: 56,
                                          inputWidth: 56, kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2,
                                          padTop: 1, padLeft: 1, padBottom: 1, padRight: 1, outputHeight: 28, outputWidth: 28)
        #expect(ConvolutionRun.usesGatheredLanes(strided) == (ConvolutionRun.gatheredLanesEnabled && GEMM.hasGatheredA))
        var projection = strided
        (projection.kernelHeight, projection.kernelWidth, projection.padTop, projection.padLeft) = (1, 1, 0, 0)
        (projection.padBottom, projection.padRight) = (0, 0)
        #expect(!ConvolutionRun.usesGatheredLanes(projection), "a strided 1x1 reads one phase of four")
        let stem = ConvolutionGeometry(batch: 1, inputChannels: 3, outputChannels: 64, groups: 1, inputHeight: 224,
                                       inputWidth: 224, kernelHeight: 7, kernelWidth: 7, strideHeight: 2, strideWidth: 2,
                                       padTop: 3, padLeft: 3, padBottom: 3, padRight: 3, outputHeight: 112, outputWidth: 112)
        #expect(!ConvolutionRun.usesGatheredLanes(stem), "the direct path's")
        var few = strided
        few.inputChannels = 3
        #expect(!ConvolutionRun.usesGatheredLanes(few), "27 taps")
        var dilated = strided
        dilated.dilationHeight = 2
        #expect(!ConvolutionRun.usesGatheredLanes(dilated))
        let patches = ConvolutionGeometry(batch: 1, inputChannels: 3, outputChannels: 768, groups: 1, inputHeight: 224,
                                          inputWidth: 224, kernelHeight: 16, kernelWidth: 16, strideHeight: 16,
                                          strideWidth: 16, outputHeight: 14, outputWidth: 14)
        #expect(!ConvolutionRun.usesGatheredLanes(patches), "a patch embedding: 256 stride phases")
        try check(ReferenceConvolution(n: 1, c: 64, h: 15, w: 15, cout: 100, kh: 3, kw: 3, sh: 2, sw: 2,
                                       top: 1, left: 1, bottom: 1, right: 1), activation: .relu, threads: 3)
        try check(ReferenceConvolution(n: 1, c: 48, h: 7, w: 7, cout: 96, kh: 3, kw: 3, top: 1, left: 1, bottom: 1, right: 1),
                  bias: false, threads: 2)
        try check(ReferenceConvolution(n: 2, c: 64, h: 57, w: 57, cout: 64, kh: 3, kw: 3, sh: 2, sw: 2,
                                       top: 1, left: 1, bottom: 1, right: 1), activation: .clip(min: 0, max: 6), threads: 2)
        try check(ReferenceConvolution(n: 2, c: 20, h: 17, w: 13, cout: 70, kh: 5, kw: 5, sh: 2, sw: 2,
                                       top: 2, left: 1, bottom: 1, right: 2), activation: .silu, threads: 3)
        var generator = SeededGenerator(seed: 14)
        let x = generator.tensor([2, 40, 9, 9]), weight = generator.tensor([72, 40, 3, 3])
        let b = generator.tensor([72]), skip = generator.tensor([2, 72, 5, 5])
        var attributes = Activation.relu.fusedAttributes
        attributes["pads"] = .ints([1, 1, 1, 1])
        attributes["strides"] = .ints([2, 2])
        let node = OpTest.node("Conv", inputs: [x, weight, b, skip], attributes: attributes)
        let reference = ReferenceConvolution(n: 2, c: 40, h: 9, w: 9, cout: 72, kh: 3, kw: 3, sh: 2, sw: 2,
                                             top: 1, left: 1, bottom: 1, right: 1)
        let expected = zip(reference.run(x.toFloats(), weight.toFloats(), b.toFloats(), nil), skip.toFloats()).map { max(0, $0 + $1) }
        for threads in [1, 2, 3] {
            let output = try OpTest.run(node, [x, weight, b, skip], threads: threads)[0]
            #expect(OpTest.relativeError(output.toFloats(), expected) < 1e-5, "residual, threads \(threads)")
        }
    }

    /// The channel-lane result goes back to NCHW on the thread that computed each block, with
    /// the skip connection and then the activation: blocks of output channels (2 threads), or
    /// of output positions (3 threads, 64 channels: two panels for three threads).
    @Test func channelLanesAddTheSkipConnectionPerBlock() throws {
        var generator = SeededGenerator(seed: 12)
        for (channels, kernel) in [(64, 3), (96, 3), (72, 1)] {
            let x = generator.tensor([1, 48, 7, 7]), weight = generator.tensor([channels, 48, kernel, kernel])
            let b = generator.tensor([channels]), skip = generator.tensor([1, channels, 7, 7])
            let pad = kernel / 2
            var attributes = Activation.silu.fusedAttributes
            attributes["pads"] = .ints([pad, pad, pad, pad])
            let node = OpTest.node("Conv", inputs: [x, weight, b, skip], attributes: attributes)
            let reference = ReferenceConvolution(n: 1, c: 48, h: 7, w: 7, cout: channels, kh: kernel, kw: kernel,
                                                 top: pad, left: pad, bottom: pad, right: pad)
            let expected = zip(reference.run(x.toFloats(), weight.toFloats(), b.toFloats(), nil), skip.toFloats())
                .map { let v = $0 + $1; return v / (1 + exp(-v)) }
            for threads in [1, 2, 3] {
                let output = try OpTest.run(node, [x, weight, b, skip], threads: threads)[0]
                #expect(OpTest.relativeError(output.toFloats(), expected) < 1e-5, "\(channels) channels, \(kernel)x\(kernel), threads \(threads)")
            }
        }
    }

    /// Few output columns and many output channels: the GEMM is split by rows of the packed
    /// weights across threads (pointwise, im2col, across-image tiles, channels not a multiple of MR).
    @Test func rowSplitForSmallPlanes() throws {
        try check(ReferenceConvolution(n: 1, c: 24, h: 7, w: 7, cout: 131, kh: 1, kw: 1), activation: .relu, threads: 2)
        // im2col planes past the channel-lane limit (72 and 81 positions; too few tiles for Winograd).
        try check(ReferenceConvolution(n: 1, c: 10, h: 8, w: 9, cout: 160, kh: 3, kw: 3, top: 1, left: 1, bottom: 1, right: 1),
                  threads: 3)
        try check(ReferenceConvolution(n: 3, c: 8, h: 4, w: 4, cout: 200, kh: 1, kw: 1), bias: false, threads: 2)
        try check(ReferenceConvolution(n: 1, c: 12, h: 18, w: 18, cout: 100, kh: 3, kw: 3, sh: 2, sw: 2,
                                       top: 1, left: 1, bottom: 1, right: 1), activation: .clip(min: 0, max: 6), threads: 2)
        // Depths past one k block of the shared operand (576 and 400 > 384), one tile of 72 or 196 columns.
        try check(ReferenceConvolution(n: 1, c: 64, h: 8, w: 9, cout: 100, kh: 3, kw: 3, top: 1, left: 1, bottom: 1, right: 1),
                  activation: .relu, threads: 2)
        try check(ReferenceConvolution(n: 1, c: 400, h: 14, w: 14, cout: 97, kh: 1, kw: 1), threads: 2)
    }

    @Test func rowBlocksCoverEveryRowOnAlignedStarts() {
        for (rows, count, alignment) in [(131, 2, 12), (128, 3, 8), (96, 2, 16), (1000, 4, 12)] {
            let blocks = (0..<count).map { ConvolutionRun.rowBlock($0, of: count, rows: rows, alignment: alignment) }
            #expect(blocks.first?.lowerBound == 0 && blocks.last?.upperBound == rows)
            for (a, b) in zip(blocks, blocks.dropFirst()) { #expect(a.upperBound == b.lowerBound) }
            #expect(blocks.allSatisfy { $0.lowerBound % alignment == 0 && !$0.isEmpty })
        }
    }

    @Test func pointwiseAndFullyConnectedPaths() throws {
        try check(ReferenceConvolution(n: 2, c: 6, h: 5, w: 7, cout: 9, kh: 1, kw: 1), threads: 2)
        try check(ReferenceConvolution(n: 3, c: 6, h: 5, w: 7, cout: 9, kh: 1, kw: 1, sh: 2, sw: 2))
        try check(ReferenceConvolution(n: 3, c: 16, h: 1, w: 1, cout: 10, kh: 1, kw: 1), activation: .sigmoid)
        // Planes wider than one tile (several tiles per image), with im2col and pointwise.
        try check(ReferenceConvolution(n: 2, c: 3, h: 24, w: 26, cout: 13, kh: 3, kw: 3, top: 1, left: 1, bottom: 1, right: 1),
                  activation: .silu, threads: 3)
        try check(ReferenceConvolution(n: 3, c: 2, h: 20, w: 31, cout: 5, kh: 1, kw: 1), threads: 2)
        // Small planes batched across images (tiles cross image boundaries), with im2col.
        try check(ReferenceConvolution(n: 5, c: 4, h: 5, w: 3, cout: 7, kh: 3, kw: 3, top: 1, left: 1, bottom: 1, right: 1),
                  activation: .relu, threads: 2)
        // Few items and a large plane.
        try check(ReferenceConvolution(n: 1, c: 8, h: 1, w: 300, cout: 64, kh: 1, kw: 1), threads: 2)
    }

    @Test func everyFusedActivation() throws {
        let r = ReferenceConvolution(n: 1, c: 3, h: 6, w: 6, cout: 4, kh: 3, kw: 3, top: 1, left: 1, bottom: 1, right: 1)
        for activation: Activation in [.relu, .clip(min: 0, max: 0.5), .hardSwish, .hardSigmoid(alpha: 0.3, beta: 0.4), .sigmoid, .silu] {
            try check(r, activation: activation)
        }
    }

    @Test func autoPadModes() throws {
        for (size, stride, kernel) in [(9, 2, 3), (10, 2, 3), (8, 1, 4), (7, 3, 2)] {
            for upper in [true, false] {
                let (top, bottom) = OpTest.samePads(size: size, kernel: kernel, stride: stride, dilation: 1, upper: upper)
                let r = ReferenceConvolution(n: 1, c: 2, h: size, w: size, cout: 3, kh: kernel, kw: kernel, sh: stride, sw: stride,
                                             top: top, left: top, bottom: bottom, right: bottom)
                #expect(r.outH == (size + stride - 1) / stride)
                try check(r, attributes: ["strides": .ints([stride, stride]), "kernel_shape": .ints([kernel, kernel]),
                                          "auto_pad": .string(upper ? "SAME_UPPER" : "SAME_LOWER")])
            }
        }
        let valid = ReferenceConvolution(n: 1, c: 2, h: 9, w: 8, cout: 3, kh: 3, kw: 2, sh: 2, sw: 2)
        try check(valid, attributes: ["strides": .ints([2, 2]), "auto_pad": .string("VALID")])
    }

    @Test func oneDimensional() throws {
        var generator = SeededGenerator(seed: 7)
        let x = generator.tensor([2, 3, 17]), weight = generator.tensor([4, 3, 5]), bias = generator.tensor([4])
        let node = OpTest.node("Conv", inputs: [x, weight, bias],
                               attributes: ["strides": .ints([2]), "pads": .ints([2, 1]), "dilations": .ints([1])])
        let r = ReferenceConvolution(n: 2, c: 3, h: 1, w: 17, cout: 4, kh: 1, kw: 5, sw: 2, left: 2, right: 1)
        let output = try OpTest.run(node, [x, weight, bias])[0]
        #expect(output.shape == [2, 4, r.outW])
        #expect(OpTest.relativeError(output.toFloats(), r.run(x.toFloats(), weight.toFloats(), bias.toFloats(), nil)) < 1e-5)
    }

    @Test func badInputsThrow() throws {
        var generator = SeededGenerator(seed: 3)
        let x = generator.tensor([1, 4, 5, 5])
        let wrongChannels = generator.tensor([2, 3, 3, 3])
        #expect(throws: GraphError.self) { try OpTest.run(OpTest.node("Conv", inputs: [x, wrongChannels]), [x, wrongChannels]) }
        let grouped = generator.tensor([3, 2, 3, 3])
        #expect(throws: GraphError.self) {
            try OpTest.run(OpTest.node("Conv", inputs: [x, grouped], attributes: ["group": .int(2)]), [x, grouped])
        }
        let w = generator.tensor([2, 4, 3, 3]), badBias = generator.tensor([3])
        #expect(throws: GraphError.self) { try OpTest.run(OpTest.node("Conv", inputs: [x, w, badBias]), [x, w, badBias]) }
        let tooBig = generator.tensor([2, 4, 7, 7])
        #expect(throws: GraphError.self) { try OpTest.run(OpTest.node("Conv", inputs: [x, tooBig]), [x, tooBig]) }
    }

    @Test func multiplyAddsAreExact() throws {
        let node = Node(name: "c", opType: "Conv", inputs: ["x", "w"], outputs: ["y"],
                        attributes: ["pads": .ints([1, 1, 1, 1]), "group": .int(2)])
        let op = try OperatorRegistry.standard.makeOperator(for: node, opsetVersion: 17, constantInputs: [nil, nil])
        let inputs: [TensorType?] = [TensorType(.float32, [2, 8, 10, 10]), TensorType(.float32, [6, 4, 3, 3])]
        let outputs = try op.inferTypes(inputs, constants: [nil, nil])
        #expect(op.multiplyAdds(inputs, outputs: outputs) == 2 * 6 * 100 * 4 * 9)
    }
}
