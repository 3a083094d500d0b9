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
        for phase in 0..<phases {
            let columns = PhaseColumns(phase: phase, width: rowStride, geometry: g)
            for r in 0..<rows {
                columns.copy(row: r - g.padTop, of: input, geometry: g, padValue: padValue,
                             into: scratch + (phase * rows + r) * rowStride)
            }
        }
    }
}

/// The columns of one horizontal stride phase of a padded row: phase column `j` holds padded
/// column `j * sw + phase`, i.e. input column `j * sw + phase - padLeft`; `valid` are the phase
/// columns inside the input. Shared by ``PaddedPlane`` and ``DirectConvolutionInput``.
struct PhaseColumns {
    let phase: Int, width: Int
    let valid: Range<Int>

    init(phase: Int, width: Int, geometry g: ConvolutionGeometry) {
        let sw = g.strideWidth
        let firstValid = Im2Col.ceilDiv(g.padLeft - phase, sw), endValid = Im2Col.ceilDiv(g.inputWidth + g.padLeft - phase, sw)
        let first = max(0, min(width, firstValid))
        self.phase = phase
        self.width = width
        valid = first..<max(first, min(width, endValid))
    }

    /// Writes this phase of input row `iy` of `plane` (`padValue` for a row outside the input
    /// and for the padding columns) to the `width` floats at `target`.
    func copy(row iy: Int, of plane: UnsafePointer<Float>, geometry g: ConvolutionGeometry, padValue: Float,
              into target: UnsafeMutablePointer<Float>) {
        guard iy >= 0, iy < g.inputHeight, !valid.isEmpty else {
            target.update(repeating: padValue, count: width)
            return
        }
        let sw = g.strideWidth
        if valid.lowerBound > 0 { target.update(repeating: padValue, count: valid.lowerBound) }
        let source = plane + iy * g.inputWidth + valid.lowerBound * sw + phase - g.padLeft
        if sw == 1 {
            (target + valid.lowerBound).update(from: source, count: valid.count)
        } else {
            imgvec_gather_strided(source, sw, valid.count, target + valid.lowerBound)
        }
        if valid.upperBound < width { (target + valid.upperBound).update(repeating: padValue, count: width - valid.upperBound) }
    }
}
