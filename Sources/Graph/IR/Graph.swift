import Tensor

/// The engine's intermediate representation of a model.
///
/// Nodes are kept in topological order. Initializers are constant tensors
/// (weights), usually viewing a memory-mapped model file. Importers (ONNX,
/// architecture builders) produce a `Graph`; passes rewrite it; a ``Session``
/// plans and runs it.
public struct Graph: Sendable {
    public var name: String
    public var nodes: [Node]
    public var initializers: [String: Tensor]
    public var inputs: [ValueInfo]
    public var outputs: [ValueInfo]
    /// The default-domain opset the model was exported with.
    public var opsetVersion: Int

    public init(name: String = "", nodes: [Node] = [], initializers: [String: Tensor] = [:],
                inputs: [ValueInfo] = [], outputs: [ValueInfo] = [], opsetVersion: Int = 17) {
        self.name = name
        self.nodes = nodes
        self.initializers = initializers
        self.inputs = inputs
        self.outputs = outputs
        self.opsetVersion = opsetVersion
    }

    /// Every value name produced by a node.
    public var producedValues: Set<String> { Set(nodes.flatMap(\.outputs)) }

    /// The index of the node producing each value.
    public var producers: [String: Int] {
        var map: [String: Int] = [:]
        for (index, node) in nodes.enumerated() { for output in node.outputs where !output.isEmpty { map[output] = index } }
        return map
    }

    /// How many nodes read each value (graph outputs count once more).
    public var consumerCounts: [String: Int] {
        var counts: [String: Int] = [:]
        for node in nodes { for input in node.inputs where !input.isEmpty { counts[input, default: 0] += 1 } }
        for output in outputs { counts[output.name, default: 0] += 1 }
        return counts
    }

    /// Total number of parameters (elements of floating-point initializers).
    public var parameterCount: Int {
        initializers.values.filter { $0.dataType.isFloatingPoint }.reduce(0) { $0 + $1.count }
    }
}
