import CKernels
import Graph
import Kernels
import Tensor
import Testing
import TestSupport

/// Conv nodes that take the Winograd F(4x4, 3x3) path (3x3, stride 1, >= 16 channels each
/// way), checked against the straightforward reference convolution.
@Suite("Winograd convolution")
struct WinogradConvolutionTests {
    func check(_ r: ReferenceConvolution, bias: Bool = true, activation: Activation? = nil, threads: Int = 2,
               seed: UInt64 = 11) throws {
        var generator = SeededGenerator(seed: seed)
        let x = generator.tensor([r.n, r.c, r.h, r.w])
        let weight = generator.tensor([r.cout, r.c, 3, 3])
        let b = bias ? generator.tensor([r.cout]) : nil
        var attributes: [String: Attribute] = ["pads": .ints([r.top, r.left, r.bottom, r.right])]
        if let activation { attributes.merge(activation.fusedAttributes) { $1 } }
        let node = OpTest.node("Conv", inputs: [x, weight, b], attributes: attributes)
        let expected = r.run(x.toFloats(), weight.toFloats(), b?.toFloats(), activation)
        for t in Set([1, threads]) {
            let output = try OpTest.run(node, [x, weight, b], threads: t)[0]
            #expect(output.shape == [r.n, r.cout, r.outH, r.outW])
            let error = OpTest.relativeError(output.toFloats(), expected)
            // F(4x4, 3x3) rounds ~20x more than direct summation (outputs here reach ~10).
            #expect(error < 1e-4, "threads \(t), \(r): relative error \(error)")
        }
    }

    @Test func oddSizesAndPads() throws {
        try check(ReferenceConvolution(n: 1, c: 16, h: 9, w: 9, cout: 16, kh: 3, kw: 3, top: 1, left: 1, bottom: 1, right: 1))
        // 7x7: 4 tiles per image, below the Winograd threshold (im2col).
        try check(ReferenceConvolution(n: 2, c: 16, h: 7, w: 7, cout: 16, kh: 3, kw: 3, top: 1, left: 1, bottom: 1, right: 1))
        try check(ReferenceConvolution(n: 2, c: 17, h: 13, w: 11, cout: 19, kh: 3, kw: 3, top: 1, left: 1, bottom: 1, right: 1),
                  activation: .relu)
        try check(ReferenceConvolution(n: 1, c: 18, h: 13, w: 11, cout: 16, kh: 3, kw: 3), bias: false)
        try check(ReferenceConvolution(n: 2, c: 16, h: 9, w: 12, cout: 21, kh: 3, kw: 3, top: 2, left: 0, bottom: 1, right: 2))
        try check(ReferenceConvolution(n: 1, c: 20, h: 6, w: 37, cout: 17, kh: 3, kw: 3, top: 0, left: 2, bottom: 2, right: 1),
                  bias: false, activation: .relu)
    }

    /// One image with few tiles and many output channels: threads split the channels
    /// (rows of the 36 GEMMs), with bias, clamp and other activations on their own slabs.
    @Test func batchOneSplitsOutputChannels() throws {
        try check(ReferenceConvolution(n: 1, c: 16, h: 14, w: 14, cout: 130, kh: 3, kw: 3, top: 1, left: 1, bottom: 1, right: 1),
                  activation: .relu)
        try check(ReferenceConvolution(n: 1, c: 20, h: 13, w: 15, cout: 150, kh: 3, kw: 3, top: 1, left: 1, bottom: 1, right: 1),
                  bias: false, activation: .silu, threads: 3)
        try check(ReferenceConvolution(n: 1, c: 16, h: 12, w: 12, cout: 112, kh: 3, kw: 3))
    }

    @Test func widePlanesManyBlocksAndActivations() throws {
        // 20 tile rows x 10 tiles: several blocks per image, blocks crossing images.
        try check(ReferenceConvolution(n: 2, c: 16, h: 40, w: 38, cout: 24, kh: 3, kw: 3, top: 1, left: 1, bottom: 1, right: 1),
                  activation: .clip(min: -0.5, max: 0.5), threads: 3)
        try check(ReferenceConvolution(n: 3, c: 16, h: 10, w: 9, cout: 16, kh: 3, kw: 3, top: 1, left: 1, bottom: 1, right: 1),
                  activation: .silu)
    }

