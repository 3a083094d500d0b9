/// The element types a tensor can hold.
///
/// The engine computes in `float32`; integer and boolean tensors carry shapes,
/// indices and masks. Half-precision types exist so checkpoint and ONNX readers
/// can describe what they found before converting it.
public enum DataType: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case float32, float64, float16, bfloat16
    case int64, int32, int16, int8, uint8, uint16
    case bool

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float64, .int64: return 8
        case .float32, .int32: return 4
        case .float16, .bfloat16, .int16, .uint16: return 2
        case .int8, .uint8, .bool: return 1
        }
    }

    /// True for the floating-point types.
    public var isFloatingPoint: Bool {
        switch self {
        case .float32, .float64, .float16, .bfloat16: return true
        default: return false
        }
    }

    public var description: String { rawValue }
}
