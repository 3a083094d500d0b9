import CImageCodecs

/// Pillow-exact resizing of ``RGBImage`` (`Image.resize(size, filter)` without `box` or
/// `reducing_gap`), optionally computing only a window of the resized image.
///
/// Every output pixel of Pillow's resize depends only on its own coordinates, so resizing
/// just the pixels a centre crop keeps gives bit-identical results for a fraction of the work.
public enum PillowResampler {
    /// `image` resized to `width`×`height` with `interpolation`, bit-identical to Pillow's
    /// `Image.resize((width, height), filter)` on an RGB image. Same size returns a copy.
    public static func resize(_ image: RGBImage, width: Int, height: Int,
                              interpolation: Interpolation) throws -> RGBImage {
        try resize(image, width: width, height: height, interpolation: interpolation,
                   columns: 0..<width, rows: 0..<height)
    }

    /// The window `columns`×`rows` of `image` resized to `width`×`height` (the window must lie
    /// inside the resized image).
    public static func resize(_ image: RGBImage, width: Int, height: Int, interpolation: Interpolation,
                              columns: Range<Int>, rows: Range<Int>) throws -> RGBImage {
        guard width > 0, height > 0 else {
            throw PreprocessingError.invalidSize("cannot resize to \(width)×\(height)")
        }
        guard image.width > 0, image.height > 0 else {
            throw PreprocessingError.invalidSize("cannot resize an empty \(image.width)×\(image.height) image")
        }
        guard columns.lowerBound >= 0, columns.upperBound <= width,
              rows.lowerBound >= 0, rows.upperBound <= height else {
            throw PreprocessingError.invalidSize("window \(columns)×\(rows) is outside \(width)×\(height)")
        }
        if width == image.width && height == image.height {
            return crop(image, columns: columns, rows: rows)
        }
        guard let kernel = interpolation.convolutionKernel else {
            return NearestNeighbourScaler.resize(image, width: width, height: height, columns: columns, rows: rows)
        }
        return convolve(image, width: width, height: height, kernel: kernel, columns: columns, rows: rows)
    }

    /// The pixels `columns`×`rows` of `image` (all inside it).
    static func crop(_ image: RGBImage, columns: Range<Int>, rows: Range<Int>) -> RGBImage {
        if columns == 0..<image.width && rows == 0..<image.height { return image }
        var out = [UInt8](repeating: 0, count: columns.count * rows.count * 3)
        let rowBytes = columns.count * 3
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for (r, y) in rows.enumerated() {
                    let from = src.baseAddress! + (y * image.width + columns.lowerBound) * 3
                    (dst.baseAddress! + r * rowBytes).update(from: from, count: rowBytes)
                }
            }
        }
        return RGBImage(width: columns.count, height: rows.count, pixels: out)
    }

    /// Pillow's two-pass separable resampler: horizontal pass into an 8-bit buffer holding only
    /// the source rows the vertical pass reads, then the vertical pass. A pass is skipped when
    /// its dimension is unchanged, as in Pillow.
    static func convolve(_ image: RGBImage, width: Int, height: Int, kernel: ConvolutionKernel,
                         columns: Range<Int>, rows: Range<Int>) -> RGBImage {
        let plan = ResamplePlan(sourceWidth: image.width, sourceHeight: image.height, width: width, height: height,
                                kernel: kernel, columns: columns, rows: rows)
        guard let horizontal = plan.horizontal else {
            // Stage 1 is the source itself: its rows `sourceRows`, from column `columns.lowerBound`.
            return image.pixels.withUnsafeBufferPointer { src in
                plan.finish(stage: src.baseAddress! + (plan.sourceRows.lowerBound * image.width + columns.lowerBound) * 3,
                            stageStride: image.width * 3)
            }
        }
        var intermediate = [UInt8](repeating: 0, count: plan.stageByteCount)
        image.pixels.withUnsafeBufferPointer { src in
            intermediate.withUnsafeMutableBufferPointer { dst in
                horizontalPass(source: src.baseAddress!, sourceWidth: image.width, rows: plan.sourceRows,
                               coefficients: horizontal, destination: dst.baseAddress!)
            }
        }
        return intermediate.withUnsafeBufferPointer { plan.finish(stage: $0.baseAddress!, stageStride: plan.rowBytes) }
    }

    /// Horizontal pass over interleaved RGB rows `rows` of the source (C: `imgc_resample_rows`).
    private static func horizontalPass(source: UnsafePointer<UInt8>, sourceWidth: Int, rows: Range<Int>,
                                       coefficients: ResampleCoefficients,
                                       destination: UnsafeMutablePointer<UInt8>) {
        coefficients.withAxis { axis in
            imgc_resample_rows(source + rows.lowerBound * sourceWidth * 3, sourceWidth * 3, rows.count, &axis, destination)
        }
    }

    /// Vertical pass: each output row is a weighted sum of whole stage-1 rows (channels are
    /// independent, so a row is treated as `rowBytes` scalars; integer sums do not depend on order).
    static func verticalPass(source: UnsafePointer<UInt8>, sourceStride: Int, firstSourceRow: Int,
                                     rowBytes: Int, coefficients: ResampleCoefficients,
                                     destination: UnsafeMutablePointer<UInt8>) {
        var accumulator = [Int32](repeating: 0, count: rowBytes)
        let stride = coefficients.stride
        coefficients.weights.withUnsafeBufferPointer { weightBuffer in
            accumulator.withUnsafeMutableBufferPointer { accBuffer in
                let acc = accBuffer.baseAddress!
                for slot in 0..<coefficients.outputRange.count {
                    acc.update(repeating: ResampleCoefficients.roundingOffset, count: rowBytes)
                    let k = weightBuffer.baseAddress! + slot * stride
                    let start = coefficients.starts[slot] - firstSourceRow
                    for t in 0..<coefficients.counts[slot] {
                        let w = k[t]
                        let row = source + (start + t) * sourceStride
                        for i in 0..<rowBytes { acc[i] = acc[i] &+ Int32(row[i]) &* w }
                    }
                    let out = destination + slot * rowBytes
                    for i in 0..<rowBytes { out[i] = ResampleCoefficients.clip8(acc[i]) }
                }
            }
        }
    }
}
