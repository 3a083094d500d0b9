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
        let taps = g.kernelHeight * g.kernelWidth
        withUnsafeTemporaryAllocation(of: Int.self, capacity: taps) { offsets in
            // Tap offsets inside the padded copy, relative to (oy * sh) row and output column ox.
            for ky in 0..<g.kernelHeight {
                for kx in 0..<g.kernelWidth {
                    let column = kx * g.dilationWidth
                    offsets[ky * g.kernelWidth + kx] = ky * g.dilationHeight * layout.rowStride
                        + (column % g.strideWidth) * layout.phaseSize + column / g.strideWidth
                }
            }
            let base = UnsafePointer(offsets.baseAddress!)
            switch taps {
            case 9: rows(taps: 9, base, scratch, weights, bias, output, g, layout, activation)
            case 25: rows(taps: 25, base, scratch, weights, bias, output, g, layout, activation)
            default: rows(taps: taps, base, scratch, weights, bias, output, g, layout, activation)
            }
        }
    }

    @inline(__always)
    static func rows(taps: Int, _ offsets: UnsafePointer<Int>, _ padded: UnsafePointer<Float>,
                     _ weights: UnsafePointer<Float>, _ bias: Float, _ output: UnsafeMutablePointer<Float>,
                     _ g: ConvolutionGeometry, _ layout: PaddedPlane, _ activation: Activation?) {
        let ow = g.outputWidth, rowStep = g.strideHeight * layout.rowStride
        let biasVector = V(repeating: bias)
        // Relu / Clip (or nothing) clamp in registers; other activations run per row afterwards.
        let bounds = VectorKernels.clampBounds(activation)
        let lo = V(repeating: bounds?.0 ?? -.infinity), hi = V(repeating: bounds?.1 ?? .infinity)
        let rowActivation = bounds == nil ? activation : nil
        for oy in 0..<g.outputHeight {
            let out = output + oy * ow
            let rowBase = padded + oy * rowStep
            var ox = 0
            while ox < ow {
                var a0 = biasVector, a1 = biasVector
                let base = rowBase + ox
                for tap in 0..<taps {
                    let source = base + offsets[tap]
                    let w = V(repeating: weights[tap])
                    a0 += w * UnsafeRawPointer(source).loadUnaligned(as: V.self)
                    a1 += w * UnsafeRawPointer(source + 8).loadUnaligned(as: V.self)
                }
                a0 = VectorKernels.min(VectorKernels.max(a0, lo), hi)
                a1 = VectorKernels.min(VectorKernels.max(a1, lo), hi)
                let remaining = ow - ox
                if remaining >= 16 {
                    UnsafeMutableRawPointer(out + ox).storeBytes(of: a0, as: V.self)
                    UnsafeMutableRawPointer(out + ox + 8).storeBytes(of: a1, as: V.self)
                } else {
                    for i in 0..<Swift.min(8, remaining) { out[ox + i] = a0[i] }
                    if remaining > 8 { for i in 0..<(remaining - 8) { out[ox + 8 + i] = a1[i] } }
                }
                ox += 16
            }
            if let rowActivation { rowActivation.apply(out, count: ow) }
        }
    }
}
