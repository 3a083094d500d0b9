/// Bounds-checked little/big-endian reads from a byte array (for the BMP and EXIF parsers).
struct ByteReader {
    let bytes: [UInt8]
    var littleEndian: Bool

    init(_ bytes: [UInt8], littleEndian: Bool) {
        self.bytes = bytes
        self.littleEndian = littleEndian
    }

    func u8(at offset: Int) throws -> UInt8 {
        guard offset >= 0, offset < bytes.count else { throw outOfBounds(offset, 1) }
        return bytes[offset]
    }

    func u16(at offset: Int) throws -> UInt16 {
        guard offset >= 0, offset <= bytes.count - 2 else { throw outOfBounds(offset, 2) }
        let a = UInt16(bytes[offset]), b = UInt16(bytes[offset + 1])
        return littleEndian ? a | b << 8 : a << 8 | b
    }

    func u32(at offset: Int) throws -> UInt32 {
        guard offset >= 0, offset <= bytes.count - 4 else { throw outOfBounds(offset, 4) }
        let a = UInt32(bytes[offset]), b = UInt32(bytes[offset + 1])
        let c = UInt32(bytes[offset + 2]), d = UInt32(bytes[offset + 3])
        return littleEndian ? a | b << 8 | c << 16 | d << 24 : a << 24 | b << 16 | c << 8 | d
    }

    private func outOfBounds(_ offset: Int, _ size: Int) -> DecodingFailure {
        DecodingFailure(.truncated, "image file is truncated (needs \(size) bytes at offset \(offset) of \(bytes.count))")
    }
}
