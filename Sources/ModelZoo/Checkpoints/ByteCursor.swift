/// A bounds-checked little-endian reader over a byte buffer.
///
/// Every read checks the remaining length first and throws ``CheckpointError/corrupt(path:reason:)``
/// instead of reading past the end, so truncated files fail cleanly.
struct ByteCursor {
    let bytes: UnsafeRawBufferPointer
    let path: String
    private(set) var position: Int

    init(_ bytes: UnsafeRawBufferPointer, path: String, position: Int = 0) {
        self.bytes = bytes
        self.path = path
        self.position = position
    }

    var remaining: Int { bytes.count - position }
    var isAtEnd: Bool { position >= bytes.count }

    func truncated(_ what: String) -> CheckpointError {
        .corrupt(path: path, reason: "truncated: \(what) needs more bytes than remain at offset \(position)")
    }

    mutating func seek(to offset: Int) throws {
        guard offset >= 0, offset <= bytes.count else { throw truncated("seek to \(offset)") }
        position = offset
    }

    mutating func skip(_ count: Int, _ what: String = "skip") throws {
        guard count >= 0, count <= remaining else { throw truncated(what) }
        position += count
    }

    mutating func u8(_ what: String = "byte") throws -> UInt8 {
        guard remaining >= 1 else { throw truncated(what) }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func u16(_ what: String = "uint16") throws -> UInt16 {
        UInt16(truncatingIfNeeded: try littleEndian(2, what))
    }

    mutating func u32(_ what: String = "uint32") throws -> UInt32 {
        UInt32(truncatingIfNeeded: try littleEndian(4, what))
    }

    mutating func u64(_ what: String = "uint64") throws -> UInt64 { try littleEndian(8, what) }

    mutating func i32(_ what: String = "int32") throws -> Int32 { Int32(bitPattern: try u32(what)) }

    mutating func i64(_ what: String = "int64") throws -> Int64 { Int64(bitPattern: try u64(what)) }

    /// `count` bytes as a slice of the underlying buffer (no copy).
    mutating func slice(_ count: Int, _ what: String) throws -> UnsafeRawBufferPointer {
        guard count >= 0, count <= remaining else { throw truncated(what) }
        defer { position += count }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<position + count])
    }

    /// Bytes up to (not including) the next newline, which is consumed.
    mutating func line(_ what: String, maxLength: Int = 4096) throws -> UnsafeRawBufferPointer {
        var end = position
        while end < bytes.count, bytes[end] != 0x0A {
            end += 1
            if end - position > maxLength {
                throw CheckpointError.corrupt(path: path, reason: "\(what) longer than \(maxLength) bytes")
            }
        }
        guard end < bytes.count else { throw truncated(what) }
        defer { position = end + 1 }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<end])
    }

    private mutating func littleEndian(_ size: Int, _ what: String) throws -> UInt64 {
        guard remaining >= size else { throw truncated(what) }
        var value: UInt64 = 0
        for i in 0..<size { value |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
        position += size
        return value
    }
}
