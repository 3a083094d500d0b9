import Tensor

/// Materialises tensors stored in `TensorProto`'s typed repeated fields
/// (`float_data`, `int32_data`, `int64_data`, `double_data`).
enum TypedFieldDecoder {
    static func tensor(_ record: TensorRecord, dataType: DataType, shape: [Int], count: Int,
                       fail: (String) -> ONNXError) throws -> Tensor {
        func check(_ found: Int, _ field: String) throws {
            guard found == count else {
                throw fail(count > 0 && found == 0 && !record.hasUnsupportedData
                           ? "shape \(shape) needs \(count) elements but the tensor holds no data"
                           : "shape \(shape) needs \(count) elements but \(field) holds \(found)")
            }
        }
        switch dataType {
        case .float32:
            try check(record.floatData.count, "float_data")
            return Tensor(shape: shape, floats: record.floatData)
        case .float64:
            try check(record.doubleData.count, "double_data")
            return Tensor(shape: shape, floats: record.doubleData.map { Float($0) })
        case .int64:
            try check(record.int64Data.count, "int64_data")
            return Tensor(shape: shape, int64s: record.int64Data)
        case .float16, .bfloat16:
            try check(record.int32Data.count, "int32_data")
            let bits = record.int32Data.map { UInt16(truncatingIfNeeded: $0) }
            let floats = dataType == .float16 ? bits.map(HalfPrecision.float(fromHalf:)) : bits.map(HalfPrecision.float(fromBFloat:))
            return Tensor(shape: shape, floats: floats)
        case .int32:
            try check(record.int32Data.count, "int32_data")
            let result = Tensor(zeros: shape, dataType: .int32)
            let target = result.rawPointer.assumingMemoryBound(to: Int32.self)
            for (i, value) in record.int32Data.enumerated() { target[i] = Int32(truncatingIfNeeded: value) }
            return result
        default: // int8, uint8, bool: one byte each, stored in int32_data
            try check(record.int32Data.count, "int32_data")
            let result = Tensor(zeros: shape, dataType: dataType)
            let target = result.rawPointer.assumingMemoryBound(to: UInt8.self)
            for (i, value) in record.int32Data.enumerated() {
                target[i] = dataType == .bool ? (value != 0 ? 1 : 0) : UInt8(truncatingIfNeeded: value)
            }
            return result
        }
    }
}
