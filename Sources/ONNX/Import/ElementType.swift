import Tensor

/// ONNX `TensorProto.DataType` codes and how the engine stores them.
enum ElementType {
    /// The engine type for an ONNX element-type code, or `nil` if unsupported.
    /// float16, bfloat16 and double initializers are later widened/narrowed to float32.
    static func dataType(code: Int) -> DataType? {
        switch code {
        case 1: return .float32
        case 2: return .uint8
        case 3: return .int8
        case 6: return .int32
        case 7: return .int64
        case 9: return .bool
        case 10: return .float16
        case 11: return .float64
        case 16: return .bfloat16
        default: return nil
        }
    }

    /// The engine type for a declared graph input/output (also admits int16/uint16).
    static func valueDataType(code: Int) -> DataType? {
        switch code {
        case 4: return .uint16
        case 5: return .int16
        default: return dataType(code: code)
        }
    }

    /// ONNX's name for a code, for error messages.
    static func name(code: Int) -> String {
        let names = [0: "undefined", 1: "float", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32",
                     7: "int64", 8: "string", 9: "bool", 10: "float16", 11: "double", 12: "uint32",
                     13: "uint64", 14: "complex64", 15: "complex128", 16: "bfloat16", 17: "float8e4m3fn",
                     18: "float8e4m3fnuz", 19: "float8e5m2", 20: "float8e5m2fnuz", 21: "uint4", 22: "int4",
                     23: "float4e2m1", 24: "float8e8m0", 25: "uint2", 26: "int2"]
        return names[code] ?? "type code \(code)"
    }
}
