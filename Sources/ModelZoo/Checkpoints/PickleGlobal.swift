import Tensor

/// The only globals a checkpoint pickle may name. Anything else is refused when
/// the `GLOBAL`/`STACK_GLOBAL` opcode is read.
enum PickleGlobal: CustomStringConvertible {
    case orderedDict
    case rebuildTensorV2
    case rebuildTensor
    /// `torch.<Type>Storage`: the element type of the storage.
    case storageType(DataType)
    /// `torch.float32` and friends.
    case dtype(DataType)

    /// The allowed global `module.name`, or `nil` when it is not allowed.
    init?(module: String, name: String) {
        switch (module, name) {
        case ("collections", "OrderedDict"): self = .orderedDict
        case ("torch._utils", "_rebuild_tensor_v2"): self = .rebuildTensorV2
        case ("torch._utils", "_rebuild_tensor"): self = .rebuildTensor
        case ("torch", _):
            if let type = Self.storageTypes[name] {
                self = .storageType(type)
            } else if let type = Self.dtypes[name] {
                self = .dtype(type)
            } else {
                return nil
            }
        default: return nil
        }
    }

    static let storageTypes: [String: DataType] = [
        "FloatStorage": .float32, "DoubleStorage": .float64, "HalfStorage": .float16,
        "BFloat16Storage": .bfloat16, "LongStorage": .int64, "IntStorage": .int32,
        "ShortStorage": .int16, "CharStorage": .int8, "ByteStorage": .uint8, "BoolStorage": .bool,
    ]

    static let dtypes: [String: DataType] = [
        "float32": .float32, "float": .float32, "float64": .float64, "double": .float64,
        "float16": .float16, "half": .float16, "bfloat16": .bfloat16, "int64": .int64, "long": .int64,
        "int32": .int32, "int": .int32, "int16": .int16, "short": .int16, "int8": .int8,
        "uint8": .uint8, "bool": .bool,
    ]

    var description: String {
        switch self {
        case .orderedDict: return "collections.OrderedDict"
        case .rebuildTensorV2: return "torch._utils._rebuild_tensor_v2"
        case .rebuildTensor: return "torch._utils._rebuild_tensor"
        case let .storageType(type): return "torch storage of \(type)"
        case let .dtype(type): return "torch.\(type)"
        }
    }
}
