import CWebP

/// WebP (lossy VP8, lossless VP8L, alpha, animated: first frame) through libwebp,
/// with its default fancy upsampling as Pillow uses it. Alpha is dropped.
enum WebPDecoder {
    static func decode(_ bytes: [UInt8], limits: DecodeLimits) throws -> RawDecode {
        var features = WebPBitstreamFeatures()
        guard WebPGetFeatures(bytes, bytes.count, &features) == VP8_STATUS_OK else {
            throw DecodingFailure(.corrupt, "WEBP: cannot read the bitstream header")
        }
        let mode = features.has_alpha != 0 ? "RGBA" : "RGB"
        if features.has_animation != 0 { return try firstFrame(bytes, limits: limits, mode: mode) }
        let width = Int(features.width), height = Int(features.height)
        try limits.check(width: width, height: height)
        let rgb = try decodeStill(bytes[...], width: width, height: height)
        return RawDecode(image: RGBImage(width: width, height: height, pixels: rgb), mode: mode,
                         storedWidth: width, storedHeight: height)
    }

    /// Decodes a still bitstream (a whole file or one animation frame) of the announced size.
    private static func decodeStill(_ bytes: ArraySlice<UInt8>, width: Int, height: Int) throws -> [UInt8] {
        var check = WebPBitstreamFeatures()
        let headerOK = bytes.withUnsafeBufferPointer { WebPGetFeatures($0.baseAddress, $0.count, &check) }
        guard headerOK == VP8_STATUS_OK, Int(check.width) == width, Int(check.height) == height else {
            throw DecodingFailure(.corrupt, "WEBP: frame header does not match the image size")
        }
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        let ok = bytes.withUnsafeBufferPointer { input in
            rgb.withUnsafeMutableBufferPointer { output in
                WebPDecodeRGBInto(input.baseAddress, input.count, output.baseAddress, output.count, Int32(width * 3)) != nil
            }
        }
        guard ok else { throw DecodingFailure(.corrupt, "WEBP: image file is truncated or corrupt") }
        return rgb
    }

    /// Animated WebP: the first frame placed on a black canvas of the animation's size.
    private static func firstFrame(_ bytes: [UInt8], limits: DecodeLimits, mode: String) throws -> RawDecode {
        return try bytes.withUnsafeBufferPointer { buffer -> RawDecode in
            var input = WebPData(bytes: buffer.baseAddress, size: buffer.count)
            guard let demux = WebPDemux(&input) else {
                throw DecodingFailure(.corrupt, "WEBP: cannot parse the animation container")
            }
            defer { WebPDemuxDelete(demux) }
            let width = Int(WebPDemuxGetI(demux, WEBP_FF_CANVAS_WIDTH))
            let height = Int(WebPDemuxGetI(demux, WEBP_FF_CANVAS_HEIGHT))
            try limits.check(width: width, height: height)
            var iterator = WebPIterator()
            guard WebPDemuxGetFrame(demux, 1, &iterator) != 0 else {
                throw DecodingFailure(.corrupt, "WEBP: the animation has no frame")
            }
            defer { WebPDemuxReleaseIterator(&iterator) }
            let x0 = Int(iterator.x_offset), y0 = Int(iterator.y_offset)
            let frameWidth = Int(iterator.width), frameHeight = Int(iterator.height)
            guard frameWidth > 0, frameHeight > 0, x0 + frameWidth <= width, y0 + frameHeight <= height,
                  let start = iterator.fragment.bytes, iterator.fragment.size > 0 else {
                throw DecodingFailure(.corrupt, "WEBP: the first frame lies outside the canvas")
            }
            let offset = start - buffer.baseAddress!
            guard offset >= 0, offset + iterator.fragment.size <= bytes.count else {
                throw DecodingFailure(.corrupt, "WEBP: the first frame lies outside the file")
            }
            let frame = try decodeStill(bytes[offset..<offset + iterator.fragment.size],
                                        width: frameWidth, height: frameHeight)
            var canvas = RGBImage(width: width, height: height)
            for y in 0..<frameHeight {
                let dst = ((y0 + y) * width + x0) * 3
                canvas.pixels.replaceSubrange(dst..<dst + frameWidth * 3,
                                              with: frame[(y * frameWidth * 3)..<((y + 1) * frameWidth * 3)])
            }
            return RawDecode(image: canvas, mode: mode, storedWidth: width, storedHeight: height)
        }
    }
}
