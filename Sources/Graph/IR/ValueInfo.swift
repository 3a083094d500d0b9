import Tensor

/// One dimension of a declared shape: a number, or a name such as `batch`.
public enum Dimension: Sendable, Hashable, CustomStringConvertible {
    case fixed(Int)
    case symbolic(String)

    public var description: String {
        switch self {
        case let .fixed(n): return String(n)
        case let .symbolic(name): return name.isEmpty ? "?" : name
        }
    }

    /// The size, if fixed.
    public var value: Int? { if case let .fixed(n) = self { return n }; return nil }
}

/// A graph input or output as the model declares it.
public struct ValueInfo: Sendable {
    public var name: String
    public var dataType: DataType
    public var shape: [Dimension]?

    public init(name: String, dataType: DataType, shape: [Dimension]?) {
        self.name = name
        self.dataType = dataType
        self.shape = shape
    }
}

/// A concrete element type and shape, known while planning a run.
public struct TensorType: Sendable, Hashable, CustomStringConvertible {
    public var dataType: DataType
    public var shape: [Int]

    public init(_ dataType: DataType, _ shape: [Int]) {
        self.dataType = dataType
        self.shape = shape
    }

    public var count: Int { shape.reduce(1, *) }
    public var byteCount: Int { count * dataType.byteSize }
    public var description: String { "\(dataType)\(shape)" }
}
