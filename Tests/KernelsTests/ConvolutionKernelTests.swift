import CKernels
import Kernels
import Testing
import TestSupport

@Suite("Convolution kernels")
struct ConvolutionKernelTests {
    func geometry(h: Int, w: Int, k: Int, s: Int, d: Int, pads: (Int, Int, Int, Int)) -> ConvolutionGeometry {
        let oh = (h + pads.0 + pads.2 - (k - 1) * d - 1) / s + 1, ow = (w + pads.1 + pads.3 - (k - 1) * d - 1) / s + 1
        return ConvolutionGeometry(batch: 1, inputChannels: 2, outputChannels: 2, groups: 1, inputHeight: h, inputWidth: w,
                                   kernelHeight: k, kernelWidth: k, strideHeight: s, strideWidth: s,
                                   dilationHeight: d, dilationWidth: d, padTop: pads.0, padLeft: pads.1,
                                   padBottom: pads.2, padRight: pads.3, outputHeight: oh, outputWidth: ow)
    }

    @Test func im2colMatchesDirectIndexing() {
        var generator = SeededGenerator(seed: 1)
        // The wide stride-2 planes take the vector gather (16 at a time, then a masked tail).
        for g in [geometry(h: 7, w: 9, k: 3, s: 2, d: 1, pads: (1, 2, 0, 1)), geometry(h: 6, w: 6, k: 2, s: 1, d: 2, pads: (0, 0, 1, 1)),
                  geometry(h: 9, w: 75, k: 7, s: 2, d: 1, pads: (3, 3, 3, 3)), geometry(h: 5, w: 70, k: 1, s: 2, d: 1, pads: (0, 0, 0, 0))] {
            let input = generator.floats(2 * g.inputPlane)
            let columns = 3..<(g.outputPlane - 1)
            var unfolded = [Float](repeating: .nan, count: g.reductionDepth * columns.count)
            input.withUnsafeBufferPointer { source in unfolded.withUnsafeMutableBufferPointer { target in
                Im2Col.unfold(source.baseAddress!, geometry: g, columns: columns, into: target.baseAddress!)
            } }
            var mismatches = 0
            for c in 0..<2 { for ky in 0..<g.kernelHeight { for kx in 0..<g.kernelWidth {
                let row = (c * g.kernelHeight + ky) * g.kernelWidth + kx
                for (j, position) in columns.enumerated() {
                    let oy = position / g.outputWidth, ox = position % g.outputWidth
                    let iy = oy * g.strideHeight - g.padTop + ky * g.dilationHeight
                    let ix = ox * g.strideWidth - g.padLeft + kx * g.dilationWidth
                    let value: Float = iy >= 0 && iy < g.inputHeight && ix >= 0 && ix < g.inputWidth
                        ? input[c * g.inputPlane + iy * g.inputWidth + ix] : 0
                    if unfolded[row * columns.count + j] != value { mismatches += 1 }
                }
            } } }
            #expect(mismatches == 0)
        }
    }

    /// Whole 16x16 blocks (transposed in registers on AVX-512), partial edge blocks, a single
    /// row or column, and strides wider than the block (a sub-matrix of a wider C, as the
    /// channel-lane convolution passes): every value lands where a plain loop puts it, and
    /// nothing outside the target block is touched.
    @Test func transposeMatchesPlainLoops() {
        var generator = SeededGenerator(seed: 5)
        for (rows, columns) in [(16, 16), (49, 64), (33, 17), (1, 40), (40, 1), (15, 31), (32, 48), (7, 7)] {
            let sourceStride = columns + 5, targetStride = rows + 3
            let source = generator.floats(rows * sourceStride)
            var target = [Float](repeating: .nan, count: columns * targetStride)
            source.withUnsafeBufferPointer { s in target.withUnsafeMutableBufferPointer { t in
                imgvec_transpose(s.baseAddress!, sourceStride, rows, columns, t.baseAddress!, targetStride)
            } }
            for j in 0..<columns {
                for i in 0..<rows where target[j * targetStride + i] != source[i * sourceStride + j] {
                    Issue.record("\(rows)x\(columns): target[\(j)][\(i)] is \(target[j * targetStride + i])")
                }
                let untouched = target[(j * targetStride + rows)..<((j + 1) * targetStride)].allSatisfy { $0.isNaN }
                #expect(untouched, "\(rows)x\(columns): nothing written past row \(j)'s \(rows) values")
            }
        }
    }

    @Test func stridedGatherReadsOnlyWhatItNeeds() {
        // The source ends at the last value a gather of `count` needs (a read past it is what
        // AddressSanitizer would flag); counts cover whole vectors, tails and both together.
        for stride in [2, 3] {
            for count in 1...40 {
                let source = (0..<((count - 1) * stride + 1)).map { Float($0) }
                var target = [Float](repeating: .nan, count: count + 1)
                source.withUnsafeBufferPointer { s in target.withUnsafeMutableBufferPointer { t in
                    imgvec_gather_strided(s.baseAddress!, stride, count, t.baseAddress!)
                } }
                #expect(Array(target.prefix(count)) == (0..<count).map { Float($0 * stride) }, "stride \(stride) count \(count)")
                #expect(target[count].isNaN, "nothing written past the end")
            }
        }
    }

