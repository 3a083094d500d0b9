/// Conversions between tensors and Swift arrays.
extension Tensor {
    /// The elements converted to `Float`, whatever the element type.
    public func toFloats() -> [Float] {
        let n = count
        let raw = UnsafeRawPointer(rawPointer)
        switch dataType {
        case .float32:
            return Array(UnsafeBufferPointer(start: raw.assumingMemoryBound(to: Float.self), count: n))
        case .float64: return (0..<n).map { Float(raw.load(fromByteOffset: $0 * 8, as: Double.self)) }
        case .float16: return (0..<n).map { HalfPrecision.float(fromHalf: raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self)) }
        case .bfloat16: return (0..<n).map { HalfPrecision.float(fromBFloat: raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self)) }
        case .int64: return (0..<n).map { Float(raw.load(fromByteOffset: $0 * 8, as: Int64.self)) }
        case .int32: return (0..<n).map { Float(raw.load(fromByteOffset: $0 * 4, as: Int32.self)) }
        case .int16: return (0..<n).map { Float(raw.loadUnaligned(fromByteOffset: $0 * 2, as: Int16.self)) }
        case .uint16: return (0..<n).map { Float(raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self)) }
        case .int8: return (0..<n).map { Float(raw.load(fromByteOffset: $0, as: Int8.self)) }
        case .uint8: return (0..<n).map { Float(raw.load(fromByteOffset: $0, as: UInt8.self)) }
        case .bool: return (0..<n).map { raw.load(fromByteOffset: $0, as: UInt8.self) != 0 ? 1 : 0 }
        }
    }

    /// The elements converted to `Int64` (floats truncate toward zero).
    public func toInt64s() -> [Int64] {
        let n = count
        let raw = UnsafeRawPointer(rawPointer)
        switch dataType {
        case .int64:
            return Array(UnsafeBufferPointer(start: raw.assumingMemoryBound(to: Int64.self), count: n))
        case .int32: return (0..<n).map { Int64(raw.load(fromByteOffset: $0 * 4, as: Int32.self)) }
        case .int16: return (0..<n).map { Int64(raw.loadUnaligned(fromByteOffset: $0 * 2, as: Int16.self)) }
        case .uint16: return (0..<n).map { Int64(raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self)) }
        case .int8: return (0..<n).map { Int64(raw.load(fromByteOffset: $0, as: Int8.self)) }
        case .uint8, .bool: return (0..<n).map { Int64(raw.load(fromByteOffset: $0, as: UInt8.self)) }
        default:
            return toFloats().map { $0.isFinite ? Int64(clamping: Int($0.rounded(.towardZero))) : 0 }
        }
    }

    /// A float32 copy of this tensor (the same tensor if it already is float32).
    public func convertedToFloat32() -> Tensor {
        if dataType == .float32 { return self }
        return Tensor(shape: shape, floats: toFloats())
    }
}
