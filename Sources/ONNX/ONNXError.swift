/// Errors raised while reading an ONNX model.
///
/// Every message starts with the model's path (or the name given to
/// ``ONNXModel/load(bytes:name:baseDirectory:)``), then says what was wrong.
public enum ONNXError: Error, CustomStringConvertible, Equatable {
    /// The file could not be opened or mapped.
    case cannotRead(path: String, reason: String)
    /// The protobuf encoding is broken (truncated, bad lengths, bad wire types...).
    case malformed(path: String, offset: Int, reason: String)
    /// The model is well-formed protobuf but not a usable ONNX model.
    case invalidModel(path: String, reason: String)
    /// A tensor's declared type, shape or data do not agree.
    case invalidTensor(path: String, tensor: String, reason: String)
    /// A tensor uses an element type the engine does not handle.
    case unsupportedDataType(path: String, tensor: String, dataType: String)
    /// A tensor's external data cannot be used.
    case invalidExternalData(path: String, tensor: String, reason: String)

    /// The file (or name) the error is about.
    public var path: String {
        switch self {
        case let .cannotRead(path, _), let .malformed(path, _, _), let .invalidModel(path, _),
             let .invalidTensor(path, _, _), let .unsupportedDataType(path, _, _),
             let .invalidExternalData(path, _, _):
            return path
        }
    }

    public var description: String {
        switch self {
        case let .cannotRead(path, reason):
            return "\(path): cannot read the model: \(reason)"
        case let .malformed(path, offset, reason):
            return "\(path): malformed protobuf at byte \(offset): \(reason)"
        case let .invalidModel(path, reason):
            return "\(path): \(reason)"
        case let .invalidTensor(path, tensor, reason):
            return "\(path): tensor '\(tensor)': \(reason)"
        case let .unsupportedDataType(path, tensor, dataType):
            return "\(path): tensor '\(tensor)': unsupported element type \(dataType) "
                + "(supported: float, double, float16, bfloat16, int64, int32, int8, uint8, bool)"
        case let .invalidExternalData(path, tensor, reason):
            return "\(path): tensor '\(tensor)': external data: \(reason)"
        }
    }
}