    /// Both stride-2 column phases of a padded row in one pass: phase b's column q is input
    /// column 2q + b - pad, zero outside the row; widths around the 32-float window, pads 0-3,
    /// more phase columns than the row fills, and nothing written past `columns`.
    @Test func splitPhasesAtStrideTwo() {
        for width in [1, 2, 15, 16, 17, 31, 32, 33, 56, 57, 112] {
            for pad in 0...3 {
                let row = (0..<width).map { Float($0 + 1) }
                for columns in [(width + 2 * pad + 1) / 2, (width + 2 * pad + 1) / 2 + 5] {
                    var phase0 = [Float](repeating: .nan, count: columns + 1), phase1 = phase0
                    row.withUnsafeBufferPointer { r in phase0.withUnsafeMutableBufferPointer { p0 in
                        phase1.withUnsafeMutableBufferPointer { p1 in
                            imgvec_split_phases_stride2(r.baseAddress!, width, pad, columns, p0.baseAddress!, p1.baseAddress!)
                        }
                    } }
                    func expected(_ x: Int) -> Float { x >= 0 && x < width ? Float(x + 1) : 0 }
                    #expect(Array(phase0.prefix(columns)) == (0..<columns).map { expected(2 * $0 - pad) }, "width \(width) pad \(pad)")
                    #expect(Array(phase1.prefix(columns)) == (0..<columns).map { expected(2 * $0 + 1 - pad) }, "width \(width) pad \(pad)")
                    #expect(phase0[columns].isNaN && phase1[columns].isNaN, "nothing written past the end")
                }
            }
        }
    }

    @Test(arguments: [(3, 1, 1), (3, 2, 1), (5, 1, 1), (5, 2, 1), (3, 1, 2), (4, 3, 1)])
    func depthwisePlaneMatchesDirectLoops(k: Int, s: Int, d: Int) {
        var generator = SeededGenerator(seed: UInt64(k * 10 + s))
        let p = (k - 1) * d / 2
        let g = geometry(h: 13, w: 35, k: k, s: s, d: d, pads: (p, p, p + 1, p))
        let input = generator.floats(g.inputPlane), weights = generator.floats(k * k)
        var output = [Float](repeating: .nan, count: g.outputPlane)
        var scratch = [Float](repeating: .nan, count: DepthwiseConvolution.scratchCount(g))
        input.withUnsafeBufferPointer { x in weights.withUnsafeBufferPointer { w in output.withUnsafeMutableBufferPointer { y in
            scratch.withUnsafeMutableBufferPointer { s in
                DepthwiseConvolution.convolvePlane(x.baseAddress!, weights: w.baseAddress!, bias: 0.25, activation: .relu,
                                                   output: y.baseAddress!, geometry: g, scratch: s.baseAddress!)
            }
        } } }
        var expected = [Float]()
        for oy in 0..<g.outputHeight { for ox in 0..<g.outputWidth {
            var sum: Float = 0.25
            for ky in 0..<k { for kx in 0..<k {
                let iy = oy * s - g.padTop + ky * d, ix = ox * s - g.padLeft + kx * d
                if iy >= 0 && iy < g.inputHeight && ix >= 0 && ix < g.inputWidth { sum += input[iy * g.inputWidth + ix] * weights[ky * k + kx] }
            } }
            expected.append(max(sum, 0))
        } }
        #expect(Comparison.maxAbsDifference(output, expected) < 1e-5)
    }

    /// Plane sizes around the 16-lane vectors and the 64-float unrolled step, three planes each.
    @Test(arguments: [1, 15, 16, 37, 49, 64, 100, 196, 3136])
    func poolingGlobalReductions(count: Int) {
        var generator = SeededGenerator(seed: UInt64(count))
        let values = generator.floats(3 * count)
        var means = [Float](repeating: .nan, count: 3), maxima = means
        values.withUnsafeBufferPointer { p in
            means.withUnsafeMutableBufferPointer {
                Pooling.globalPool(p.baseAddress!, planes: 3, count: count, maximum: false, output: $0.baseAddress!)
            }
            maxima.withUnsafeMutableBufferPointer {
                Pooling.globalPool(p.baseAddress!, planes: 3, count: count, maximum: true, output: $0.baseAddress!)
            }
        }
        for plane in 0..<3 {
            let slice = values[(plane * count)..<((plane + 1) * count)]
            let mean = slice.reduce(0.0) { $0 + Double($1) } / Double(count)
            #expect(abs(Double(means[plane]) - mean) < 1e-6, "mean of plane \(plane), \(count) floats")
            #expect(maxima[plane] == slice.max()!, "maximum of plane \(plane), \(count) floats")
        }
    }
}
