/// A `TensorProto` as read from the wire, before its data becomes a ``Tensor``.
///
/// Raw data is kept as a byte range of the model file (so it can be viewed in
/// place); the typed repeated fields are decoded into arrays.
struct TensorRecord {
    var name = ""
    var dims: [Int64] = []
    var dataTypeCode = 0
    var rawData: Range<Int>?
    var floatData: [Float] = []
    var int32Data: [Int64] = []
    var int64Data: [Int64] = []
    var doubleData: [Double] = []
    var hasUnsupportedData = false
    var externalData: [String: String] = [:]
    var isExternal = false
    var isSegmented = false

    /// Field numbers of `TensorProto` (onnx.proto).
    private enum Field {
        static let dims = 1, dataType = 2, segment = 3, floatData = 4, int32Data = 5, stringData = 6
        static let int64Data = 7, name = 8, rawData = 9, doubleData = 10, uint64Data = 11
        static let externalData = 13, dataLocation = 14
    }

    /// Reads one `TensorProto` message.
    init(reading reader: inout WireReader) throws {
        while !reader.isAtEnd {
            let (field, wireType) = try reader.readTag()
            switch field {
            case Field.dims: try reader.readInt64s(wireType, field: field, into: &dims)
            case Field.dataType:
                try reader.expect(wireType, .varint, field: field)
                dataTypeCode = try reader.readInt()
            case Field.segment:
                isSegmented = true
                try reader.skip(wireType)
            case Field.floatData: try reader.readFloats(wireType, field: field, into: &floatData)
            case Field.int32Data: try reader.readInt64s(wireType, field: field, into: &int32Data)
            case Field.int64Data: try reader.readInt64s(wireType, field: field, into: &int64Data)
            case Field.doubleData: try reader.readDoubles(wireType, field: field, into: &doubleData)
            case Field.stringData, Field.uint64Data:
                hasUnsupportedData = true
                try reader.skip(wireType)
            case Field.name:
                try reader.expect(wireType, .lengthDelimited, field: field)
                name = try reader.readString()
            case Field.rawData:
                try reader.expect(wireType, .lengthDelimited, field: field)
                rawData = try reader.readLengthDelimited()
            case Field.externalData:
                try reader.expect(wireType, .lengthDelimited, field: field)
                var entry = try reader.readMessage("StringStringEntryProto")
                let (key, value) = try Self.readEntry(&entry)
                externalData[key] = value
            case Field.dataLocation:
                try reader.expect(wireType, .varint, field: field)
                isExternal = try reader.readInt() == 1
            default:
                try reader.skip(wireType)
            }
        }
    }

    /// Reads a `StringStringEntryProto` (key = 1, value = 2).
    private static func readEntry(_ reader: inout WireReader) throws -> (String, String) {
        var key = "", value = ""
        while !reader.isAtEnd {
            let (field, wireType) = try reader.readTag()
            switch (field, wireType) {
            case (1, .lengthDelimited): key = try reader.readString()
            case (2, .lengthDelimited): value = try reader.readString()
            default: try reader.skip(wireType)
            }
        }
        return (key, value)
    }
}
