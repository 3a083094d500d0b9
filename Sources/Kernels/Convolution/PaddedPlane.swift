import CKernels

/// A copy of one input plane with its padding made explicit and its columns
/// split by stride phase, so that sliding-window kernels read contiguous vectors.
///
/// Phase `p` holds padded columns `p, p+s, p+2s...` (`s` = horizontal stride), so
/// the input under output column `ox` and tap column offset `c` (already times
/// the dilation) is phase `c % s`, column `ox + c / s`. Rows are padded rows.
/// Rows are wide enough for 16-float loads starting at any output column.
struct PaddedPlane {
    let rows: Int, rowStride: Int, phases: Int

    init(_ g: ConvolutionGeometry) {
        let roundedWidth = (g.outputWidth + 15) / 16 * 16
        rows = (g.outputHeight - 1) * g.strideHeight + (g.kernelHeight - 1) * g.dilationHeight + 1
        rowStride = roundedWidth + (g.kernelWidth - 1) * g.dilationWidth / g.strideWidth + 1
        phases = g.strideWidth
    }

    /// Floats the copy occupies.
    var count: Int { rows * rowStride * phases }
    /// Floats between two phases.
    var phaseSize: Int { rows * rowStride }

    /// Copies `input` (one `inputHeight x inputWidth` plane) into `scratch`, filling padding with `padValue`.
    func fill(from input: UnsafePointer<Float>, geometry g: ConvolutionGeometry, padValue: Float,
              into scratch: UnsafeMutablePointer<Float>) {
        let sw = g.strideWidth, width = rowStride
        for phase in 0..<phases {
            // Phase column j holds input column j*sw + phase - padLeft.
            let firstValid = Im2Col.ceilDiv(g.padLeft - phase, sw)
            let endValid = Im2Col.ceilDiv(g.inputWidth + g.padLeft - phase, sw)
            let first = max(0, min(width, firstValid)), end = max(first, min(width, endValid))
            for r in 0..<rows {
                let target = scratch + (phase * rows + r) * width
                let iy = r - g.padTop
                guard iy >= 0, iy < g.inputHeight, end > first else {
                    target.update(repeating: padValue, count: width)
                    continue
                }
                if first > 0 { target.update(repeating: padValue, count: first) }
                let source = input + iy * g.inputWidth + first * sw + phase - g.padLeft
                if sw == 1 {
                    (target + first).update(from: source, count: end - first)
                } else {
                    imgvec_gather_strided(source, sw, end - first, target + first)
                }
                if end < width { (target + end).update(repeating: padValue, count: width - end) }
            }
        }
    }
}
