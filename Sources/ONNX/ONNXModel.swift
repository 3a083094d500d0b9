import Foundation
import Graph

/// An ONNX model loaded into the engine's ``Graph`` IR.
///
/// Loading memory-maps the file and parses the protobuf with a bounds-checked
/// reader; weights stored as `raw_data` (inline or in external-data files) are
/// viewed in place, not copied. `Constant` nodes become initializers. Loading
/// does not check that the engine supports the ops: call ``ModelValidator``.
///
/// ```swift
/// let model = try ONNXModel.load(contentsOf: url)
/// try ModelValidator.validate(model.graph, opsetVersion: model.opsetVersion, registry: .standard)
/// ```
public struct ONNXModel {
    /// The graph: nodes in file order, initializers, inputs (initializers excluded) and outputs.
    public var graph: Graph
    /// `ModelProto.ir_version`.
    public var irVersion: Int
    /// The opset of the default ONNX domain (`""` / `ai.onnx`).
    public var opsetVersion: Int
    /// The exporting tool, e.g. `pytorch`.
    public var producerName: String
    /// The exporting tool's version.
    public var producerVersion: String
    /// Every imported opset by domain (the default domain is `""`).
    public var opsets: [String: Int]

    /// Loads the model at `url`, memory-mapped. External data files are looked up next to it.
    /// - Throws: ``ONNXError`` naming the file and what is wrong with it.
    public static func load(contentsOf url: URL) throws -> ONNXModel {
        let bytes = try ModelBytes(mapping: url)
        return try decode(bytes, baseDirectory: url.deletingLastPathComponent())
    }

    /// Parses a model held in memory (the bytes are copied once into aligned storage).
    /// - Parameters:
    ///   - bytes: a serialized `ModelProto`.
    ///   - name: what error messages call the model.
    ///   - baseDirectory: where external data files live; `nil` rejects external data.
    /// - Throws: ``ONNXError``.
    public static func load(bytes: Data, name: String, baseDirectory: URL? = nil) throws -> ONNXModel {
        try decode(ModelBytes(copying: bytes, name: name), baseDirectory: baseDirectory)
    }

    private static func decode(_ source: ModelBytes, baseDirectory: URL?) throws -> ONNXModel {
        guard source.bytes.count > 0 else { throw ONNXError.invalidModel(path: source.path, reason: "the file is empty") }
        let tensors = TensorDecoder(source: source,
                                    externals: ExternalDataResolver(modelPath: source.path, baseDirectory: baseDirectory))
        var reader = WireReader(buffer: source.bytes, path: source.path, messageName: "ModelProto")
        var model = ONNXModel(graph: Graph(), irVersion: 0, opsetVersion: 0, producerName: "", producerVersion: "", opsets: [:])
        var graphMessage: WireReader?
        while !reader.isAtEnd {
            let (field, wireType) = try reader.readTag()
            switch (field, wireType) {
            case (1, .varint): model.irVersion = try reader.readInt()
            case (2, .lengthDelimited): model.producerName = try reader.readString()
            case (3, .lengthDelimited): model.producerVersion = try reader.readString()
            case (7, .lengthDelimited): graphMessage = try reader.readMessage("GraphProto")
            case (8, .lengthDelimited):
                var message = try reader.readMessage("OperatorSetIdProto")
                let (domain, version) = try readOpset(&message)
                model.opsets[domain] = version
            default: try reader.skip(wireType)
            }
        }
        guard var graphMessage else { throw ONNXError.invalidModel(path: source.path, reason: "the model has no graph") }
        guard let opset = model.opsets[""] else {
            throw ONNXError.invalidModel(path: source.path, reason: "the model imports no opset for the default ONNX domain")
        }
        model.opsetVersion = opset
        // The graph is decoded last so that the opset is known whatever the field order.
        model.graph = try GraphDecoder(tensors: tensors).read(&graphMessage, opsetVersion: opset)
        return model
    }

    /// Reads an `OperatorSetIdProto` (domain = 1, version = 2).
    private static func readOpset(_ reader: inout WireReader) throws -> (String, Int) {
        var domain = "", version = 0
        while !reader.isAtEnd {
            let (field, wireType) = try reader.readTag()
            switch (field, wireType) {
            case (1, .lengthDelimited): domain = try reader.readString()
            case (2, .varint): version = try reader.readInt()
            default: try reader.skip(wireType)
            }
        }
        return (domain == "ai.onnx" ? "" : domain, version)
    }
}
