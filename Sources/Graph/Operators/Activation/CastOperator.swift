import Tensor

/// Cast (and CastLike) between float64/float32/float16/bfloat16 and the integer and bool types.
/// Floats become integers by truncation toward zero (saturating, NaN → 0); integers
/// between themselves wrap as in C; anything non-zero becomes `true`.
final class CastOperator: Operator {
    let node: Node
    let target: DataType?

    /// The element type an ONNX `TensorProto.DataType` code names.
    static func dataType(onnxCode code: Int) -> DataType? {
        switch code {
        case 1: return .float32
        case 2: return .uint8
        case 3: return .int8
        case 4: return .uint16
        case 5: return .int16
        case 6: return .int32
        case 7: return .int64
        case 9: return .bool
        case 11: return .float64
        default: return nil
        }
    }

    /// `Cast` (target from `to`) when `like` is false; `CastLike` (target from input 1) otherwise.
    init(_ context: OperatorContext, like: Bool) throws {
        node = context.node
        if like {
            target = nil
        } else {
            let code = try node.int("to", default: -1)
            guard let type = Self.dataType(onnxCode: code) else {
                throw GraphError.badAttribute(node: node.label, attribute: "to", reason: "unsupported target type code \(code)")
            }
            target = type
        }
    }

    func inferTypes(_ inputs: [TensorType?], constants: [Tensor?]) throws -> [TensorType] {
        let x = try ShapeSupport.required(inputs, 0, node: node)
        let type = try target ?? ShapeSupport.required(inputs, 1, node: node).dataType
        guard ![DataType.float16, .bfloat16].contains(type) else {
            throw GraphError.invalidInput(node: node.label, reason: "casting to \(type) is not supported")
        }
        return [TensorType(type, x.shape)]
    }

    func execute(_ inputs: [Tensor?], _ outputs: [Tensor], _ context: ExecutionContext) throws {
        guard let x = inputs[0] else { throw GraphError.invalidInput(node: node.label, reason: "missing input") }
        Self.convert(x, into: outputs[0])
    }

    /// Converts every element of `source` into `destination` (same count, any supported types).
    static func convert(_ source: Tensor, into destination: Tensor) {
        let n = source.count
        if source.dataType == destination.dataType {
            destination.rawPointer.copyMemory(from: source.rawPointer, byteCount: source.byteCount)
            return
        }
        let out = destination.rawPointer
        if !source.dataType.isFloatingPoint && !destination.dataType.isFloatingPoint {
            let values = source.toInt64s()
            for i in 0..<n { storeInteger(values[i], out, i, destination.dataType) }
            return
        }
        if source.dataType == .float32, destination.dataType == .float64 {
            let p = source.floatPointer
            for i in 0..<n { out.storeBytes(of: Double(p[i]), toByteOffset: i * 8, as: Double.self) }
            return
        }
        let values: [Double] = source.dataType == .float64
            ? (0..<n).map { source.rawPointer.load(fromByteOffset: $0 * 8, as: Double.self) }
            : source.dataType.isFloatingPoint ? source.toFloats().map(Double.init) : source.toInt64s().map(Double.init)
        switch destination.dataType {
        case .float32: for i in 0..<n { out.storeBytes(of: Float(values[i]), toByteOffset: i * 4, as: Float.self) }
        case .float64: for i in 0..<n { out.storeBytes(of: values[i], toByteOffset: i * 8, as: Double.self) }
        case .bool: for i in 0..<n { out.storeBytes(of: values[i] != 0 ? 1 : 0, toByteOffset: i, as: UInt8.self) }
        default:
            for i in 0..<n {
                let v = values[i]
                let integer: Int64 = v.isNaN ? 0 : v >= 9.223372036854775807e18 ? .max
                    : v <= -9.223372036854775808e18 ? .min : Int64(v.rounded(.towardZero))
                storeInteger(integer, out, i, destination.dataType)
            }
        }
    }

    private static func storeInteger(_ v: Int64, _ out: UnsafeMutableRawPointer, _ i: Int, _ type: DataType) {
        switch type {
        case .int64: out.storeBytes(of: v, toByteOffset: i * 8, as: Int64.self)
        case .int32: out.storeBytes(of: Int32(truncatingIfNeeded: v), toByteOffset: i * 4, as: Int32.self)
        case .int16: out.storeBytes(of: Int16(truncatingIfNeeded: v), toByteOffset: i * 2, as: Int16.self)
        case .uint16: out.storeBytes(of: UInt16(truncatingIfNeeded: v), toByteOffset: i * 2, as: UInt16.self)
        case .int8: out.storeBytes(of: Int8(truncatingIfNeeded: v), toByteOffset: i, as: Int8.self)
        case .uint8: out.storeBytes(of: UInt8(truncatingIfNeeded: v), toByteOffset: i, as: UInt8.self)
        case .bool: out.storeBytes(of: v != 0 ? 1 : 0, toByteOffset: i, as: UInt8.self)
        case .float32: out.storeBytes(of: Float(v), toByteOffset: i * 4, as: Float.self)
        case .float64: out.storeBytes(of: Double(v), toByteOffset: i * 8, as: Double.self)
        default: break
        }
    }
}
