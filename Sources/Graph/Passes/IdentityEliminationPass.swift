/// Removes Identity and inference-mode Dropout nodes by rewiring their readers
/// to read the node's input directly.
public struct IdentityEliminationPass: GraphPass {
    public let name = "identity-elimination"
    public init() {}

    public func run(on graph: inout Graph, protected: Set<String>) throws {
        var removed = IndexSet()
        for index in graph.nodes.indices {
            let node = graph.nodes[index] // re-read: earlier removals rewire inputs
            guard node.opType == "Identity" || node.opType == "Dropout", node.domain.isEmpty,
                  let source = node.input(0), let output = node.outputs.first,
                  !protected.contains(output) else { continue }
            // Dropout's optional mask output must be unused.
            if node.outputs.count > 1, !node.outputs[1].isEmpty, !graph.consumers(of: node.outputs[1]).isEmpty { continue }
            // Dropout in training mode (third input) is not inference: keep it.
            if node.opType == "Dropout", node.input(2) != nil { continue }
            graph.replaceUses(of: output, with: source)
            removed.insert(index)
        }
        graph.nodes = graph.nodes.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
    }
}

/// A tiny ordered set of node indices.
struct IndexSet {
    private var members = Set<Int>()
    mutating func insert(_ index: Int) { members.insert(index) }
    func contains(_ index: Int) -> Bool { members.contains(index) }
    var isEmpty: Bool { members.isEmpty }
}
