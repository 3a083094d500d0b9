import Kernels
import Testing
import TestSupport

/// The C depthwise kernels (each instruction set forced) against direct loops.
@Suite("Depthwise convolution kernels")
struct ConvolutionDepthwiseTests {
    struct Case: CustomStringConvertible, Sendable {
        let k: Int, s: Int, d: Int, h: Int, w: Int
        var description: String { "k\(k) s\(s) d\(d) \(h)x\(w)" }
    }

    static let cases: [Case] = [
        Case(k: 3, s: 1, d: 1, h: 13, w: 35), Case(k: 3, s: 2, d: 1, h: 14, w: 37), Case(k: 5, s: 1, d: 1, h: 9, w: 20),
        Case(k: 5, s: 2, d: 1, h: 11, w: 40), Case(k: 3, s: 1, d: 2, h: 7, w: 7), Case(k: 4, s: 3, d: 1, h: 10, w: 33),
        Case(k: 3, s: 1, d: 1, h: 1, w: 1), Case(k: 5, s: 1, d: 1, h: 7, w: 7), Case(k: 2, s: 2, d: 1, h: 3, w: 2),
    ]

    func geometry(_ c: Case, channels: Int, batch: Int) -> ConvolutionGeometry {
        let top = (c.k - 1) * c.d / 2, left = top, bottom = top + 1, right = top
        let oh = (c.h + top + bottom - (c.k - 1) * c.d - 1) / c.s + 1, ow = (c.w + left + right - (c.k - 1) * c.d - 1) / c.s + 1
        return ConvolutionGeometry(batch: batch, inputChannels: channels, outputChannels: channels, groups: channels,
                                   inputHeight: c.h, inputWidth: c.w, kernelHeight: c.k, kernelWidth: c.k,
                                   strideHeight: c.s, strideWidth: c.s, dilationHeight: c.d, dilationWidth: c.d,
                                   padTop: top, padLeft: left, padBottom: bottom, padRight: right,
                                   outputHeight: oh, outputWidth: ow)
    }

    func reference(_ x: [Float], _ w: [Float], _ bias: [Float], _ g: ConvolutionGeometry, _ activation: Activation?) -> [Float] {
        var y = [Float]()
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
                y.append(activation.map { $0(sum) } ?? sum)
            } }
        }
        return y
    }

    @Test(arguments: [GEMM.Kernel.portable, .avx2, .avx512])
    func everyShapeMatchesDirectLoops(kernel: GEMM.Kernel) {
        guard kernel.isAvailable else { return }
        var generator = SeededGenerator(seed: 7)
        for c in Self.cases {
            for activation: Activation? in [nil, .relu, .clip(min: -0.5, max: 0.5), .silu] {
                let g = geometry(c, channels: 3, batch: 2)
                let x = generator.floats(g.batch * g.inputChannels * g.inputPlane)
                let w = generator.floats(g.outputChannels * c.k * c.k), bias = generator.floats(g.outputChannels)
                var y = [Float](repeating: .nan, count: g.batch * g.outputChannels * g.outputPlane)
                var scratch = [Float](repeating: .nan, count: DepthwiseConvolution.scratchCount(g))
                // Two calls over disjoint plane ranges cover the batch.
                let ok = x.withUnsafeBufferPointer { xp in w.withUnsafeBufferPointer { wp in bias.withUnsafeBufferPointer { bp in
                    y.withUnsafeMutableBufferPointer { yp in scratch.withUnsafeMutableBufferPointer { sp in
                        DepthwiseConvolution.convolve(xp.baseAddress!, weights: wp.baseAddress!, bias: bp.baseAddress!,
                                                      activation: activation, output: yp.baseAddress!, geometry: g,
                                                      planes: 0..<2, scratch: sp.baseAddress!, kernel: kernel)
                        && DepthwiseConvolution.convolve(xp.baseAddress!, weights: wp.baseAddress!, bias: bp.baseAddress!,
                                                         activation: activation, output: yp.baseAddress!, geometry: g,
                                                         planes: 2..<6, scratch: sp.baseAddress!, kernel: kernel)
                    } }
                } } }
                #expect(ok)
                let expected = reference(x, w, bias, g, activation)
                #expect(Comparison.maxAbsDifference(y, expected) < 1e-4, "\(kernel.name) \(c) \(String(describing: activation))")
            }
        }
    }

    @Test func unavailableOrEmptyWritesNothing() {
        let c = Case(k: 3, s: 1, d: 1, h: 4, w: 4)
        var g = geometry(c, channels: 1, batch: 1)
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
