import CImageCodecs

/// Decode and prepare a JPEG in one pass: libjpeg's scanlines go straight through Pillow's
/// horizontal resampling pass (``ResamplePlan``), keeping only the rows the vertical pass
/// reads, so a camera photo is never held whole (a 12-megapixel decode would be a 36 MB
/// buffer to fault in, fill and read back). Bit-identical to decoding fully and calling
/// ``PreprocessingRecipe/preparedImage(_:)``: same libjpeg settings, same integer arithmetic.
///
/// A nearest-neighbour resize (the Keras recipe) reconstructs only the source rows it samples
/// (``sampled(_:window:scale:width:height:)``).
///
/// Applies to 1- and 3-component JPEGs whose EXIF orientation is upright (or ignored);
/// anything else returns nil and takes the general path.
enum StreamingJPEGPreparation {
    static func prepare(_ bytes: [UInt8], recipe: PreprocessingRecipe, draft: (width: Int, height: Int)?,
                        decoder: ImageDecoder) throws -> PreparedImage? {
        guard ImageFormat.sniff(bytes) == .jpeg else { return nil }
        if decoder.applyEXIFOrientation, let orientation = EXIFLocator.orientation(in: bytes, format: .jpeg),
           orientation != 1 { return nil }
        let (header, scale) = try JPEGDecoder.readHeader(bytes, limits: DecodeLimits(maxPixels: decoder.maxPixels), draft: draft)
        guard header.output_channels == 1 || header.output_channels == 3 else { return nil }
        let width = Int(header.output_width), height = Int(header.output_height)

        let window = try recipe.preparationWindow(width: width, height: height)
        guard let kernel = recipe.interpolation.convolutionKernel else {
            let pixels = try sampled(bytes, window: window, scale: scale, width: width, height: height)
            return PreparedImage(pixels: window.finish(pixels), format: .jpeg, decodedWidth: width, decodedHeight: height)
        }
        let plan = ResamplePlan(sourceWidth: width, sourceHeight: height, width: window.resizedWidth,
                                height: window.resizedHeight, kernel: kernel, columns: window.columns, rows: window.rows)
        var message = [CChar](repeating: 0, count: Int(IMGC_MESSAGE_SIZE) + 1)
        // Every byte is written by the decoder (or the call fails and the buffer is dropped).
        var stage = [UInt8](unsafeUninitializedCapacity: plan.stageByteCount) { _, count in count = plan.stageByteCount }
        let status = stage.withUnsafeMutableBufferPointer { buffer in
            let target = (baseAddress: buffer.baseAddress, count: buffer.count)
            let decode = { (axis: UnsafePointer<imgc_resample_axis>?) in
                imgc_jpeg_decode_resampled(bytes, bytes.count, Int32(scale), plan.sourceRows.lowerBound, plan.sourceRows.count,
                                           plan.columns.lowerBound, plan.columns.count, axis,
                                           target.baseAddress, target.count, &message)
            }
            guard let horizontal = plan.horizontal else { return decode(nil) }
            return horizontal.withAxis { axis in decode(&axis) }
        }
        guard status == 0 else { throw DecodingFailure.library(.jpeg, String(cString: message)) }
        let resampled = stage.withUnsafeBufferPointer { plan.finish(stage: $0.baseAddress!, stageStride: plan.rowBytes) }
        return PreparedImage(pixels: window.finish(resampled), format: .jpeg, decodedWidth: width, decodedHeight: height)
    }

    /// The window of the nearest-neighbour resize of a `width`×`height` JPEG: the same source
    /// pixels ``NearestNeighbourScaler`` picks (for an unchanged size, the identity: a crop).
    static func sampled(_ bytes: [UInt8], window: PreparationWindow, scale: Int, width: Int, height: Int) throws -> RGBImage {
        func sources(_ size: Int, _ resized: Int, _ range: Range<Int>) -> [Int] {
            Array(NearestNeighbourScaler.sourceIndices(inputSize: size, outputSize: resized, upTo: range.upperBound)[range])
        }
        let rows = sources(height, window.resizedHeight, window.rows)
        let columns = sources(width, window.resizedWidth, window.columns)
        var message = [CChar](repeating: 0, count: Int(IMGC_MESSAGE_SIZE) + 1)
        let byteCount = rows.count * columns.count * 3
        // Every byte is written by the decoder (or the call fails and the buffer is dropped).
        var pixels = [UInt8](unsafeUninitializedCapacity: byteCount) { _, count in count = byteCount }
        let status = pixels.withUnsafeMutableBufferPointer { buffer in
            imgc_jpeg_decode_sampled(bytes, bytes.count, Int32(scale), rows, rows.count, columns, columns.count,
                                     buffer.baseAddress, buffer.count, &message)
        }
        guard status == 0 else { throw DecodingFailure.library(.jpeg, String(cString: message)) }
        return RGBImage(width: columns.count, height: rows.count, pixels: pixels)
    }
}
