import Kernels
import Testing
import TestSupport

/// The C depthwise kernels (each instruction set forced, both paths) against direct loops.
@Suite("Depthwise convolution kernels")
struct ConvolutionDepthwiseTests {
    struct Case: CustomStringConvertible, Sendable {
        var kh: Int, kw: Int, s: Int = 1, d: Int = 1
        /// top, left, bottom, right
        var pads: (Int, Int, Int, Int)
        var h: Int, w: Int, channels: Int, batch: Int = 1
        var description: String {
            "k\(kh)x\(kw) s\(s) d\(d) pads \(pads) \(h)x\(w) c\(channels) n\(batch)"
        }
    }

    /// Kernels 3x3 / 5x5 / 7x7 / 1x3, strides 1-3, dilation 2, symmetric / asymmetric / zero
    /// pads, planes 1x1 to 56x56 and rows up to 130 wide, channel counts around the block
    /// sizes, batch 1-3.
    static let cases: [Case] = [
        Case(kh: 3, kw: 3, pads: (1, 1, 1, 1), h: 14, w: 14, channels: 16),
        Case(kh: 3, kw: 3, s: 2, pads: (0, 0, 1, 1), h: 13, w: 11, channels: 17, batch: 2),
        Case(kh: 5, kw: 5, s: 2, pads: (2, 2, 2, 2), h: 14, w: 14, channels: 40),
        Case(kh: 5, kw: 5, pads: (2, 2, 2, 2), h: 7, w: 7, channels: 15, batch: 3),
        Case(kh: 7, kw: 7, pads: (3, 3, 3, 3), h: 13, w: 11, channels: 1, batch: 2),
        Case(kh: 1, kw: 3, pads: (0, 1, 0, 1), h: 7, w: 7, channels: 17),
        Case(kh: 3, kw: 3, s: 3, pads: (1, 1, 1, 1), h: 13, w: 11, channels: 16, batch: 2),
        Case(kh: 3, kw: 3, d: 2, pads: (2, 2, 2, 2), h: 14, w: 14, channels: 15),
        Case(kh: 3, kw: 3, pads: (0, 0, 0, 0), h: 56, w: 56, channels: 17),
        Case(kh: 3, kw: 3, pads: (1, 1, 1, 1), h: 1, w: 1, channels: 40, batch: 2),
        Case(kh: 5, kw: 5, s: 2, pads: (2, 2, 2, 2), h: 1, w: 1, channels: 1),
        Case(kh: 3, kw: 3, s: 2, pads: (1, 1, 1, 1), h: 56, w: 56, channels: 16),
        Case(kh: 7, kw: 7, s: 2, d: 2, pads: (6, 5, 6, 5), h: 14, w: 14, channels: 17),
        Case(kh: 3, kw: 3, pads: (1, 1, 1, 1), h: 56, w: 56, channels: 40, batch: 2),
        Case(kh: 3, kw: 3, s: 2, pads: (0, 1, 2, 0), h: 7, w: 7, channels: 15, batch: 3),
        // Wide 3x3 rows (the AVX-512 row path): stride 2 without left padding and with an
        // odd width, stride 2 with 65 columns, stride 1 without left padding, two rows of top padding,
        // stride 1 with 30 columns (a vector and a partial one).
        Case(kh: 3, kw: 3, s: 2, pads: (0, 0, 1, 1), h: 9, w: 113, channels: 5, batch: 2),
        Case(kh: 3, kw: 3, s: 2, pads: (1, 1, 1, 1), h: 10, w: 130, channels: 3),
        Case(kh: 3, kw: 3, pads: (1, 0, 1, 2), h: 7, w: 60, channels: 4),
        Case(kh: 3, kw: 3, pads: (2, 2, 0, 0), h: 6, w: 58, channels: 3),
        Case(kh: 3, kw: 3, pads: (1, 1, 1, 1), h: 5, w: 30, channels: 3),
        // Narrow stride-2 rows: one partial vector (15 and 14 columns), the value past the
        // last even column inside the row (odd width) or past its end.
        Case(kh: 3, kw: 3, s: 2, pads: (1, 1, 1, 1), h: 9, w: 29, channels: 3),
        Case(kh: 3, kw: 3, s: 2, pads: (0, 0, 1, 1), h: 8, w: 28, channels: 2, batch: 2),
        // 5x5 stride 2 on the row path: two vectors and one (33 and 15 columns), the four values
        // after the last vector inside the row, partly past it, and asymmetric padding.
        Case(kh: 5, kw: 5, s: 2, pads: (2, 2, 2, 2), h: 11, w: 66, channels: 3),
        Case(kh: 5, kw: 5, s: 2, pads: (2, 2, 2, 2), h: 9, w: 29, channels: 2, batch: 2),
        Case(kh: 5, kw: 5, s: 2, pads: (1, 2, 3, 2), h: 12, w: 31, channels: 3),
    ]

