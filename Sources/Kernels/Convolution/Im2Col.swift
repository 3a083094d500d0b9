import CKernels

/// Unfolds convolution input patches into a column matrix for GEMM.
public enum Im2Col {
    /// Writes rows `(channel, ky, kx)` by columns `columns` (flattened output
    /// positions) of the patch matrix for one image and one group.
    ///
    /// - Parameters:
    ///   - input: the group's first input channel plane (`inputChannelsPerGroup` planes follow).
    ///   - columns: output positions `oy * outputWidth + ox` to unfold.
    ///   - output: `reductionDepth x columns.count`.
    ///   - rowStride: floats between rows of `output` (default `columns.count`).
    public static func unfold(_ input: UnsafePointer<Float>, geometry g: ConvolutionGeometry,
                              columns: Range<Int>, into output: UnsafeMutablePointer<Float>, rowStride: Int? = nil) {
        let width = rowStride ?? columns.count
        let ow = g.outputWidth, kw = g.kernelWidth
        guard !columns.isEmpty, ow > 0 else { return }
        // Output-row segments of the column range (oy, first ox, count), and per kx the valid ox
        // range: computed once, so the copy loops below do no division.
        let capacity = 3 * (columns.count / ow + 2) + 2 * kw
        withUnsafeTemporaryAllocation(of: Int.self, capacity: capacity) { buffer in
            let table = buffer.baseAddress!
            var segments = 0
            var position = columns.lowerBound
            while position < columns.upperBound {
                let oy = position / ow, ox0 = position - oy * ow
                let count = min(ow - ox0, columns.upperBound - position)
                table[3 * segments] = oy; table[3 * segments + 1] = ox0; table[3 * segments + 2] = count
                segments += 1
                position += count
            }
            let validX = table + 3 * segments
            for kx in 0..<kw {
                let xOffset = kx * g.dilationWidth - g.padLeft
                validX[2 * kx] = max(0, ceilDiv(-xOffset, g.strideWidth))
                validX[2 * kx + 1] = min(ow, ceilDiv(g.inputWidth - xOffset, g.strideWidth))
            }
            var row = output
            for channel in 0..<g.inputChannelsPerGroup {
                let plane = input + channel * g.inputPlane
                for ky in 0..<g.kernelHeight {
                    for kx in 0..<kw {
                        unfoldRow(plane, g, ky: ky, kx: kx, segments: UnsafePointer(table), segmentCount: segments,
                                  validFirst: validX[2 * kx], validEnd: validX[2 * kx + 1], into: row)
                        row += width
                    }
                }
            }
        }
    }

    /// One patch-matrix row: the input value under tap `(ky, kx)` for each output position.
    @inline(__always)
    static func unfoldRow(_ plane: UnsafePointer<Float>, _ g: ConvolutionGeometry, ky: Int, kx: Int,
                          segments: UnsafePointer<Int>, segmentCount: Int, validFirst: Int, validEnd: Int,
                          into row: UnsafeMutablePointer<Float>) {
        let sw = g.strideWidth
        let xOffset = kx * g.dilationWidth - g.padLeft
        let yOffset = ky * g.dilationHeight - g.padTop
        var out = row
        for segment in 0..<segmentCount {
            let oy = segments[3 * segment], ox0 = segments[3 * segment + 1], count = segments[3 * segment + 2]
            let iy = oy * g.strideHeight + yOffset
            let first = max(ox0, validFirst), last = min(ox0 + count, validEnd)
            if iy < 0 || iy >= g.inputHeight || last <= first {
                zero(out, count)
            } else {
                let lead = first - ox0
                if lead > 0 { zero(out, lead) }
                let valid = last - first
                let start = plane + iy * g.inputWidth + first * sw + xOffset
                if sw == 1 {
                    copy(start, to: out + lead, valid)
                } else {
                    imgvec_gather_strided(start, sw, valid, out + lead)
                }
                let tail = count - lead - valid
                if tail > 0 { zero(out + lead + valid, tail) }
            }
            out += count
        }
    }

    /// Inline copy (segments are short: a library call per segment would dominate).
    @inline(__always)
    static func copy(_ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, _ count: Int) {
        var i = 0
        while i + 16 <= count {
            UnsafeMutableRawPointer(target + i).storeBytes(of: UnsafeRawPointer(source + i).loadUnaligned(as: SIMD16<Float>.self),
                                                          as: SIMD16<Float>.self)
            i += 16
        }
        while i + 4 <= count {
            UnsafeMutableRawPointer(target + i).storeBytes(of: UnsafeRawPointer(source + i).loadUnaligned(as: SIMD4<Float>.self),
                                                          as: SIMD4<Float>.self)
            i += 4
        }
        while i < count { target[i] = source[i]; i += 1 }
    }

    /// Inline zero fill of a short segment.
    @inline(__always)
    static func zero(_ target: UnsafeMutablePointer<Float>, _ count: Int) {
        var i = 0
        while i + 4 <= count { UnsafeMutableRawPointer(target + i).storeBytes(of: SIMD4<Float>(), as: SIMD4<Float>.self); i += 4 }
        while i < count { target[i] = 0; i += 1 }
    }

    @inline(__always)
    static func ceilDiv(_ a: Int, _ b: Int) -> Int {
        a >= 0 ? (a + b - 1) / b : -((-a) / b)
    }
}
