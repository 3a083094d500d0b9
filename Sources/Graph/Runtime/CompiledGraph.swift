import Tensor

/// An optimised graph with one built operator per node: the load-time half of a
/// ``Session``. Building operators is where weights are re-laid, once.
final class CompiledGraph {
    let graph: Graph
    let operators: [Operator]
    /// The graph it was optimised from (its weights may be dead after optimisation).
    private let source: Graph

    init(graph source: Graph, protected: Set<String>, options: SessionOptions, registry: OperatorRegistry) throws {
        let graph = options.optimize ? try GraphOptimizer().optimize(source, protected: protected) : source
        var operators: [Operator] = []
        operators.reserveCapacity(graph.nodes.count)
        for node in graph.nodes {
            let constants = node.inputs.map { $0.isEmpty ? nil : graph.initializers[$0] }
            let op = try registry.makeOperator(for: node, opsetVersion: graph.opsetVersion, constantInputs: constants)
            // Release as we go, so loading never holds every original beside its packed copy.
            for slot in op.packedInputs where slot < constants.count { constants[slot]?.storage.releaseResidentMemory() }
            operators.append(op)
        }
        self.graph = graph
        self.operators = operators
        self.source = source
        releaseUnreadWeights()
    }

    /// Gives back the resident memory of every weight that no run reads as stored: those
    /// only consumed packed (see ``Operator/packedInputs``) and those optimisation left
    /// unused (a Conv's weight before BatchNorm folding). They stay readable, from their
    /// mapped file or recomputed, should anything read them again. Weights that operators
    /// pack on first use are released by the session after that run.
    func releaseUnreadWeights() {
        var readInPlace = Set<ObjectIdentifier>()
        for (node, op) in zip(graph.nodes, operators) {
            let packed = op.packedInputs
            for (slot, name) in node.inputs.enumerated() where !name.isEmpty && !packed.contains(slot) {
                if let tensor = graph.initializers[name] { readInPlace.insert(ObjectIdentifier(tensor.storage)) }
            }
        }
        for output in graph.outputs {
            if let tensor = graph.initializers[output.name] { readInPlace.insert(ObjectIdentifier(tensor.storage)) }
        }
        var released = Set<ObjectIdentifier>()
        for tensor in Array(graph.initializers.values) + Array(source.initializers.values) {
            let id = ObjectIdentifier(tensor.storage)
            guard tensor.storage.isReleasable, !readInPlace.contains(id), released.insert(id).inserted else { continue }
            tensor.storage.releaseResidentMemory()
        }
    }
}
