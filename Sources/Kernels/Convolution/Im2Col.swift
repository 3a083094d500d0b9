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
        var row = output
        for channel in 0..<g.inputChannelsPerGroup {
            let plane = input + channel * g.inputPlane
            for ky in 0..<g.kernelHeight {
                for kx in 0..<g.kernelWidth {
                    unfoldRow(plane, g, ky: ky, kx: kx, columns: columns, into: row)
                    row += width
                }
            }
        }
    }

    /// One patch-matrix row: the input value under tap `(ky, kx)` for each output position.
    @inline(__always)
    static func unfoldRow(_ plane: UnsafePointer<Float>, _ g: ConvolutionGeometry, ky: Int, kx: Int,
                          columns: Range<Int>, into row: UnsafeMutablePointer<Float>) {
        let ow = g.outputWidth, sw = g.strideWidth
        let xOffset = kx * g.dilationWidth - g.padLeft
        var position = columns.lowerBound
        var out = row
        while position < columns.upperBound {
            let oy = position / ow
            let ox0 = position - oy * ow
            let count = min(ow - ox0, columns.upperBound - position)
            let iy = oy * g.strideHeight + ky * g.dilationHeight - g.padTop
            if iy < 0 || iy >= g.inputHeight {
                out.update(repeating: 0, count: count)
            } else {
                let source = plane + iy * g.inputWidth
                // Valid ox satisfy 0 <= ox*sw + xOffset < inputWidth.
                let first = max(ox0, ceilDiv(-xOffset, sw))
                let last = min(ox0 + count, ceilDiv(g.inputWidth - xOffset, sw))
                if last <= first {
                    out.update(repeating: 0, count: count)
                } else {
                    let lead = first - ox0
                    if lead > 0 { out.update(repeating: 0, count: lead) }
                    let valid = last - first
                    let start = source + first * sw + xOffset
                    if sw == 1 {
                        (out + lead).update(from: start, count: valid)
                    } else {
                        let target = out + lead
                        for i in 0..<valid { target[i] = start[i * sw] }
                    }
                    let tail = count - lead - valid
                    if tail > 0 { (out + lead + valid).update(repeating: 0, count: tail) }
                }
            }
            out += count
            position += count
        }
    }

    @inline(__always)
    static func ceilDiv(_ a: Int, _ b: Int) -> Int {
        a >= 0 ? (a + b - 1) / b : -((-a) / b)
    }
}
