/// BMP: a bounds-checked parser for uncompressed files (1/4/8-bit palette, 16-bit 555/565,
/// 24-bit, 32-bit BI_RGB and BI_BITFIELDS with byte-aligned masks), bottom-up or top-down.
/// RLE compression is refused as unsupported.
enum BMPDecoder {
    static func decode(_ bytes: [UInt8], limits: DecodeLimits) throws -> RawDecode {
        let reader = ByteReader(bytes, littleEndian: true)
        func u16(_ at: Int) throws -> Int { Int(try reader.u16(at: at)) }
        func u32(_ at: Int) throws -> Int { Int(try reader.u32(at: at)) }
        let dataOffset = try u32(10)
        let headerSize = try u32(14)
        let width: Int, signedHeight: Int, bits: Int
        var compression = 0, colorsUsed = 0, paletteEntrySize = 4
        if headerSize == 12 {           // OS/2 BITMAPCOREHEADER
            width = try u16(18); signedHeight = try u16(20); bits = try u16(24)
            paletteEntrySize = 3
        } else if headerSize >= 40 {
            width = Int(Int32(bitPattern: try reader.u32(at: 18)))
            signedHeight = Int(Int32(bitPattern: try reader.u32(at: 22)))
            bits = try u16(28)
            compression = try u32(30)
            colorsUsed = try u32(46)
        } else {
            throw DecodingFailure(.unsupported, "BMP: unsupported header size \(headerSize)")
        }
        let height = abs(signedHeight), topDown = signedHeight < 0
        try limits.check(width: width, height: height)

        var masks: [UInt32] = [0x00FF_0000, 0x0000_FF00, 0x0000_00FF, 0]
        var afterHeader = 14 + headerSize
        switch (compression, bits) {
        case (0, 1), (0, 4), (0, 8), (0, 24), (0, 32): break
        case (0, 16): masks = [0x7C00, 0x03E0, 0x001F, 0]
        case (3, 16), (3, 32), (6, 16), (6, 32):
            let count = compression == 6 ? 4 : 3
            let maskStart = headerSize >= 52 ? 54 : afterHeader
            for i in 0..<count { masks[i] = try reader.u32(at: maskStart + 4 * i) }
            if headerSize >= 56 && compression == 3 { masks[3] = try reader.u32(at: 66) }
            if headerSize < 52 { afterHeader += 4 * count }
        default:
            throw DecodingFailure(.unsupported, "BMP: unsupported compression \(compression) with \(bits) bits per pixel")
        }

        let rowBytes = (width * bits + 31) / 32 * 4
        guard dataOffset >= 0, dataOffset <= bytes.count, bytes.count - dataOffset >= rowBytes * height else {
            throw DecodingFailure(.truncated, "BMP: image file is truncated")
        }
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        let mode: String
        if bits <= 8 {
            let colors = colorsUsed > 0 ? colorsUsed : 1 << bits
            guard colors <= 256, afterHeader + colors * paletteEntrySize <= bytes.count else {
                throw DecodingFailure(.corrupt, "BMP: invalid palette of \(colors) colours")
            }
            var palette = [UInt8](repeating: 0, count: 768)
            for i in 0..<colors {
                let p = afterHeader + i * paletteEntrySize
                palette[3 * i] = bytes[p + 2]; palette[3 * i + 1] = bytes[p + 1]; palette[3 * i + 2] = bytes[p]
            }
            mode = paletteMode(palette, colors: colors)
            unpackIndexed(bytes, at: dataOffset, rowBytes: rowBytes, bits: bits, width: width, height: height,
                          topDown: topDown, palette: palette, into: &rgb)
        } else {
            let fields = masks.map(BitField.init)
            mode = (bits == 32 && masks[3] != 0) ? "RGBA" : "RGB"
            unpackDirect(bytes, at: dataOffset, rowBytes: rowBytes, bytesPerPixel: bits / 8, width: width,
                         height: height, topDown: topDown, fields: fields, into: &rgb)
        }
        return RawDecode(image: RGBImage(width: width, height: height, pixels: rgb), mode: mode,
                         storedWidth: width, storedHeight: height)
    }

    /// One colour channel's mask, scaled to 0...255 like Pillow's unpackers (floor(v*255/max)).
    private struct BitField {
        let shift: UInt32, maximum: UInt32, mask: UInt32
        init(_ mask: UInt32) {
            self.mask = mask
            shift = mask == 0 ? 0 : UInt32(mask.trailingZeroBitCount)
            maximum = mask >> shift
        }
        @inline(__always) func value(_ pixel: UInt32) -> UInt8 {
            guard maximum > 0 else { return 0 }
            let v = (pixel & mask) >> shift
            return maximum == 255 ? UInt8(v) : UInt8(UInt64(v) * 255 / UInt64(maximum))
        }
    }

    private static func unpackDirect(_ bytes: [UInt8], at offset: Int, rowBytes: Int, bytesPerPixel: Int, width: Int,
                                     height: Int, topDown: Bool, fields: [BitField], into rgb: inout [UInt8]) {
        let (r, g, b) = (fields[0], fields[1], fields[2])
        bytes.withUnsafeBufferPointer { src in
            rgb.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    let row = offset + (topDown ? y : height - 1 - y) * rowBytes
                    for x in 0..<width {
                        let p = row + x * bytesPerPixel, o = (y * width + x) * 3
                        if bytesPerPixel == 3 {
                            dst[o] = src[p + 2]; dst[o + 1] = src[p + 1]; dst[o + 2] = src[p]
                            continue
                        }
                        var pixel = UInt32(src[p]) | UInt32(src[p + 1]) << 8
                        if bytesPerPixel == 4 { pixel |= UInt32(src[p + 2]) << 16 | UInt32(src[p + 3]) << 24 }
                        dst[o] = r.value(pixel); dst[o + 1] = g.value(pixel); dst[o + 2] = b.value(pixel)
                    }
                }
            }
        }
    }

    private static func unpackIndexed(_ bytes: [UInt8], at offset: Int, rowBytes: Int, bits: Int, width: Int,
                                      height: Int, topDown: Bool, palette: [UInt8], into rgb: inout [UInt8]) {
        let perByte = 8 / bits, mask = (1 << bits) - 1
        for y in 0..<height {
            let row = offset + (topDown ? y : height - 1 - y) * rowBytes
            for x in 0..<width {
                let byte = Int(bytes[row + x / perByte])
                let index = (byte >> (8 - bits * (x % perByte + 1))) & mask
                let o = (y * width + x) * 3
                rgb[o] = palette[3 * index]; rgb[o + 1] = palette[3 * index + 1]; rgb[o + 2] = palette[3 * index + 2]
            }
        }
    }

    /// Pillow's BMP palette rule: black/white 2-colour -> "1", gray ramp -> "L", else "P".
    private static func paletteMode(_ palette: [UInt8], colors: Int) -> String {
        let ramp: [Int] = colors == 2 ? [0, 255] : Array(0..<colors)
        let gray = ramp.enumerated().allSatisfy { i, v in
            Int(palette[3 * i]) == v && Int(palette[3 * i + 1]) == v && Int(palette[3 * i + 2]) == v
        }
        return gray ? (colors == 2 ? "1" : "L") : "P"
    }
}
