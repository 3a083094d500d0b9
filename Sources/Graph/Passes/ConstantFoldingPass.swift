import Tensor

/// Evaluates, once at load, every node whose inputs are all constants, and replaces
/// it with initializers: the shape arithmetic exporters emit around Pad, Reshape and
/// friends (Constant → ConstantOfShape → Concat → Slice → …) collapses to plain
/// constant tensors that later passes (Pad folding) can read.
///
/// Shape-dependent subgraphs (those reading `Shape` of an activation) fold later,
/// per input shape, in the execution plan.
public struct ConstantFoldingPass: GraphPass {
    public let name = "constant-folding"
    /// Outputs larger than this many elements are left to be computed at run time
    /// (folding them would only trade compute for memory).
    public var maximumElements = 1 << 20
    let registry: OperatorRegistry

    public init(registry: OperatorRegistry = .standard) { self.registry = registry }

    public func run(on graph: inout Graph, protected: Set<String>) throws {
        var removed = IndexSet()
        for index in graph.nodes.indices {
            let node = graph.nodes[index]
            guard node.domain.isEmpty, !node.inputs.isEmpty, registry.supports(node),
                  node.outputs.allSatisfy({ !$0.isEmpty }),
                  node.inputs.allSatisfy({ $0.isEmpty || graph.initializers[$0] != nil }) else { continue }
            let inputs = node.inputs.map { $0.isEmpty ? nil : graph.initializers[$0] }
            guard let outputs = try? registry.evaluate(node, inputs: inputs, opsetVersion: graph.opsetVersion),
                  outputs.count >= node.outputs.count,
                  outputs.allSatisfy({ $0.count <= maximumElements }) else { continue }
            for (slot, name) in node.outputs.enumerated() { graph.initializers[name] = outputs[slot].copy() }
            removed.insert(index)
        }
        guard !removed.isEmpty else { return }
        graph.nodes = graph.nodes.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
    }
}