    static let activations: [Activation?] = [
        nil, .relu, .clip(min: -0.5, max: 0.5), .hardSwish, .hardSigmoid(alpha: 0.2, beta: 0.5), .sigmoid, .silu,
        .quickGelu(alpha: 1.702), .gelu,
    ]

    func geometry(_ c: Case) -> ConvolutionGeometry {
        let (top, left, bottom, right) = c.pads
        let oh = (c.h + top + bottom - (c.kh - 1) * c.d - 1) / c.s + 1, ow = (c.w + left + right - (c.kw - 1) * c.d - 1) / c.s + 1
        return ConvolutionGeometry(batch: c.batch, inputChannels: c.channels, outputChannels: c.channels, groups: c.channels,
                                   inputHeight: c.h, inputWidth: c.w, kernelHeight: c.kh, kernelWidth: c.kw,
                                   strideHeight: c.s, strideWidth: c.s, dilationHeight: c.d, dilationWidth: c.d,
                                   padTop: top, padLeft: left, padBottom: bottom, padRight: right,
                                   outputHeight: oh, outputWidth: ow)
    }

    /// The convolution plus bias, before any activation.
    func reference(_ x: [Float], _ w: [Float], _ bias: [Float], _ g: ConvolutionGeometry) -> [Float] {
        var y = [Float]()
        y.reserveCapacity(g.batch * g.outputChannels * g.outputPlane)
        for plane in 0..<(g.batch * g.outputChannels) {
            let channel = plane % g.outputChannels, taps = g.kernelHeight * g.kernelWidth
            for oy in 0..<g.outputHeight { for ox in 0..<g.outputWidth {
                var sum = bias[channel]
                for ky in 0..<g.kernelHeight { for kx in 0..<g.kernelWidth {
                    let iy = oy * g.strideHeight - g.padTop + ky * g.dilationHeight
                    let ix = ox * g.strideWidth - g.padLeft + kx * g.dilationWidth
                    if iy >= 0 && iy < g.inputHeight && ix >= 0 && ix < g.inputWidth {
                        sum += x[plane * g.inputPlane + iy * g.inputWidth + ix] * w[channel * taps + ky * g.kernelWidth + kx]
                    }
                } }
                y.append(sum)
            } }
        }
        return y
    }

    /// Runs `g` as `parts` work items the way the graph splits it: plane ranges on block
    /// boundaries, and output-row ranges on the channel-blocked path.
    func convolve(_ x: [Float], _ w: [Float], _ bias: [Float], _ g: ConvolutionGeometry, _ activation: Activation?,
                  kernel: GEMM.Kernel, parts: Int) -> [Float]? {
        var y = [Float](repeating: .nan, count: g.batch * g.outputChannels * g.outputPlane)
        var scratch = [Float](repeating: .nan, count: DepthwiseConvolution.scratchCount(g) + 16)
        let planes = g.batch * g.outputChannels
        let blocked = DepthwiseConvolution.usesChannelBlocks(g, kernel: kernel)
        let block = blocked ? DepthwiseConvolution.blockChannels(kernel) : 1
        let splitsRows = DepthwiseConvolution.splitsRows(g, kernel: kernel)
        let ok = x.withUnsafeBufferPointer { xp in w.withUnsafeBufferPointer { wp in bias.withUnsafeBufferPointer { bp in
            y.withUnsafeMutableBufferPointer { yp in scratch.withUnsafeMutableBufferPointer { sp in
                // 64-byte aligned scratch.
                let raw = UnsafeMutableRawPointer(sp.baseAddress!)
                let aligned = raw.alignedUp(toMultipleOf: 64).assumingMemoryBound(to: Float.self)
                var ok = true
                for part in 0..<parts {
                    // Plane ranges cut inside images and at block multiples; rows cut in two when blocked.
                    let lower = (planes * part / parts) / block * block, upper = part == parts - 1 ? planes : (planes * (part + 1) / parts) / block * block
                    let rowCuts = splitsRows && part % 2 == 1 ? [0, g.outputHeight / 2, g.outputHeight] : [0, g.outputHeight]
                    for r in 0..<(rowCuts.count - 1) {
                        ok = ok && DepthwiseConvolution.convolve(xp.baseAddress!, weights: wp.baseAddress!, bias: bp.baseAddress!,
                                                                 activation: activation, output: yp.baseAddress!, geometry: g,
                                                                 planes: lower..<upper, rows: rowCuts[r]..<rowCuts[r + 1],
                                                                 scratch: aligned, kernel: kernel)
                    }
                }
                return ok
            } }
        } } }
        return ok ? y : nil
    }

