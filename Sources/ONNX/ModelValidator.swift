import Graph

/// Checks that a loaded graph is well-formed and that the engine can run it.
public enum ModelValidator {
    /// The default-domain opsets the engine implements.
    public static let supportedOpsets = 13...21

    /// Validates `graph` against `registry`.
    ///
    /// - Throws: the first problem found, in this order:
    ///   - ``GraphError/malformed(_:)`` when the opset is outside ``supportedOpsets``;
    ///   - ``GraphError/malformed(_:)`` for a value produced twice (by two nodes, or
    ///     by a node and an initializer/graph input), and for a graph output that
    ///     nothing produces (or a graph with no outputs);
    ///   - ``GraphError/invalidInput(node:reason:)`` for a node input that is neither
    ///     a graph input, an initializer nor the output of an earlier node;
    ///   - one ``GraphError/unsupportedOperators(_:)`` listing every node whose op
    ///     the registry lacks, each as `OpType (node 'name', opset N)`.
    public static func validate(_ graph: Graph, opsetVersion: Int, registry: OperatorRegistry) throws {
        guard supportedOpsets.contains(opsetVersion) else {
            let declared = opsetVersion == 0 ? "no default-domain opset" : "opset \(opsetVersion)"
            throw GraphError.malformed("the model uses \(declared); supported opsets are "
                                       + "\(supportedOpsets.lowerBound)...\(supportedOpsets.upperBound)")
        }
        try checkDataFlow(graph)
        let unsupported = graph.nodes.filter { !registry.supports($0) }.map { node in
            let op = node.domain.isEmpty ? node.opType : "\(node.domain).\(node.opType)"
            let identity = node.name.isEmpty ? "unnamed node producing '\(node.outputs.first ?? "?")'" : "node '\(node.name)'"
            return "\(op) (\(identity), opset \(opsetVersion))"
        }
        guard unsupported.isEmpty else { throw GraphError.unsupportedOperators(unsupported) }
    }

    /// Every value must be defined once, before it is used.
    private static func checkDataFlow(_ graph: Graph) throws {
        var producers: [String: String] = [:]
        for name in graph.initializers.keys { producers[name] = "an initializer" }
        for input in graph.inputs {
            if let earlier = producers[input.name] {
                throw GraphError.malformed("graph input '\(input.name)' is also \(earlier)")
            }
            producers[input.name] = "a graph input"
        }
        for node in graph.nodes {
            for input in node.inputs where !input.isEmpty && producers[input] == nil {
                throw GraphError.invalidInput(node: node.label, reason:
                    "input '\(input)' is neither a graph input, an initializer nor produced by an earlier node")
            }
            for output in node.outputs where !output.isEmpty {
                if let earlier = producers[output] {
                    throw GraphError.malformed("value '\(output)' is produced twice: by \(earlier) and by \(node.label)")
                }
                producers[output] = node.label
            }
        }
        guard !graph.outputs.isEmpty else { throw GraphError.malformed("the graph has no outputs") }
        for output in graph.outputs where producers[output.name] == nil {
            throw GraphError.malformed("graph output '\(output.name)' is not produced by any node, input or initializer")
        }
    }
}
