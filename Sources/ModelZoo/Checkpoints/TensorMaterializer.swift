import Tensor

/// Turns a ``TensorRecipe`` (storage, offset, size, stride) plus the storage's bytes into a
/// C-contiguous ``Tensor``: viewed in place when contiguous, aligned and already float32/integer;
/// otherwise gathered (honouring the strides) and converted (float16/bfloat16/float64 -> float32).
enum TensorMaterializer {
    /// Views larger than their storage (stride-0 expansions) are materialised only up to this many elements.
    static let maxExpandedElements = 1 << 24

    /// The element type a stored type is returned as.
    static func outputType(of stored: DataType) -> DataType {
        switch stored {
        case .float16, .bfloat16, .float64: return .float32
        default: return stored
        }
    }

    static func tensor(_ recipe: TensorRecipe, storageBytes: UnsafeRawBufferPointer, owner: AnyObject,
                       name: String, path: String) throws -> Tensor {
        func corrupt(_ reason: String) -> CheckpointError { .corrupt(path: path, reason: "tensor \(name): \(reason)") }
        let stored = recipe.storage.dataType
        let elementSize = stored.byteSize
        let storageCount = recipe.storage.elementCount
        guard storageCount >= 0, storageCount <= storageBytes.count / elementSize else {
            throw corrupt("storage \(recipe.storage.key) has \(storageBytes.count) bytes, \(storageCount) \(stored) elements expected")
        }
        let outType = outputType(of: stored)
        var count = 1
        var lastIndex = recipe.storageOffset
        for (size, stride) in zip(recipe.size, recipe.stride) {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow else { throw corrupt("size \(recipe.size) overflows") }
            count = product
            if size > 0 {
                let (reach, overflow1) = (size - 1).multipliedReportingOverflow(by: stride)
                let (sum, overflow2) = lastIndex.addingReportingOverflow(reach)
                guard !overflow1, !overflow2 else { throw corrupt("stride \(recipe.stride) overflows") }
                lastIndex = sum
            }
        }
        if count == 0 { return Tensor(zeros: recipe.size, dataType: outType) }
        guard lastIndex < storageCount else {
            throw corrupt("size \(recipe.size), stride \(recipe.stride), offset \(recipe.storageOffset) reach element \(lastIndex) "
                + "of a \(storageCount)-element storage")
        }
        guard count <= max(storageCount, maxExpandedElements) else {
            throw corrupt("view of \(count) elements over a \(storageCount)-element storage is too large")
        }
        let base = storageBytes.baseAddress! + recipe.storageOffset * elementSize
        let contiguous = isContiguous(size: recipe.size, stride: recipe.stride)
        if contiguous, outType == stored, Int(bitPattern: base) % elementSize == 0 {
            let storage = TensorStorage(borrowing: storageBytes.baseAddress!, byteCount: storageBytes.count, owner: owner)
            return Tensor(dataType: stored, shape: recipe.size, storage: storage,
                          byteOffset: recipe.storageOffset * elementSize)
        }
        var source = UnsafeRawPointer(base)
        var gathered: Tensor?
        if !contiguous || outType == stored {
            let target = Tensor(zeros: recipe.size, dataType: stored)
            gather(from: base, elementSize: elementSize, size: recipe.size, stride: recipe.stride, into: target.rawPointer)
            if outType == stored { return target }
            gathered = target
            source = UnsafeRawPointer(target.rawPointer)
        }
        let result = Tensor(zeros: recipe.size, dataType: .float32)
        convertToFloat32(source, type: stored, count: count, into: result.floatPointer)
        withExtendedLifetime(gathered) {}
        return result
    }

    /// True when `stride` is the C-order stride of `size` (size-1 dimensions ignored).
    static func isContiguous(size: [Int], stride: [Int]) -> Bool {
        var expected = 1
        for d in stride.indices.reversed() where size[d] != 1 {
            if stride[d] != expected { return false }
            expected *= size[d]
        }
        return true
    }

    /// Copies the strided elements into C order.
    static func gather(from base: UnsafeRawPointer, elementSize: Int, size: [Int], stride: [Int],
                       into destination: UnsafeMutableRawPointer) {
        switch elementSize {
        case 1: gather(UInt8.self, base, size, stride, destination)
        case 2: gather(UInt16.self, base, size, stride, destination)
        case 4: gather(UInt32.self, base, size, stride, destination)
        default: gather(UInt64.self, base, size, stride, destination)
        }
    }

    private static func gather<T: FixedWidthInteger>(_: T.Type, _ base: UnsafeRawPointer, _ size: [Int], _ stride: [Int],
                                                     _ destination: UnsafeMutableRawPointer) {
        let out = destination.assumingMemoryBound(to: T.self)
        let rank = size.count
        guard rank > 0 else {
            out[0] = base.loadUnaligned(as: T.self)
            return
        }
        let width = MemoryLayout<T>.size
        let inner = size[rank - 1]
        let innerStep = stride[rank - 1] * width
        let outer = size.dropLast().reduce(1, *)
        var index = [Int](repeating: 0, count: rank - 1)
        var rowOffset = 0
        var written = 0
        for _ in 0..<outer {
            var pointer = base + rowOffset
            for j in 0..<inner {
                out[written + j] = pointer.loadUnaligned(as: T.self)
                pointer += innerStep
            }
            written += inner
            var d = rank - 2
            while d >= 0 {
                index[d] += 1
                rowOffset += stride[d] * width
                if index[d] < size[d] { break }
                rowOffset -= stride[d] * width * size[d]
                index[d] = 0
                d -= 1
            }
        }
    }

    /// Converts contiguous float16/bfloat16/float64 elements to float32 (exactly for the 16-bit types).
    static func convertToFloat32(_ source: UnsafeRawPointer, type: DataType, count: Int, into out: UnsafeMutablePointer<Float>) {
        switch type {
        case .float16:
            for i in 0..<count { out[i] = HalfPrecision.float(fromHalf: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) }
        case .bfloat16:
            for i in 0..<count { out[i] = HalfPrecision.float(fromBFloat: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) }
        case .float64:
            for i in 0..<count { out[i] = Float(source.loadUnaligned(fromByteOffset: 8 * i, as: Double.self)) }
        default:
            for i in 0..<count { out[i] = source.loadUnaligned(fromByteOffset: 4 * i, as: Float.self) }
        }
    }
}
