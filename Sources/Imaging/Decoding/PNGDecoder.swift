import CImageCodecs

/// PNG through libpng: every colour type and bit depth, Adam7, CRC errors fatal.
enum PNGDecoder {
    static func decode(_ bytes: [UInt8], limits: DecodeLimits,
                       sixteenBitGray: ImageDecoder.SixteenBitGray) throws -> RawDecode {
        var message = [CChar](repeating: 0, count: Int(IMGC_MESSAGE_SIZE) + 1)
        var header = imgc_png_header()
        guard imgc_png_read_header(bytes, bytes.count, &header, &message) == 0 else {
            throw DecodingFailure.library(.png, String(cString: message))
        }
        let width = Int(header.width), height = Int(header.height)
        try limits.check(width: width, height: height)
        let mode = pillowMode(colorType: header.color_type, bitDepth: header.bit_depth)
        let count = width * height
        let clip16 = mode == "I;16" && sixteenBitGray == .pillowClip
        var samples = [UInt8](repeating: 0, count: count * (clip16 ? 2 : 3))
        let status = samples.withUnsafeMutableBufferPointer { buffer in
            imgc_png_decode(bytes, bytes.count, clip16 ? 1 : 0, buffer.baseAddress, buffer.count, &message)
        }
        guard status == 0 else { throw DecodingFailure.library(.png, String(cString: message)) }
        let rgb = clip16 ? clippedGray16(samples, pixelCount: count) : samples
        return RawDecode(image: RGBImage(width: width, height: height, pixels: rgb), mode: mode,
                         storedWidth: width, storedHeight: height)
    }

    /// Pillow's I;16 -> RGB: each 16-bit value clipped to 255 and replicated.
    private static func clippedGray16(_ samples: [UInt8], pixelCount: Int) -> [UInt8] {
        var gray = [UInt8](repeating: 0, count: pixelCount)
        samples.withUnsafeBytes { raw in
            for i in 0..<pixelCount {
                gray[i] = UInt8(min(raw.load(fromByteOffset: 2 * i, as: UInt16.self), 255))
            }
        }
        return PixelConversion.grayToRGB(gray, pixelCount: pixelCount)
    }

    /// The mode Pillow's PngImagePlugin gives each (colour type, bit depth).
    static func pillowMode(colorType: Int32, bitDepth: Int32) -> String {
        switch colorType {
        case 0: return bitDepth == 1 ? "1" : bitDepth == 16 ? "I;16" : "L"
        case 2: return "RGB"
        case 3: return "P"
        case 4: return "LA"
        default: return "RGBA"
        }
    }
}
