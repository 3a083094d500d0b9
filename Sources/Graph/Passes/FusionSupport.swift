import Tensor

/// Small queries the fusion passes share.
extension Graph {
    /// The value of a one-element float constant, if `name` is one.
    func scalarConstant(_ name: String) -> Float? {
        guard let tensor = initializers[name], tensor.count == 1, tensor.dataType == .float32 else { return nil }
        return tensor.toFloats()[0]
    }

    /// The one node reading `value`, when exactly one does and `value` is not protected.
    func soleReader(of value: String, protected: Set<String>) -> Int? {
        guard !protected.contains(value) else { return nil }
        let readers = consumers(of: value)
        return readers.count == 1 ? readers[0] : nil
    }

    /// Whether `node` is a default-domain node of type `opType`.
    func isNode(_ index: Int, _ opType: String) -> Bool {
        nodes[index].opType == opType && nodes[index].domain.isEmpty
    }

    /// For a binary node reading `value`, its other input.
    func otherInput(of index: Int, than value: String) -> String? {
        let inputs = nodes[index].inputs
        guard inputs.count == 2 else { return nil }
        if inputs[0] == value { return inputs[1] }
        if inputs[1] == value { return inputs[0] }
        return nil
    }

    /// For the node at `index`: the Add that is its output's only reader and that Add's other
    /// operand, when that operand is computed (not a constant) before the node runs, so the
    /// node can add it itself (a residual / skip connection).
    func residualAdd(after index: Int, producers: [String: Int], protected: Set<String>) -> (add: Int, residual: String)? {
        let output = nodes[index].outputs[0]
        guard let add = soleReader(of: output, protected: protected), isNode(add, "Add"),
              let residual = otherInput(of: add, than: output), residual != output, initializers[residual] == nil,
              producers[residual].map({ $0 < index }) ?? true else { return nil }
        return (add, residual)
    }

    /// Folds each `Add(node, r)` (either operand order) into the node before it: the node gets `r`
    /// as input 3 (absent optional inputs become "") and takes over the Add's output; with
    /// `carryingActivation`, also the Add's fused activation (applied after the sum). `accepts`
    /// sees the node and its Add. Dead Adds are removed.
    mutating func foldResidualAdds(protected: Set<String>, carryingActivation: Bool,
                                   accepts: (_ node: Node, _ add: Node) -> Bool) throws {
        var changed = false
        var producers = self.producers
        for index in nodes.indices {
            let node = nodes[index]
            guard node.domain.isEmpty, node.inputs.count <= 3,
                  let (add, residual) = residualAdd(after: index, producers: producers, protected: protected),
                  accepts(node, nodes[add]) else { continue }
            var fused = node
            while fused.inputs.count < 3 { fused.inputs.append("") }
            fused.inputs.append(residual)
            if carryingActivation {
                for (key, value) in nodes[add].attributes where key.hasPrefix("_fused") { fused.attributes[key] = value }
            }
            absorb(add: add, into: index, as: fused, producers: &producers)
            changed = true
        }
        if changed { try removeDeadNodes(protected: protected) }
    }

    /// Makes the node at `index` take over the Add at `add`'s output, with `fused` as its new
    /// form; the Add is left dead (its output renamed) for dead-node removal.
    mutating func absorb(add: Int, into index: Int, as fused: Node, producers: inout [String: Int]) {
        let original = nodes[index].outputs[0]
        var node = fused
        node.outputs = nodes[add].outputs
        nodes[index] = node
        nodes[add].outputs = [original + "__fused_away"]
        producers[node.outputs[0]] = index
    }

    /// Drops nodes whose outputs nothing needs any more (after a rewrite).
    mutating func removeDeadNodes(protected: Set<String>) throws {
        try DeadNodeEliminationPass().run(on: &self, protected: protected)
    }
}

/// A MatMul the passes may still extend: default domain, no fused activation, inputs A and B only
/// (or also a bias when `allowingBias`).
func isPlainMatMul(_ node: Node, allowingBias: Bool = false) -> Bool {
    node.opType == "MatMul" && node.domain.isEmpty && node.attributes[FusedActivationAttribute.kind] == nil
        && (node.inputs.count == 2 || (allowingBias && node.inputs.count == 3))
}
