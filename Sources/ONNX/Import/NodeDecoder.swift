import Graph

/// Reads `NodeProto` and its `AttributeProto`s.
///
/// Attributes the engine has no use for (graphs, tensor lists, sparse tensors,
/// type protos) are not stored: a node that needs them (If, Loop...) is then
/// reported as unsupported by ``ModelValidator``.
struct NodeDecoder {
    let tensors: TensorDecoder

    func read(_ reader: inout WireReader) throws -> Node {
        var name = "", opType = "", domain = ""
        var inputs: [String] = [], outputs: [String] = []
        var attributes: [String: Attribute] = [:]
        while !reader.isAtEnd {
            let (field, wireType) = try reader.readTag()
            switch (field, wireType) {
            case (1, .lengthDelimited): inputs.append(try reader.readString())
            case (2, .lengthDelimited): outputs.append(try reader.readString())
            case (3, .lengthDelimited): name = try reader.readString()
            case (4, .lengthDelimited): opType = try reader.readString()
            case (7, .lengthDelimited): domain = try reader.readString()
            case (5, .lengthDelimited):
                var attribute = try reader.readMessage("AttributeProto")
                let (key, value) = try readAttribute(&attribute)
                if let value { attributes[key] = value }
            default: try reader.skip(wireType)
            }
        }
        guard !opType.isEmpty else {
            throw ONNXError.invalidModel(path: reader.path, reason: "node '\(name)' has no op_type")
        }
        return Node(name: name, opType: opType, domain: domain == "ai.onnx" ? "" : domain,
                    inputs: inputs, outputs: outputs, attributes: attributes)
    }

    /// Attribute types (`AttributeProto.AttributeType`).
    private enum Kind {
        static let float = 1, int = 2, string = 3, tensor = 4, floats = 6, ints = 7, strings = 8
    }

    private func readAttribute(_ reader: inout WireReader) throws -> (String, Attribute?) {
        var name = "", type = 0
        var float: Float?, int: Int?, string: String?, tensor: TensorRecord?
        var floats: [Float] = [], ints: [Int64] = [], strings: [String] = []
        while !reader.isAtEnd {
            let (field, wireType) = try reader.readTag()
            switch (field, wireType) {
            case (1, .lengthDelimited): name = try reader.readString()
            case (2, .fixed32): float = Float(bitPattern: try reader.readFixed32())
            case (3, .varint): int = Int(truncatingIfNeeded: try reader.readInt64())
            case (4, .lengthDelimited): string = try reader.readString()
            case (5, .lengthDelimited):
                var message = try reader.readMessage("TensorProto")
                tensor = try TensorRecord(reading: &message)
            case (7, _): try reader.readFloats(wireType, field: field, into: &floats)
            case (8, _): try reader.readInt64s(wireType, field: field, into: &ints)
            case (9, .lengthDelimited): strings.append(try reader.readString())
            case (20, .varint): type = try reader.readInt()
            default: try reader.skip(wireType) // g, graphs, tensors, sparse tensors, type protos, docs
            }
        }
        if type == 0 { // Old exporters omit the type: infer it from the field present.
            type = tensor != nil ? Kind.tensor : !floats.isEmpty ? Kind.floats : !ints.isEmpty ? Kind.ints
                : !strings.isEmpty ? Kind.strings : string != nil ? Kind.string : float != nil ? Kind.float
                : int != nil ? Kind.int : 0
        }
        switch type {
        case Kind.float: return (name, .float(float ?? 0))
        case Kind.int: return (name, .int(int ?? 0))
        case Kind.string: return (name, .string(string ?? ""))
        case Kind.floats: return (name, .floats(floats))
        case Kind.ints: return (name, .ints(ints.map { Int(truncatingIfNeeded: $0) }))
        case Kind.strings: return (name, .strings(strings))
        case Kind.tensor:
            guard var tensor else { return (name, nil) }
            if tensor.name.isEmpty { tensor.name = "attribute \(name)" }
            return (name, .tensor(try tensors.tensor(from: tensor)))
        default: return (name, nil)
        }
    }
}
