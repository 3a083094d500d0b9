import CKernels
/// The input of a direct convolution (``GEMM/multiplyDirect(packedA:rows:offsets:b:lines:lineColumns:lineStride:c:ldc:epilogue:)``)
/// for one band of output rows of one image: every input channel padded and split by stride phase,
/// `[channel][row phase][column phase][phase row][phase column]`, so the input under any tap of
/// consecutive output columns is a contiguous run, and one table of offsets places every tap of
/// the reduction (`channel, ky, kx`, the order of the weights' columns).
///
/// Phase `(a, b)` holds padded rows `a, a + sh, ...` and padded columns `b, b + sw, ...`; the tap
/// `(ky, kx)` of output `(oy, ox)` reads phase `(ky % sh, kx % sw)` at phase row `oy + ky / sh`
/// and phase column `ox + kx / sw`. Undilated kernels only.
public struct DirectConvolutionInput {
    public let geometry: ConvolutionGeometry
    /// Output rows per band (the last band may have fewer).
    public let bandRows: Int
    /// Phase rows a band holds, and floats per phase row.
    let phaseRows: Int, rowStride: Int
    /// Each column phase's valid columns.
    let columnPhases: [PhaseColumns]
    /// Floats of one band's buffer, with the slack a 32-float tile load past a row's end needs.
    public let count: Int

    /// Floats a band's buffer aims to stay within (in L2 with the weights' block).
    public static let budget = 160 * 1024

    /// Whether `g` has the shape this layout handles.
    public static func supports(_ g: ConvolutionGeometry) -> Bool {
        g.groups == 1 && g.dilationHeight == 1 && g.dilationWidth == 1 && g.outputHeight > 0 && g.outputWidth > 0
    }

    /// The layout for `g`, with bands of at most `maximumBandRows` output rows (fewer when a band
    /// would exceed `budget` floats; by default ``budget``).
    public init(_ g: ConvolutionGeometry, maximumBandRows: Int, budget: Int = Self.budget) {
        precondition(Self.supports(g), "direct convolution needs one group and no dilation")
        geometry = g
        let columns = (g.outputWidth - 1) + (g.kernelWidth - 1) / g.strideWidth + 1
        rowStride = (columns + 15) / 16 * 16
        let stride = rowStride
        columnPhases = (0..<g.strideWidth).map { PhaseColumns(phase: $0, width: stride, geometry: g) }
        let extraRows = (g.kernelHeight - 1) / g.strideHeight
        let perRow = g.inputChannels * g.strideHeight * g.strideWidth * rowStride
        let fitting = max(1, budget / max(1, perRow) - extraRows)
        bandRows = max(1, min(maximumBandRows, fitting, g.outputHeight))
        phaseRows = bandRows + extraRows
        count = g.inputChannels * g.strideHeight * g.strideWidth * phaseRows * rowStride + 32 + g.kernelWidth
    }

    /// Bands per image.
    public var bands: Int { (geometry.outputHeight + bandRows - 1) / bandRows }

    /// Output rows of band `band`.
    public func rows(ofBand band: Int) -> Range<Int> {
        (band * bandRows)..<min(geometry.outputHeight, (band + 1) * bandRows)
    }

    /// Floats between consecutive output rows' inputs (one phase row).
    public var lineStride: Int { rowStride }

    /// The offset of every tap of the reduction (`reductionDepth` entries) from an output row's base.
    public func offsets() -> [Int] {
        let g = geometry, phasePlane = phaseRows * rowStride
        var table: [Int] = []
        table.reserveCapacity(g.reductionDepth)
        for channel in 0..<g.inputChannels {
            for ky in 0..<g.kernelHeight {
                for kx in 0..<g.kernelWidth {
                    let phase = (channel * g.strideHeight + ky % g.strideHeight) * g.strideWidth + kx % g.strideWidth
                    table.append(phase * phasePlane + (ky / g.strideHeight) * rowStride + kx / g.strideWidth)
                }
            }
        }
        return table
    }

    /// Fills `buffer` (``count`` floats) with band `band` of `image` (one image's NCHW input):
    /// the input channels `channels` (all by default), and the slack after the last channel
    /// when they include it.
    public func fill(band: Int, image: UnsafePointer<Float>, into buffer: UnsafeMutablePointer<Float>,
                     channels: Range<Int>? = nil) {
        let g = geometry, sh = g.strideHeight, sw = g.strideWidth
        let firstPhaseRow = band * bandRows
        let channels = channels ?? 0..<g.inputChannels
        for channel in channels {
            let plane = image + channel * g.inputPlane
            for a in 0..<sh {
                if sw == 2 {
                    // Both column phases of each input row in one pass over it.
                    let phase0 = buffer + (channel * sh + a) * sw * phaseRows * rowStride, phase1 = phase0 + phaseRows * rowStride
                    for r in 0..<phaseRows {
                        let iy = (firstPhaseRow + r) * sh + a - g.padTop
                        if iy >= 0 && iy < g.inputHeight {
                            imgvec_split_phases_stride2(plane + iy * g.inputWidth, g.inputWidth, g.padLeft, rowStride,
                                                        phase0 + r * rowStride, phase1 + r * rowStride)
                        } else {
                            (phase0 + r * rowStride).update(repeating: 0, count: rowStride)
                            (phase1 + r * rowStride).update(repeating: 0, count: rowStride)
                        }
                    }
                    continue
                }
                for b in 0..<sw {
                    let phase = buffer + ((channel * sh + a) * sw + b) * phaseRows * rowStride
                    for r in 0..<phaseRows {
                        columnPhases[b].copy(row: (firstPhaseRow + r) * sh + a - g.padTop, of: plane, geometry: g, padValue: 0,
                                        into: phase + r * rowStride)
                    }
                }
            }
        }
        if channels.upperBound == g.inputChannels {
            (buffer + count - 32 - g.kernelWidth).update(repeating: 0, count: 32 + g.kernelWidth)
        }
    }
}
