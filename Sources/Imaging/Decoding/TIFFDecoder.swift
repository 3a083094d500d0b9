import CImageCodecs

/// TIFF through libtiff (any compression it supports; strips or tiles), first image,
/// 8-bit contiguous samples: RGB(A), gray (min-is-black / min-is-white) and palette.
enum TIFFDecoder {
    static func decode(_ bytes: [UInt8], limits: DecodeLimits) throws -> RawDecode {
        var message = [CChar](repeating: 0, count: Int(IMGC_MESSAGE_SIZE) + 1)
        var header = imgc_tiff_header()
        guard imgc_tiff_read_header(bytes, bytes.count, &header, &message) == 0 else {
            throw DecodingFailure.library(.tiff, String(cString: message))
        }
        let width = Int(header.width), height = Int(header.height)
        try limits.check(width: width, height: height)
        let spp = Int(header.samples_per_pixel), photometric = Int(header.photometric)
        guard header.bits_per_sample == 8, header.planar_config == 1 else {
            throw DecodingFailure(.unsupported, "TIFF: unsupported variant (\(header.bits_per_sample) bits per sample, planar config \(header.planar_config))")
        }
        let mode: String
        switch (photometric, spp) {
        case (0, 1), (1, 1): mode = "L"
        case (0, 2), (1, 2): mode = "LA"
        case (2, 3): mode = "RGB"
        case (2, 4...): mode = header.extra_sample_kind == 1 ? "RGBa" : header.extra_sample_kind == 2 ? "RGBA" : "RGBX"
        case (3, 1) where header.has_colormap != 0: mode = "P"
        default:
            throw DecodingFailure(.unsupported, "TIFF: unsupported variant (photometric \(photometric), \(spp) samples per pixel)")
        }
        let count = width * height
        var samples = [UInt8](repeating: 0, count: count * spp)
        var colormap = [UInt16](repeating: 0, count: 768)
        let status = samples.withUnsafeMutableBufferPointer { buffer in
            imgc_tiff_read_samples(bytes, bytes.count, buffer.baseAddress, buffer.count, &colormap, &message)
        }
        guard status == 0 else { throw DecodingFailure.library(.tiff, String(cString: message)) }
        let rgb: [UInt8]
        switch mode {
        case "L", "LA":
            if photometric == 0 {   // min-is-white
                for i in stride(from: 0, to: samples.count, by: spp) { samples[i] = 255 - samples[i] }
            }
            rgb = PixelConversion.grayToRGB(samples, pixelCount: count, stride: spp)
        case "P":
            var palette = [UInt8](repeating: 0, count: 768)
            for i in 0..<256 {
                palette[3 * i] = UInt8(colormap[i] >> 8)
                palette[3 * i + 1] = UInt8(colormap[256 + i] >> 8)
                palette[3 * i + 2] = UInt8(colormap[512 + i] >> 8)
            }
            rgb = PixelConversion.paletteToRGB(samples, pixelCount: count, palette: palette)
        default:
            rgb = PixelConversion.firstThree(samples, pixelCount: count, stride: spp)
        }
        return RawDecode(image: RGBImage(width: width, height: height, pixels: rgb), mode: mode,
                         storedWidth: width, storedHeight: height)
    }
}