    /// The AVX-512 (16 tiles per vector past 8 tiles in a row, else 8), AVX2 and portable
    /// transforms agree (each one the CPU can run).
    @Test(arguments: [11, 5, 37])
    func instructionSetsAgree(tilesX: Int) throws {
        var generator = SeededGenerator(seed: 5)
        let width = 4 * tilesX - 1, outputWidth = 4 * tilesX - 2
        var shape = imgvec_winograd_shape(channels: 3, input_height: 11, input_width: width, pad_top: 1, pad_left: 2,
                                          output_height: 10, output_width: outputWidth, tiles_y: 3, tiles_x: tilesX)
        let x = generator.floats(2 * 3 * 11 * width, in: -1...1)
        let rows = 6, ld = (rows - 1) * tilesX + (tilesX + 15) / 16 * 16
        let scratchCount = imgvec_winograd_input_scratch_floats(&shape)
        let m = generator.floats(36 * 5 * ld, in: -1...1), bias = generator.floats(5, in: -1...1)
        let pooledWidth = outputWidth / 2
        func run(_ isa: imgvec_sgemm_kernel) -> ([Float], [Float], [Float])? {
            var v = [Float](repeating: 0, count: 36 * 3 * ld), scratch = [Float](repeating: 0, count: scratchCount)
            var y = [Float](repeating: 0, count: 2 * 5 * 10 * outputWidth)
            var pooled = [Float](repeating: 0, count: 2 * 5 * 5 * pooledWidth)
            guard imgvec_winograd_input(isa, &shape, x, 0, rows, &v, ld, 3 * ld, &scratch) == 0,
                  imgvec_winograd_output(isa, &shape, 5, m, ld, 5 * ld, 0, rows, bias, 1, -0.5, 2, 0, &y) == 0,
                  imgvec_winograd_output(isa, &shape, 5, m, ld, 5 * ld, 0, rows, bias, 1, -0.5, 2, 1, &pooled) == 0
            else { return nil }
            // Compare only the block's tiles (the overrun past them is unspecified).
            let used = (0..<36 * 3).flatMap { row in v[(row * ld)..<(row * ld + rows * tilesX)] }
            return (used, y, pooled)
        }
        let portable = try #require(run(IMGVEC_SGEMM_KERNEL_PORTABLE))
        for isa in [IMGVEC_SGEMM_KERNEL_AVX2, IMGVEC_SGEMM_KERNEL_AVX512] where imgvec_sgemm_kernel_available(isa) != 0 {
            let other = try #require(run(isa))
            #expect(Comparison.maxAbsDifference(other.0, portable.0) < 1e-5)
            #expect(Comparison.maxAbsDifference(other.1, portable.1) < 1e-4)
            #expect(Comparison.maxAbsDifference(other.2, portable.2) < 1e-4)
        }
        // The pooled output is the 2x2 maximum of the plain one (10 x outputWidth planes).
        var expectedPool = [Float](repeating: 0, count: portable.2.count)
        for plane in 0..<10 { for py in 0..<5 { for px in 0..<pooledWidth {
            let at = { (dy: Int, dx: Int) in portable.1[plane * 10 * outputWidth + (2 * py + dy) * outputWidth + 2 * px + dx] }
            expectedPool[(plane * 5 + py) * pooledWidth + px] = max(max(at(0, 0), at(0, 1)), max(at(1, 0), at(1, 1)))
        } } }
        #expect(Comparison.maxAbsDifference(portable.2, expectedPool) < 1e-5)
        // Input transform of tile (0, 0), position 0: (B^T d B)[0][0] = sum BT[0][j] BT[0][l] d[j][l]
        // with BT[0] = (4, 0, -5, 0, 1, 0) and d the padded patch (row -1, columns -2...).
        let bt: [Float] = [4, 0, -5, 0, 1, 0]
        var expected: Float = 0
        for j in 0..<6 { for l in 0..<6 {
            let iy = j - 1, ix = l - 2
            if iy >= 0, iy < 11, ix >= 0, ix < width { expected += bt[j] * bt[l] * x[iy * width + ix] }
        } }
        #expect(abs(portable.0[0] - expected) < 1e-4)
    }
}
