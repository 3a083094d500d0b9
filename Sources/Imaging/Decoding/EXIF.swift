/// A bounds-checked reader for the one EXIF field the decoder needs: Orientation (0x0112).
///
/// Never traps on malformed input: every read is range-checked, and anything odd
/// yields `nil` ("no orientation"), as Pillow's `exif_transpose` treats it.
public enum EXIF {
    static let orientationTag: UInt16 = 0x0112
    static let exifHeader: [UInt8] = Array("Exif".utf8) + [0, 0]

    /// The Orientation (1-8) in a TIFF-structured EXIF block ("II*\0"/"MM\0*" + IFD0),
    /// with or without a leading "Exif\0\0"; `nil` when absent or out of range.
    public static func orientation(tiffData: [UInt8]) -> Int? {
        var bytes = tiffData
        if bytes.starts(with: exifHeader) { bytes.removeFirst(exifHeader.count) }
        guard bytes.count >= 8 else { return nil }
        let littleEndian: Bool
        switch (bytes[0], bytes[1]) {
        case (0x49, 0x49): littleEndian = true
        case (0x4D, 0x4D): littleEndian = false
        default: return nil
        }
        let reader = ByteReader(bytes, littleEndian: littleEndian)
        guard (try? reader.u16(at: 2)) == 42, let ifd = try? Int(reader.u32(at: 4)),
              let entries = try? Int(reader.u16(at: ifd)) else { return nil }
        for i in 0..<entries {
            let entry = ifd + 2 + 12 * i
            guard let tag = try? reader.u16(at: entry) else { return nil }
            guard tag == orientationTag, let type = try? reader.u16(at: entry + 2),
                  let count = try? reader.u32(at: entry + 4), count >= 1 else { continue }
            let value: Int?
            switch type {
            case 1, 7: value = (try? reader.u8(at: entry + 8)).map(Int.init)     // BYTE, UNDEFINED
            case 3, 8: value = (try? reader.u16(at: entry + 8)).map(Int.init)    // SHORT, SSHORT
            case 4, 9: value = (try? reader.u32(at: entry + 8)).map(Int.init)    // LONG, SLONG
            default: value = nil
            }
            guard let value, (1...8).contains(value) else { return nil }
            return value
        }
        return nil
    }

    /// The Orientation of a whole image file (JPEG APP1, PNG eXIf, WebP EXIF chunk, TIFF IFD0);
    /// `nil` for formats without EXIF or when there is none.
    public static func orientation(imageFile bytes: [UInt8]) -> Int? {
        guard let format = ImageFormat.sniff(bytes) else { return nil }
        return EXIFLocator.orientation(in: bytes, format: format)
    }
}

/// Finds the EXIF block inside each container format.
enum EXIFLocator {
    static func orientation(in bytes: [UInt8], format: ImageFormat) -> Int? {
        switch format {
        case .tiff: return EXIF.orientation(tiffData: bytes)
        case .jpeg: return jpegEXIF(bytes).flatMap(EXIF.orientation(tiffData:))
        case .png: return pngEXIF(bytes).flatMap(EXIF.orientation(tiffData:))
        case .webp: return webpEXIF(bytes).flatMap(EXIF.orientation(tiffData:))
        case .gif, .bmp: return nil
        }
    }

    /// The first APP1 segment that starts with "Exif\0\0" before the first scan.
    static func jpegEXIF(_ bytes: [UInt8]) -> [UInt8]? {
        var p = 2
        while p + 4 <= bytes.count {
            guard bytes[p] == 0xFF else { return nil }
            let marker = bytes[p + 1]
            if marker == 0xFF { p += 1; continue }                       // fill byte
            if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) { p += 2; continue }
            if marker == 0xDA || marker == 0xD9 { return nil }           // scan data / end
            let length = Int(bytes[p + 2]) << 8 | Int(bytes[p + 3])
            guard length >= 2, p + 2 + length <= bytes.count else { return nil }
            let segment = Array(bytes[(p + 4)..<(p + 2 + length)])
            if marker == 0xE1 && segment.starts(with: EXIF.exifHeader) { return segment }
            p += 2 + length
        }
        return nil
    }

    /// The eXIf chunk (anywhere before IEND).
    static func pngEXIF(_ bytes: [UInt8]) -> [UInt8]? {
        var p = 8
        while p + 12 <= bytes.count {
            let length = Int(bytes[p]) << 24 | Int(bytes[p + 1]) << 16 | Int(bytes[p + 2]) << 8 | Int(bytes[p + 3])
            let type = String(decoding: bytes[(p + 4)..<(p + 8)], as: UTF8.self)
            guard length >= 0, length <= bytes.count - p - 12 else { return nil }
            if type == "eXIf" { return Array(bytes[(p + 8)..<(p + 8 + length)]) }
            if type == "IEND" { return nil }
            p += 12 + length
        }
        return nil
    }

    /// The RIFF "EXIF" chunk.
    static func webpEXIF(_ bytes: [UInt8]) -> [UInt8]? {
        var p = 12
        while p + 8 <= bytes.count {
            let type = String(decoding: bytes[p..<(p + 4)], as: UTF8.self)
            let size = Int(bytes[p + 4]) | Int(bytes[p + 5]) << 8 | Int(bytes[p + 6]) << 16 | Int(bytes[p + 7]) << 24
            guard size <= bytes.count - p - 8 else { return nil }
            if type == "EXIF" { return Array(bytes[(p + 8)..<(p + 8 + size)]) }
            p += 8 + size + (size & 1)
        }
        return nil
    }
}
