import Tensor

/// Turns ``TensorRecord``s into engine tensors.
///
/// `raw_data` (inline or external) of float32/int64/int32/int8/uint8/bool is
/// viewed in place when aligned, else copied into aligned storage when first read; float16,
/// bfloat16 and double become float32. Typed repeated fields are materialised.
/// Every declared size is checked against the bytes actually present.
struct TensorDecoder {
    let source: ModelBytes
    let externals: ExternalDataResolver

    func tensor(from record: TensorRecord) throws -> Tensor {
        let name = record.name.isEmpty ? "(unnamed)" : record.name
        func fail(_ reason: String) -> ONNXError { .invalidTensor(path: source.path, tensor: name, reason: reason) }

        guard let stored = ElementType.dataType(code: record.dataTypeCode) else {
            throw ONNXError.unsupportedDataType(path: source.path, tensor: name,
                                                dataType: ElementType.name(code: record.dataTypeCode))
        }
        guard !record.isSegmented else { throw fail("segmented tensors are not supported") }
        let shape = try Self.shape(record.dims, fail: fail)
        let count = try Self.elementCount(shape, fail: fail)
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: stored.byteSize)
        guard !overflow else { throw fail("shape \(shape) of \(stored) is too large") }

        if record.isExternal {
            let (file, offset) = try externals.locate(record, byteCount: byteCount)
            return decodeRaw(in: file, offset: offset, dataType: stored, shape: shape)
        }
        if let raw = record.rawData {
            guard raw.count == byteCount else {
                throw fail("shape \(shape) of \(stored) needs \(byteCount) bytes but raw_data holds \(raw.count)")
            }
            return decodeRaw(in: source, offset: raw.lowerBound, dataType: stored, shape: shape)
        }
        return try TypedFieldDecoder.tensor(record, dataType: stored, shape: shape, count: count, fail: fail)
    }

    /// Dimensions as `Int`s, rejecting negative ones.
    static func shape(_ dims: [Int64], fail: (String) -> ONNXError) throws -> [Int] {
        guard dims.allSatisfy({ $0 >= 0 }) else { throw fail("negative dimension in \(dims)") }
        return dims.map { Int($0) }
    }

    /// The product of `shape`, rejecting overflow.
    static func elementCount(_ shape: [Int], fail: (String) -> ONNXError) throws -> Int {
        var count = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw fail("the product of dimensions \(shape) overflows") }
            count = product
        }
        return count
    }

    /// A tensor from `byteCount` checked bytes at `offset` of `file`.
    private func decodeRaw(in file: ModelBytes, offset: Int, dataType: DataType, shape: [Int]) -> Tensor {
        let count = shape.reduce(1, *)
        let bytes = UnsafeRawPointer(file.bytes.baseAddress)
        switch dataType {
        case .float16, .bfloat16, .float64:
            let result = Tensor(zeros: shape, dataType: .float32)
            guard count > 0, let bytes else { return result }
            Self.convert(bytes + offset, dataType: dataType, count: count, into: result.floatPointer)
            return result
        default:
            if count > 0 && file.isAligned(offset: offset, for: dataType) {
                return file.view(dataType: dataType, shape: shape, offset: offset)
            }
            guard count > 0, bytes != nil else { return Tensor(zeros: shape, dataType: dataType) }
            // Copied into aligned memory when first read; a session that packs the weight
            // releases the copy again (the file keeps the bytes).
            let byteCount = count * dataType.byteSize
            return Tensor(recomputing: shape, dataType: dataType) { [file] target in
                target.copyMemory(from: file.bytes.baseAddress! + offset, byteCount: byteCount)
                file.releasePages(offset: offset, byteCount: byteCount)
            }
        }
    }

    /// Converts `count` float16/bfloat16/double elements to float32.
    private static func convert(_ source: UnsafeRawPointer, dataType: DataType, count: Int,
                                into target: UnsafeMutablePointer<Float>) {
        switch dataType {
        case .float16:
            for i in 0..<count {
                target[i] = HalfPrecision.float(fromHalf: UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            }
        case .bfloat16:
            for i in 0..<count {
                target[i] = HalfPrecision.float(fromBFloat: UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            }
        default:
            for i in 0..<count {
                target[i] = Float(Double(bitPattern: UInt64(littleEndian: source.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
            }
        }
    }
}
