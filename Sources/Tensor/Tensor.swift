/// An n-dimensional array: an element type, a shape and a view into storage.
///
/// `Tensor` is a cheap value that refers to shared ``TensorStorage``; copying a
/// tensor does not copy its elements (use ``copy()`` for that). Elements are
/// contiguous in C (row-major) order starting at ``byteOffset``.
public struct Tensor: @unchecked Sendable {
    public let dataType: DataType
    public let shape: [Int]
    public let storage: TensorStorage
    public let byteOffset: Int

    /// Number of elements (1 for a scalar).
    public var count: Int { shape.reduce(1, *) }
    /// Number of bytes the elements occupy.
    public var byteCount: Int { count * dataType.byteSize }
    /// Number of dimensions.
    public var rank: Int { shape.count }

    /// Views existing storage. The caller guarantees the view fits.
    public init(dataType: DataType, shape: [Int], storage: TensorStorage, byteOffset: Int = 0) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        precondition(byteOffset + shape.reduce(1, *) * dataType.byteSize <= storage.byteCount,
                     "tensor view exceeds its storage")
        self.dataType = dataType
        self.shape = shape
        self.storage = storage
        self.byteOffset = byteOffset
    }

    /// A zero-filled tensor.
    public init(zeros shape: [Int], dataType: DataType = .float32) {
        let bytes = shape.reduce(1, *) * dataType.byteSize
        self.init(dataType: dataType, shape: shape, storage: TensorStorage(byteCount: bytes))
    }

    /// A float32 tensor holding `values` (its count must match the shape).
    public init(shape: [Int], floats values: [Float]) {
        precondition(values.count == shape.reduce(1, *), "\(values.count) values for shape \(shape)")
        self.init(zeros: shape, dataType: .float32)
        values.withUnsafeBufferPointer { source in
            rawPointer.copyMemory(from: source.baseAddress!, byteCount: values.count * 4)
        }
    }

    /// An int64 tensor holding `values` (its count must match the shape).
    public init(shape: [Int], int64s values: [Int64]) {
        precondition(values.count == shape.reduce(1, *), "\(values.count) values for shape \(shape)")
        self.init(zeros: shape, dataType: .int64)
        values.withUnsafeBufferPointer { source in
            rawPointer.copyMemory(from: source.baseAddress!, byteCount: values.count * 8)
        }
    }

    /// A float32 scalar.
    public init(scalar value: Float) { self.init(shape: [], floats: [value]) }

    /// The first element's address.
    public var rawPointer: UnsafeMutableRawPointer { storage.baseAddress + byteOffset }

    /// The elements as float32 (the tensor must be float32).
    public var floatPointer: UnsafeMutablePointer<Float> {
        precondition(dataType == .float32, "expected float32, found \(dataType)")
        return rawPointer.assumingMemoryBound(to: Float.self)
    }

    /// The elements as int64 (the tensor must be int64).
    public var int64Pointer: UnsafeMutablePointer<Int64> {
        precondition(dataType == .int64, "expected int64, found \(dataType)")
        return rawPointer.assumingMemoryBound(to: Int64.self)
    }

    /// The same elements under another shape with the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        return Tensor(dataType: dataType, shape: newShape, storage: storage, byteOffset: byteOffset)
    }

    /// A copy with its own storage.
    public func copy() -> Tensor {
        // Every byte is overwritten: no zero-fill first.
        let result = Tensor(dataType: dataType, shape: shape, storage: TensorStorage(uninitializedByteCount: byteCount))
        result.rawPointer.copyMemory(from: rawPointer, byteCount: byteCount)
        return result
    }

    /// A tensor whose bytes `fill` makes on first access, and again after its storage's
    /// ``TensorStorage/releaseResidentMemory()`` (see ``TensorStorage/init(byteCount:recomputing:)``).
    public init(recomputing shape: [Int], dataType: DataType = .float32,
                fill: @escaping @Sendable (UnsafeMutableRawPointer) -> Void) {
        let bytes = shape.reduce(1, *) * dataType.byteSize
        self.init(dataType: dataType, shape: shape, storage: TensorStorage(byteCount: bytes, recomputing: fill))
    }

    /// The same tensor over storage that no other holder's
    /// ``TensorStorage/releaseResidentMemory()`` affects (see ``TensorStorage/independentlyReleasable()``).
    public func independentlyReleasable() -> Tensor {
        Tensor(dataType: dataType, shape: shape, storage: storage.independentlyReleasable(), byteOffset: byteOffset)
    }

    /// Rows `range` of the outermost dimension, sharing storage.
    public func slice(rows range: Range<Int>) -> Tensor {
        precondition(!shape.isEmpty && range.lowerBound >= 0 && range.upperBound <= shape[0])
        let rowBytes = shape.dropFirst().reduce(1, *) * dataType.byteSize
        var newShape = shape
        newShape[0] = range.count
        return Tensor(dataType: dataType, shape: newShape, storage: storage,
                      byteOffset: byteOffset + range.lowerBound * rowBytes)
    }
}
