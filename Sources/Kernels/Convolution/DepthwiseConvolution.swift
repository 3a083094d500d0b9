/// Depthwise convolution (one filter per channel) with SIMD over output columns.
///
/// Each channel plane is first copied into scratch with its zero padding made
/// explicit and, for stride `s > 1`, split into `s` column phases (phase `p`
/// holds padded columns `p, p+s, p+2s...`). Every tap then reads contiguous
/// vectors, so one loop serves all strides and dilations; 3x3 and 5x5 kernels
/// are specialised (fully unrolled taps).
public enum DepthwiseConvolution {
    public typealias V = SIMD8<Float>

    /// Floats of scratch one worker needs for ``convolvePlane``.
    public static func scratchCount(_ g: ConvolutionGeometry) -> Int { PaddedPlane(g).count }

    /// Convolves one channel plane: `output = activation(conv(input, weights) + bias)`.
    ///
    /// - Parameters:
    ///   - weights: `kernelHeight * kernelWidth` taps.
    ///   - scratch: at least ``scratchCount(_:)`` floats.
    public static func convolvePlane(_ input: UnsafePointer<Float>, weights: UnsafePointer<Float>, bias: Float,
                                     activation: Activation?, output: UnsafeMutablePointer<Float>,
                                     geometry g: ConvolutionGeometry, scratch: UnsafeMutablePointer<Float>) {
        let layout = PaddedPlane(g)
        layout.fill(from: input, geometry: g, padValue: 0, into: scratch)
        switch (g.kernelHeight, g.kernelWidth, g.dilationHeight, g.dilationWidth) {
        case (3, 3, 1, 1): rows(kh: 3, kw: 3, dh: 1, dw: 1, scratch, weights, bias, output, g, layout, activation)
        case (5, 5, 1, 1): rows(kh: 5, kw: 5, dh: 1, dw: 1, scratch, weights, bias, output, g, layout, activation)
        default:
            rows(kh: g.kernelHeight, kw: g.kernelWidth, dh: g.dilationHeight, dw: g.dilationWidth,
                 scratch, weights, bias, output, g, layout, activation)
        }
    }

    @inline(__always)
    static func rows(kh: Int, kw: Int, dh: Int, dw: Int, _ padded: UnsafePointer<Float>,
                     _ weights: UnsafePointer<Float>, _ bias: Float, _ output: UnsafeMutablePointer<Float>,
                     _ g: ConvolutionGeometry, _ layout: PaddedPlane, _ activation: Activation?) {
        let sw = g.strideWidth, sh = g.strideHeight, ow = g.outputWidth
        let stride = layout.rowStride, phaseSize = layout.rows * stride
        let biasVector = V(repeating: bias)
        for oy in 0..<g.outputHeight {
            let out = output + oy * ow
            var ox = 0
            while ox < ow {
                var a0 = biasVector, a1 = biasVector
                for ky in 0..<kh {
                    let rowBase = padded + (oy * sh + ky * dh) * stride + ox
                    for kx in 0..<kw {
                        let column = kx * dw
                        let source = rowBase + (column % sw) * phaseSize + column / sw
                        let w = V(repeating: weights[ky * kw + kx])
                        a0 += w * UnsafeRawPointer(source).loadUnaligned(as: V.self)
                        a1 += w * UnsafeRawPointer(source + 8).loadUnaligned(as: V.self)
                    }
                }
                let remaining = ow - ox
                if remaining >= 16 {
                    UnsafeMutableRawPointer(out + ox).storeBytes(of: a0, as: V.self)
                    UnsafeMutableRawPointer(out + ox + 8).storeBytes(of: a1, as: V.self)
                } else {
                    for i in 0..<min(8, remaining) { out[ox + i] = a0[i] }
                    if remaining > 8 { for i in 0..<(remaining - 8) { out[ox + 8 + i] = a1[i] } }
                }
                ox += 16
            }
            activation?.apply(out, count: ow)
        }
    }
}