    @Test(arguments: [GEMM.Kernel.portable, .avx2, .avx512])
    func everyShapeAndActivationMatchesDirectLoops(kernel: GEMM.Kernel) throws {
        guard kernel.isAvailable else { return }
        var generator = SeededGenerator(seed: 7)
        for (index, c) in Self.cases.enumerated() {
            let g = geometry(c)
            let x = generator.floats(g.batch * g.inputChannels * g.inputPlane)
            let w = generator.floats(g.outputChannels * c.kh * c.kw), bias = generator.floats(g.outputChannels)
            let plain = reference(x, w, bias, g)
            for (a, activation) in Self.activations.enumerated() {
                let parts = 1 + (index + a) % 3
                let y = try #require(convolve(x, w, bias, g, activation, kernel: kernel, parts: parts), "\(kernel.name) \(c)")
                let expected = activation.map { f in plain.map { f($0) } } ?? plain
                #expect(Comparison.maxAbsDifference(y, expected) < 1e-4,
                        "\(kernel.name) \(c) \(String(describing: activation)) parts \(parts)")
            }
        }
    }

    /// The row path takes exactly the wide 3x3 cases and 5x5 stride-2 ones, on AVX-512 only, so that the test above
    /// covers it; it splits rows and is not the blocked path.
    @Test(arguments: [GEMM.Kernel.portable, .avx2, .avx512])
    func rowPathTakesWide3x3AndStride2Of5x5(kernel: GEMM.Kernel) {
        guard kernel.isAvailable else { return }
        var taken = 0
        for c in Self.cases {
            let g = geometry(c)
            let expected = kernel == .avx512 && c.kh == c.kw && (c.kh == 3 || (c.kh == 5 && c.s == 2)) && c.d == 1 && c.s <= 2
                && g.outputWidth >= (c.s == 1 ? 28 : 14)
            #expect(DepthwiseConvolution.usesRows(g, kernel: kernel) == expected, "\(kernel.name) \(c)")
            if expected {
                taken += 1
                #expect(!DepthwiseConvolution.usesChannelBlocks(g, kernel: kernel) && DepthwiseConvolution.splitsRows(g, kernel: kernel))
            }
        }
        #expect(taken == (kernel == .avx512 ? 13 : 0))
    }

    /// Large inputs to the fused exp: saturated sigmoid / SiLU, no NaN or infinity.
    @Test func saturatedActivationsStayFinite() throws {
        let c = Case(kh: 1, kw: 1, pads: (0, 0, 0, 0), h: 4, w: 5, channels: 17)
        let g = geometry(c)
        let x = (0..<(17 * 20)).map { Float($0 % 41 - 20) * 9 }   // -180 ... 180
        let w = [Float](repeating: 1, count: 17), bias = [Float](repeating: 0, count: 17)
        for kernel in GEMM.Kernel.allCases where kernel != .automatic && kernel.isAvailable {
            for activation: Activation in [.sigmoid, .silu, .hardSwish] {
                let y = try #require(convolve(x, w, bias, g, activation, kernel: kernel, parts: 1))
                let expected = x.map { activation($0) }
                #expect(y.allSatisfy { $0.isFinite }, "\(kernel.name) \(activation)")
                #expect(Comparison.maxAbsDifference(y, expected) < 1e-4, "\(kernel.name) \(activation)")
            }
        }
    }

    @Test func unavailableOrEmptyWritesNothing() {
        var g = geometry(Case(kh: 3, kw: 3, pads: (1, 1, 1, 1), h: 4, w: 4, channels: 1))
        g.outputWidth = 0
        var scratch = [Float](repeating: 0, count: 64), y = [Float](repeating: 7, count: 16)
        let x = [Float](repeating: 1, count: 16), w = [Float](repeating: 1, count: 9)
        let ok = x.withUnsafeBufferPointer { xp in w.withUnsafeBufferPointer { wp in y.withUnsafeMutableBufferPointer { yp in
            scratch.withUnsafeMutableBufferPointer { sp in
                DepthwiseConvolution.convolve(xp.baseAddress!, weights: wp.baseAddress!, bias: nil, activation: nil,
                                              output: yp.baseAddress!, geometry: g, planes: 0..<1, scratch: sp.baseAddress!)
            }
        } } }
        #expect(!ok)
        #expect(y.allSatisfy { $0 == 7 })
    }
}
