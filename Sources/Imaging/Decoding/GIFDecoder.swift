import CGIF

/// GIF through giflib: the first frame, placed on the logical screen as Pillow does
/// (canvas filled with the transparent index, or 0), looked up in its palette.
enum GIFDecoder {
    /// The bytes giflib reads from, reached through `GifFileType.UserData`.
    private final class Source {
        let bytes: [UInt8]
        var offset = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }
    }

    private static let read: InputFunc = { gif, out, length in
        guard let gif, let out, length > 0, let user = gif.pointee.UserData else { return 0 }
        let source = Unmanaged<Source>.fromOpaque(user).takeUnretainedValue()
        let n = min(Int(length), source.bytes.count - source.offset)
        guard n > 0 else { return 0 }
        source.bytes.withUnsafeBufferPointer { src in
            out.update(from: src.baseAddress! + source.offset, count: n)
        }
        source.offset += n
        return Int32(n)
    }

    static func decode(_ bytes: [UInt8], limits: DecodeLimits) throws -> RawDecode {
        let source = Source(bytes)
        var status: Int32 = 0
        let opened = withExtendedLifetime(source) {
            DGifOpen(Unmanaged.passUnretained(source).toOpaque(), read, &status)
        }
        guard let gif = opened else { throw failure(status) }
        defer { withExtendedLifetime(source) { var ignored: Int32 = 0; DGifCloseFile(gif, &ignored) } }
        let screenWidth = Int(gif.pointee.SWidth), screenHeight = Int(gif.pointee.SHeight)
        var transparency: UInt8?
        while true {
            var record = UNDEFINED_RECORD_TYPE
            guard DGifGetRecordType(gif, &record) == GIF_OK else { throw failure(gif.pointee.Error) }
            switch record {
            case EXTENSION_RECORD_TYPE:
                var code: Int32 = 0
                var block: UnsafeMutablePointer<GifByteType>?
                guard DGifGetExtension(gif, &code, &block) == GIF_OK else { throw failure(gif.pointee.Error) }
                if code == GRAPHICS_EXT_FUNC_CODE, let block, block[0] >= 4 {
                    transparency = block[1] & 1 != 0 ? block[4] : nil
                }
                while block != nil {
                    guard DGifGetExtensionNext(gif, &block) == GIF_OK else { throw failure(gif.pointee.Error) }
                }
            case IMAGE_DESC_RECORD_TYPE:
                guard DGifGetImageDesc(gif) == GIF_OK else { throw failure(gif.pointee.Error) }
                return try readFrame(gif, screenWidth: screenWidth, screenHeight: screenHeight,
                                     transparency: transparency, limits: limits)
            case TERMINATE_RECORD_TYPE:
                throw DecodingFailure(.corrupt, "GIF: image not found in GIF frame")
            default:
                throw DecodingFailure(.corrupt, "GIF: unexpected record")
            }
        }
    }

    private static func readFrame(_ gif: UnsafeMutablePointer<GifFileType>, screenWidth: Int, screenHeight: Int,
                                  transparency: UInt8?, limits: DecodeLimits) throws -> RawDecode {
        let desc = gif.pointee.Image
        let x0 = Int(desc.Left), y0 = Int(desc.Top), frameWidth = Int(desc.Width), frameHeight = Int(desc.Height)
        let width = max(screenWidth, x0 + frameWidth), height = max(screenHeight, y0 + frameHeight)
        try limits.check(width: width, height: height)
        let palette = colorTable(desc.ColorMap ?? gif.pointee.SColorMap)
        var canvas = [UInt8](repeating: transparency ?? 0, count: width * height)
        if frameWidth > 0 && frameHeight > 0 {
            var line = [UInt8](repeating: 0, count: frameWidth)
            for row in rowOrder(height: frameHeight, interlaced: desc.Interlace) {
                let ok = line.withUnsafeMutableBufferPointer { DGifGetLine(gif, $0.baseAddress, Int32(frameWidth)) }
                guard ok == GIF_OK else { throw failure(gif.pointee.Error) }
                let start = (y0 + row) * width + x0
                canvas.replaceSubrange(start..<start + frameWidth, with: line)
            }
        }
        let rgb: [UInt8], mode: String
        if let palette {
            mode = "P"; rgb = PixelConversion.paletteToRGB(canvas, pixelCount: width * height, palette: palette)
        } else {
            mode = "L"; rgb = PixelConversion.grayToRGB(canvas, pixelCount: width * height)
        }
        return RawDecode(image: RGBImage(width: width, height: height, pixels: rgb), mode: mode,
                         storedWidth: width, storedHeight: height)
    }

    /// 256 RGB triples (missing entries black), or nil when absent or the identity gray
    /// ramp (Pillow then uses mode L).
    private static func colorTable(_ map: UnsafeMutablePointer<ColorMapObject>?) -> [UInt8]? {
        guard let map, let colors = map.pointee.Colors else { return nil }
        let count = min(Int(map.pointee.ColorCount), 256)
        var table = [UInt8](repeating: 0, count: 768)
        var isGrayRamp = true
        for i in 0..<count {
            let c = colors[i]
            table[3 * i] = c.Red; table[3 * i + 1] = c.Green; table[3 * i + 2] = c.Blue
            if !(Int(c.Red) == i && c.Green == c.Red && c.Blue == c.Red) { isGrayRamp = false }
        }
        return isGrayRamp ? nil : table
    }

    /// Rows in the order the file stores them (Adam-style 4-pass interlace when set).
    private static func rowOrder(height: Int, interlaced: Bool) -> [Int] {
        guard interlaced else { return Array(0..<height) }
        return [(0, 8), (4, 8), (2, 4), (1, 2)].flatMap { start, step in Array(stride(from: start, to: height, by: step)) }
    }

    private static func failure(_ code: Int32) -> DecodingFailure {
        let text = GifErrorString(code).map { String(cString: $0) } ?? "error \(code)"
        return .library(.gif, text == "Failed to read from given file" ? "image file is truncated" : text)
    }
}
