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
