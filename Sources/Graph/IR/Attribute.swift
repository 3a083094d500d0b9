import Tensor

/// A node attribute, as ONNX defines them.
public enum Attribute: Sendable {
    case int(Int)
    case float(Float)
    case string(String)
    case ints([Int])
    case floats([Float])
    case strings([String])
    case tensor(Tensor)

    /// The value as an integer, if it is one.
    public var intValue: Int? { if case let .int(v) = self { return v }; return nil }
    /// The value as a float (integers convert), if it is a number.
    public var floatValue: Float? {
        switch self {
        case let .float(v): return v
        case let .int(v): return Float(v)
        default: return nil
        }
    }
    /// The value as a string, if it is one.
    public var stringValue: String? { if case let .string(v) = self { return v }; return nil }
    /// The value as a list of integers (a single integer becomes a one-element list).
    public var intsValue: [Int]? {
        switch self {
        case let .ints(v): return v
        case let .int(v): return [v]
        default: return nil
        }
    }
    /// The value as a list of floats.
    public var floatsValue: [Float]? {
        switch self {
        case let .floats(v): return v
        case let .float(v): return [v]
        default: return nil
        }
    }
    /// The value as a tensor, if it is one.
    public var tensorValue: Tensor? { if case let .tensor(v) = self { return v }; return nil }
}
