/// Errors raised while validating, planning or running a graph.
public enum GraphError: Error, CustomStringConvertible, Equatable {
    /// Ops the registry does not know, each as `OpType (node 'name', opset N)`.
    case unsupportedOperators([String])
    case badAttribute(node: String, attribute: String, reason: String)
    case invalidInput(node: String, reason: String)
    case shapeMismatch(node: String, reason: String)
    case missingValue(String)
    case unknownOutput(String, available: [String])
    case inputMismatch(String)
    case malformed(String)

    public var description: String {
        switch self {
        case let .unsupportedOperators(ops):
            return "unsupported operators (\(ops.count)):\n  " + ops.joined(separator: "\n  ")
        case let .badAttribute(node, attribute, reason): return "\(node): attribute '\(attribute)': \(reason)"
        case let .invalidInput(node, reason): return "\(node): \(reason)"
        case let .shapeMismatch(node, reason): return "\(node): shape mismatch: \(reason)"
        case let .missingValue(name): return "value '\(name)' is used but never produced"
        case let .unknownOutput(name, available):
            let hint = available.prefix(8).joined(separator: ", ")
            return "no value named '\(name)' in the graph (for example: \(hint)); `imgvec inspect --values` lists them all"
        case let .inputMismatch(reason): return "input mismatch: \(reason)"
        case let .malformed(reason): return "malformed graph: \(reason)"
        }
    }
}
