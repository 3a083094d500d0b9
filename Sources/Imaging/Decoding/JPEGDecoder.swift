import CImageCodecs

/// JPEG through libjpeg-turbo (accurate integer IDCT, fancy upsampling: Pillow's settings).
enum JPEGDecoder {
    static func decode(_ bytes: [UInt8], limits: DecodeLimits, draft: (width: Int, height: Int)?) throws -> RawDecode {
        var message = [CChar](repeating: 0, count: Int(IMGC_MESSAGE_SIZE) + 1)
        let (header, scale) = try readHeader(bytes, limits: limits, draft: draft)
        let width = Int(header.width), height = Int(header.height)
        let outWidth = Int(header.output_width), outHeight = Int(header.output_height)
        let channels = Int(header.output_channels)
        var samples = [UInt8](repeating: 0, count: outWidth * outHeight * channels)
        let status = samples.withUnsafeMutableBufferPointer { buffer in
            imgc_jpeg_decode(bytes, bytes.count, Int32(scale), buffer.baseAddress, buffer.count, &message)
        }
        guard status == 0 else { throw DecodingFailure.library(.jpeg, String(cString: message)) }
        let count = outWidth * outHeight
        let mode: String, rgb: [UInt8]
        switch channels {
        case 1: mode = "L"; rgb = PixelConversion.grayToRGB(samples, pixelCount: count)
        case 3: mode = "RGB"; rgb = samples
        default:
            mode = "CMYK"
            rgb = PixelConversion.cmykToRGB(samples, pixelCount: count, inverted: header.saw_adobe_marker != 0)
        }
        return RawDecode(image: RGBImage(width: outWidth, height: outHeight, pixels: rgb), mode: mode,
                         storedWidth: width, storedHeight: height)
    }

    /// The header (its `output_*` fields for the draft scale) once the stored size passes `limits`,
    /// and the DCT scale denominator (1, 2, 4 or 8) for `draft`.
    static func readHeader(_ bytes: [UInt8], limits: DecodeLimits,
                           draft: (width: Int, height: Int)?) throws -> (imgc_jpeg_header, Int) {
        var message = [CChar](repeating: 0, count: Int(IMGC_MESSAGE_SIZE) + 1)
        var header = imgc_jpeg_header()
        guard imgc_jpeg_read_header(bytes, bytes.count, 1, &header, &message) == 0 else {
            throw DecodingFailure.library(.jpeg, String(cString: message))
        }
        let width = Int(header.width), height = Int(header.height)
        try limits.check(width: width, height: height)
        let scale = draft.map { draftScale(width: width, height: height, requested: $0) } ?? 1
        if scale != 1, imgc_jpeg_read_header(bytes, bytes.count, Int32(scale), &header, &message) != 0 {
            throw DecodingFailure.library(.jpeg, String(cString: message))
        }
        return (header, scale)
    }

    /// Pillow's `JpegImageFile.draft`: scale = min(W // w, H // h), rounded down to 8, 4, 2 or 1.
    static func draftScale(width: Int, height: Int, requested: (width: Int, height: Int)) -> Int {
        guard requested.width > 0, requested.height > 0 else { return 1 }
        let ratio = min(width / requested.width, height / requested.height)
        return [8, 4, 2].first { ratio >= $0 } ?? 1
    }
}
