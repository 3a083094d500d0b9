/// The two passes of one Pillow resize (to `width`×`height`, keeping the window
/// `columns`×`rows`), planned from the sizes alone, so that stage 1 (the horizontally
/// resampled source rows) can come from a decoded image or straight from a decoder's
/// scanlines (``StreamingJPEGPreparation``).
struct ResamplePlan {
    let columns: Range<Int>
    let rows: Range<Int>
    /// The horizontal pass; nil when the width is unchanged (stage 1 is then the source window).
    let horizontal: ResampleCoefficients?
    /// The vertical pass; nil when the height is unchanged.
    let vertical: ResampleCoefficients?

    init(sourceWidth: Int, sourceHeight: Int, width: Int, height: Int, kernel: ConvolutionKernel,
         columns: Range<Int>, rows: Range<Int>) {
        self.columns = columns
        self.rows = rows
        horizontal = width != sourceWidth
            ? ResampleCoefficients(inputSize: sourceWidth, outputSize: width, outputRange: columns, kernel: kernel)
            : nil
        vertical = height != sourceHeight
            ? ResampleCoefficients(inputSize: sourceHeight, outputSize: height, outputRange: rows, kernel: kernel)
            : nil
    }

    /// Source rows stage 1 must hold: those the vertical pass reads, or the window's rows.
    var sourceRows: Range<Int> { vertical?.sourceSpan ?? rows }
    /// Bytes of one stage-1 row (and of one output row).
    var rowBytes: Int { columns.count * 3 }
    /// Bytes of a packed stage 1.
    var stageByteCount: Int { sourceRows.count * rowBytes }

    /// The output window from stage 1: `sourceRows.count` rows of `rowBytes` bytes, `stageStride` apart.
    func finish(stage: UnsafePointer<UInt8>, stageStride: Int) -> RGBImage {
        var out = [UInt8](repeating: 0, count: rows.count * rowBytes)
        out.withUnsafeMutableBufferPointer { dst in
            if let vertical {
                PillowResampler.verticalPass(source: stage, sourceStride: stageStride, firstSourceRow: sourceRows.lowerBound,
                                             rowBytes: rowBytes, coefficients: vertical, destination: dst.baseAddress!)
            } else {
                for r in 0..<rows.count {
                    (dst.baseAddress! + r * rowBytes).update(from: stage + r * stageStride, count: rowBytes)
                }
            }
        }
        return RGBImage(width: columns.count, height: rows.count, pixels: out)
    }
}
