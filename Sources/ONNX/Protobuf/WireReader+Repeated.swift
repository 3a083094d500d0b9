/// Repeated scalar fields, packed (one length-delimited run) or unpacked (one tag per element).
extension WireReader {
    /// Appends int64 (varint) elements.
    mutating func readInt64s(_ wireType: WireType, field: Int, into values: inout [Int64]) throws {
        switch wireType {
        case .varint:
            values.append(try readInt64())
        case .lengthDelimited:
            let range = try readLengthDelimited()
            var packed = self.confined(to: range)
            // Each varint takes at least one byte, so the run bounds the count.
            values.reserveCapacity(values.count + min(range.count, 1 << 20))
            while !packed.isAtEnd { values.append(try packed.readInt64()) }
        default:
            try expect(wireType, .varint, field: field)
        }
    }

    /// Appends float (fixed32) elements.
    mutating func readFloats(_ wireType: WireType, field: Int, into values: inout [Float]) throws {
        switch wireType {
        case .fixed32:
            values.append(Float(bitPattern: try readFixed32()))
        case .lengthDelimited:
            let range = try readLengthDelimited()
            guard range.count % 4 == 0 else { throw error("packed floats of \(range.count) bytes (not a multiple of 4)") }
            values.reserveCapacity(values.count + range.count / 4)
            for offset in stride(from: range.lowerBound, to: range.upperBound, by: 4) {
                values.append(Float(bitPattern: UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self))))
            }
        default:
            try expect(wireType, .fixed32, field: field)
        }
    }

    /// Appends double (fixed64) elements.
    mutating func readDoubles(_ wireType: WireType, field: Int, into values: inout [Double]) throws {
        switch wireType {
        case .fixed64:
            values.append(Double(bitPattern: try readFixed64()))
        case .lengthDelimited:
            let range = try readLengthDelimited()
            guard range.count % 8 == 0 else { throw error("packed doubles of \(range.count) bytes (not a multiple of 8)") }
            values.reserveCapacity(values.count + range.count / 8)
            for offset in stride(from: range.lowerBound, to: range.upperBound, by: 8) {
                values.append(Double(bitPattern: UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self))))
            }
        default:
            try expect(wireType, .fixed64, field: field)
        }
    }

    /// A reader over `range`, which lies inside this message (same depth).
    func confined(to range: Range<Int>) -> WireReader {
        WireReader(buffer: buffer, path: path, messageName: messageName, depth: depth, range: range)
    }
}

