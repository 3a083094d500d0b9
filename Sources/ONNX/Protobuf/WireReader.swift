/// The four protobuf wire types ONNX uses (groups, types 3 and 4, are rejected).
enum WireType: UInt8 {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case fixed32 = 5
}

/// A bounds-checked cursor over one protobuf message inside a byte buffer.
///
/// Positions are absolute offsets into the whole buffer (the model file), so a
/// length-delimited field can be located in the file and viewed in place.
/// Every length read from the input is checked against the bytes left in the
/// current message before it is used, and nested messages are limited to
/// ``maximumDepth`` levels, so malformed input throws instead of trapping,
/// hanging or allocating.
struct WireReader {
    /// Deepest nesting of messages accepted.
    static let maximumDepth = 32

    /// The whole buffer (the model file).
    let buffer: UnsafeRawBufferPointer
    /// Name of the model, for error messages.
    let path: String
    /// The message being read, for error messages (`TensorProto`...).
    let messageName: String
    /// Nesting level of this message (the model is 0).
    let depth: Int
    /// Absolute offset of the next byte to read.
    private(set) var position: Int
    /// Absolute offset one past the message's last byte.
    let end: Int

    init(buffer: UnsafeRawBufferPointer, path: String, messageName: String) {
        self.init(buffer: buffer, path: path, messageName: messageName, depth: 0, range: 0..<buffer.count)
    }

    init(buffer: UnsafeRawBufferPointer, path: String, messageName: String, depth: Int, range: Range<Int>) {
        self.buffer = buffer
        self.path = path
        self.messageName = messageName
        self.depth = depth
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    /// True when the message has no more fields.
    var isAtEnd: Bool { position >= end }

    /// Bytes left in the message.
    var remaining: Int { end - position }

    /// An error at the current position.
    func error(_ reason: String) -> ONNXError {
        .malformed(path: path, offset: position, reason: "\(messageName): \(reason)")
    }

    // MARK: Scalars

    /// Reads a base-128 varint (at most 10 bytes).
    mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw error("varint runs past the end of the message") }
            let byte = buffer[position]
            position += 1
            if shift == 63 && byte > 1 { throw error("varint longer than 64 bits") }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// Reads a varint as a signed 64-bit integer (two's complement, as int64/int32 fields are encoded).
    mutating func readInt64() throws -> Int64 { Int64(bitPattern: try readVarint()) }

    /// Reads a varint that must fit in `Int` and be non-negative (used for enums and versions).
    mutating func readInt() throws -> Int { Int(truncatingIfNeeded: try readInt64()) }

    /// Reads 4 little-endian bytes.
    mutating func readFixed32() throws -> UInt32 {
        guard remaining >= 4 else { throw error("fixed32 runs past the end of the message") }
        let value = buffer.loadUnaligned(fromByteOffset: position, as: UInt32.self)
        position += 4
        return UInt32(littleEndian: value)
    }

    /// Reads 8 little-endian bytes.
    mutating func readFixed64() throws -> UInt64 {
        guard remaining >= 8 else { throw error("fixed64 runs past the end of the message") }
        let value = buffer.loadUnaligned(fromByteOffset: position, as: UInt64.self)
        position += 8
        return UInt64(littleEndian: value)
    }

    // MARK: Length-delimited

    /// Reads a length prefix and returns the absolute byte range it covers.
    mutating func readLengthDelimited() throws -> Range<Int> {
        let start = position
        let length = try readVarint()
        guard length <= UInt64(remaining) else {
            let left = remaining
            position = start
            throw error("length \(length) exceeds the \(left) bytes left")
        }
        let range = position..<(position + Int(length))
        position = range.upperBound
        return range
    }

    /// Reads a nested message and returns a reader confined to it.
    mutating func readMessage(_ name: String) throws -> WireReader {
        guard depth < Self.maximumDepth else { throw error("messages nested deeper than \(Self.maximumDepth) levels") }
        let range = try readLengthDelimited()
        return WireReader(buffer: buffer, path: path, messageName: name, depth: depth + 1, range: range)
    }

    /// Reads a length-delimited UTF-8 string (invalid sequences are replaced).
    mutating func readString() throws -> String {
        let range = try readLengthDelimited()
        return String(decoding: UnsafeRawBufferPointer(rebasing: buffer[range]), as: UTF8.self)
    }

    // MARK: Tags

    /// Reads the next field's tag: its number and wire type.
    mutating func readTag() throws -> (field: Int, wireType: WireType) {
        let key = try readVarint()
        let field = key >> 3
        guard field >= 1 && field <= 536_870_911 else { throw error("invalid field number \(field)") }
        guard let wireType = WireType(rawValue: UInt8(key & 7)) else {
            throw error("unsupported wire type \(key & 7) for field \(field)")
        }
        return (Int(field), wireType)
    }

    /// Skips a field's value.
    mutating func skip(_ wireType: WireType) throws {
        switch wireType {
        case .varint: _ = try readVarint()
        case .fixed64: _ = try readFixed64()
        case .fixed32: _ = try readFixed32()
        case .lengthDelimited: _ = try readLengthDelimited()
        }
    }

    /// Throws unless `wireType` is `expected` (a field encoded with the wrong type).
    func expect(_ wireType: WireType, _ expected: WireType, field: Int) throws {
        guard wireType == expected else {
            throw error("field \(field) has wire type \(wireType.rawValue), expected \(expected.rawValue)")
        }
    }
}
