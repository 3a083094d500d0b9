import Graph
import Tensor

/// Turns `Constant` nodes into initializers.
enum ConstantNodes {
    /// The tensor a default-domain `Constant` node holds, from its `value`,
    /// `value_float(s)` or `value_int(s)` attribute.
    static func value(of node: Node, path: String) throws -> Tensor {
        func fail(_ reason: String) -> ONNXError {
            .invalidModel(path: path, reason: "Constant node '\(node.name)': \(reason)")
        }
        guard node.outputs.count == 1, !node.outputs[0].isEmpty else { throw fail("needs exactly one output") }
        guard node.attributes.count == 1, let (key, attribute) = node.attributes.first else {
            throw fail(node.attributes.isEmpty
                       ? "has no supported value attribute (value, value_float(s), value_int(s))"
                       : "has several value attributes: \(node.attributes.keys.sorted().joined(separator: ", "))")
        }
        switch (key, attribute) {
        case let ("value", .tensor(tensor)): return tensor
        case let ("value_float", .float(value)): return Tensor(shape: [], floats: [value])
        case let ("value_floats", .floats(values)): return Tensor(shape: [values.count], floats: values)
        case let ("value_int", .int(value)): return Tensor(shape: [], int64s: [Int64(value)])
        case let ("value_ints", .ints(values)): return Tensor(shape: [values.count], int64s: values.map { Int64($0) })
        default: throw fail("attribute '\(key)' is not supported (value, value_float(s), value_int(s) are)")
        }
    }

    /// Moves every `Constant` node of `graph` into its initializers.
    static func fold(_ graph: inout Graph, path: String) throws {
        var kept: [Node] = []
        kept.reserveCapacity(graph.nodes.count)
        for node in graph.nodes {
            guard node.opType == "Constant", node.domain.isEmpty else { kept.append(node); continue }
            let output = node.outputs.first ?? ""
            let tensor = try value(of: node, path: path)
            guard graph.initializers[output] == nil else {
                throw ONNXError.invalidModel(path: path, reason: "Constant node '\(node.name)' redefines initializer '\(output)'")
            }
            graph.initializers[output] = tensor
        }
        graph.nodes = kept
    }
}
