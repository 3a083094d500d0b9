import Tensor

/// An optimised graph with one built operator per node: the load-time half of a
/// ``Session``. Building operators is where weights are re-laid, once.
final class CompiledGraph {
    let graph: Graph
    let operators: [Operator]

    init(graph source: Graph, protected: Set<String>, options: SessionOptions, registry: OperatorRegistry) throws {
        let graph = options.optimize ? try GraphOptimizer().optimize(source, protected: protected) : source
        var operators: [Operator] = []
        operators.reserveCapacity(graph.nodes.count)
        for node in graph.nodes {
            let constants = node.inputs.map { $0.isEmpty ? nil : graph.initializers[$0] }
            operators.append(try registry.makeOperator(for: node, opsetVersion: graph.opsetVersion, constantInputs: constants))
        }
        self.graph = graph
        self.operators = operators
    }
}
