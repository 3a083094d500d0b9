/// Removes nodes whose outputs nothing needs, and initializers nothing reads.
public struct DeadNodeEliminationPass: GraphPass {
    public let name = "dead-node-elimination"
    public init() {}

    public func run(on graph: inout Graph, protected: Set<String>) throws {
        var needed = protected
        var keep = [Bool](repeating: false, count: graph.nodes.count)
        for index in graph.nodes.indices.reversed() {
            let node = graph.nodes[index]
            if node.outputs.contains(where: { needed.contains($0) }) {
                keep[index] = true
                for input in node.inputs where !input.isEmpty { needed.insert(input) }
            }
        }
        graph.nodes = graph.nodes.enumerated().filter { keep[$0.offset] }.map(\.element)
        graph.initializers = graph.initializers.filter { needed.contains($0.key) }
    }
}
