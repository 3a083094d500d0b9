import Graph
import Tensor

/// Reads `ValueInfoProto` → `TypeProto` → `TypeProto.Tensor` → `TensorShapeProto`.
enum ValueInfoDecoder {
    /// A graph input or output. A value without a type reads as float32 of unknown shape.
    static func read(_ reader: inout WireReader) throws -> ValueInfo {
        var name = ""
        var elementType: Int?
        var shape: [Dimension]?
        while !reader.isAtEnd {
            let (field, wireType) = try reader.readTag()
            switch (field, wireType) {
            case (1, .lengthDelimited): name = try reader.readString()
            case (2, .lengthDelimited):
                var type = try reader.readMessage("TypeProto")
                try readType(&type, elementType: &elementType, shape: &shape)
            default: try reader.skip(wireType)
            }
        }
        var dataType = DataType.float32
        if let elementType {
            guard let known = ElementType.valueDataType(code: elementType) else {
                throw ONNXError.invalidModel(path: reader.path,
                    reason: "value '\(name)' has unsupported element type \(ElementType.name(code: elementType))")
            }
            dataType = known
        }
        return ValueInfo(name: name, dataType: dataType, shape: shape)
    }

    private static func readType(_ reader: inout WireReader, elementType: inout Int?, shape: inout [Dimension]?) throws {
        while !reader.isAtEnd {
            let (field, wireType) = try reader.readTag()
            guard field == 1, wireType == .lengthDelimited else { try reader.skip(wireType); continue }
            var tensor = try reader.readMessage("TypeProto.Tensor")
            while !tensor.isAtEnd {
                let (field, wireType) = try tensor.readTag()
                switch (field, wireType) {
                case (1, .varint): elementType = try tensor.readInt()
                case (2, .lengthDelimited):
                    var shapeReader = try tensor.readMessage("TensorShapeProto")
                    shape = try readShape(&shapeReader)
                default: try tensor.skip(wireType)
                }
            }
        }
    }

    private static func readShape(_ reader: inout WireReader) throws -> [Dimension] {
        var dimensions: [Dimension] = []
        while !reader.isAtEnd {
            let (field, wireType) = try reader.readTag()
            guard field == 1, wireType == .lengthDelimited else { try reader.skip(wireType); continue }
            var dimension = try reader.readMessage("TensorShapeProto.Dimension")
            var value = Dimension.symbolic("")
            while !dimension.isAtEnd {
                let (field, wireType) = try dimension.readTag()
                switch (field, wireType) {
                case (1, .varint):
                    let size = try dimension.readInt64()
                    guard size >= 0 else { throw dimension.error("negative dimension \(size)") }
                    value = .fixed(Int(size))
                case (2, .lengthDelimited): value = .symbolic(try dimension.readString())
                default: try dimension.skip(wireType)
                }
            }
            dimensions.append(value)
        }
        return dimensions
    }
}
