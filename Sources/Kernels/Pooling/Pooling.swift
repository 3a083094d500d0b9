import CKernels

/// Max and average pooling over NCHW planes (SIMD over output columns).
///
/// Windows are described by a ``ConvolutionGeometry`` (channels unused). Planes
/// are padded into scratch (see ``PaddedPlane``) with `-inf` for max pooling and
/// `0` for average pooling, so the inner loops have no bounds checks.
public enum Pooling {
    public typealias V = SIMD8<Float>

    /// Floats of scratch one worker needs per plane.
    public static func scratchCount(_ g: ConvolutionGeometry) -> Int {
        PaddedPlane(g).count + g.outputHeight + g.outputWidth
    }

    /// Max pooling of one plane. A 3x3 window at stride 2 (ResNet's stem) reads the input
    /// directly where the CPU has a vector kernel for it (`max_pool.c`); other windows are padded first.
    public static func maxPlane(_ input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                                geometry g: ConvolutionGeometry, scratch: UnsafeMutablePointer<Float>) {
        if g.kernelHeight == 3, g.kernelWidth == 3, g.strideHeight == 2, g.strideWidth == 2,
           g.dilationHeight == 1, g.dilationWidth == 1,
           imgvec_max_pool_3x3s2(input, g.inputHeight, g.inputWidth, output, g.outputHeight, g.outputWidth,
                                 g.padTop, g.padLeft) != 0 {
            return
        }
        let layout = PaddedPlane(g)
        layout.fill(from: input, geometry: g, padValue: -.infinity, into: scratch)
        slide(scratch, layout, g, initial: -.infinity, output: output) { VectorKernels.max($0, $1) }
    }

    /// Average pooling of one plane. With `countIncludePad` the divisor counts
    /// padding (but not the overhang that `ceil_mode` adds past the padding).
    public static func averagePlane(_ input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                                    geometry g: ConvolutionGeometry, countIncludePad: Bool,
                                    scratch: UnsafeMutablePointer<Float>) {
        let layout = PaddedPlane(g)
        layout.fill(from: input, geometry: g, padValue: 0, into: scratch)
        slide(scratch, layout, g, initial: 0, output: output) { $0 + $1 }
        let rowCounts = scratch + layout.count, columnCounts = rowCounts + g.outputHeight
        for oy in 0..<g.outputHeight {
            rowCounts[oy] = Float(tapCount(oy, stride: g.strideHeight, padBegin: g.padTop, kernel: g.kernelHeight,
                                           dilation: g.dilationHeight, extent: g.inputHeight, padEnd: g.padBottom,
                                           includePad: countIncludePad))
        }
        for ox in 0..<g.outputWidth {
            columnCounts[ox] = Float(tapCount(ox, stride: g.strideWidth, padBegin: g.padLeft, kernel: g.kernelWidth,
                                              dilation: g.dilationWidth, extent: g.inputWidth, padEnd: g.padRight,
                                              includePad: countIncludePad))
        }
        for oy in 0..<g.outputHeight {
            let row = output + oy * g.outputWidth
            let rowCount = rowCounts[oy]
            for ox in 0..<g.outputWidth {
                let divisor = rowCount * columnCounts[ox]
                row[ox] = divisor > 0 ? row[ox] / divisor : 0
            }
        }
    }

    /// Taps of a window along one axis that land in the input (or in the padding too, with `includePad`).
    static func tapCount(_ o: Int, stride: Int, padBegin: Int, kernel: Int, dilation: Int, extent: Int,
                         padEnd: Int, includePad: Bool) -> Int {
        let start = o * stride - padBegin
        let lower = includePad ? -padBegin : 0
        let upper = includePad ? extent + padEnd : extent
        var count = 0
        for t in 0..<kernel {
            let position = start + t * dilation
            if position >= lower && position < upper { count += 1 }
        }
        return count
    }

    @inline(__always)
    static func slide(_ padded: UnsafePointer<Float>, _ layout: PaddedPlane, _ g: ConvolutionGeometry,
                      initial: Float, output: UnsafeMutablePointer<Float>, combine: (V, V) -> V) {
        let sw = g.strideWidth, sh = g.strideHeight, ow = g.outputWidth
        let stride = layout.rowStride, phaseSize = layout.phaseSize
        let start = V(repeating: initial)
        let taps = g.kernelHeight * g.kernelWidth
        withUnsafeTemporaryAllocation(of: Int.self, capacity: taps) { offsets in
        for ky in 0..<g.kernelHeight {
            for kx in 0..<g.kernelWidth {
                let column = kx * g.dilationWidth
                offsets[ky * g.kernelWidth + kx] = ky * g.dilationHeight * stride + (column % sw) * phaseSize + column / sw
            }
        }
        for oy in 0..<g.outputHeight {
            let out = output + oy * ow
            var ox = 0
            while ox < ow {
                var a0 = start, a1 = start
                let base = padded + oy * sh * stride + ox
                for tap in 0..<taps {
                    let source = base + offsets[tap]
                    a0 = combine(a0, UnsafeRawPointer(source).loadUnaligned(as: V.self))
                    a1 = combine(a1, UnsafeRawPointer(source + 8).loadUnaligned(as: V.self))
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
        }
        }
    }

    /// `output[i]` = the mean (or, with `maximum`, the largest value) of plane `i` of `planes`
    /// consecutive planes of `count` floats (`plane_reduce.c`: vector accumulators, masked tail).
    public static func globalPool(_ input: UnsafePointer<Float>, planes: Int, count: Int, maximum: Bool,
                                  output: UnsafeMutablePointer<Float>) {
        imgvec_plane_reduce(input, planes, count, maximum ? 1 : 0, output)
    }
}
