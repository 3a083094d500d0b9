import Tensor

/// Folds a residual connection `Add(MatMul(...), r)` (or `Add(r, MatMul(...))`) into the MatMul,
/// which then adds `r` in its GEMM epilogue after bias and activation (input 3). `r` must be
/// computed (not a constant, which would more likely broadcast); a MatMul whose output is
/// only read by the Add. A residual that turns out to broadcast still works (slower path).
public struct ResidualAddFusionPass: GraphPass {
    public let name = "residual-add-fusion"
    public init() {}

    public func run(on graph: inout Graph, protected: Set<String>) throws {
        var changed = false
        var producers = graph.producers
        for index in graph.nodes.indices {
            let node = graph.nodes[index]
            guard node.opType == "MatMul", node.domain.isEmpty, node.inputs.count <= 3,
                  let addIndex = graph.soleReader(of: node.outputs[0], protected: protected), graph.isNode(addIndex, "Add"),
                  let residual = graph.otherInput(of: addIndex, than: node.outputs[0]), residual != node.outputs[0],
                  graph.initializers[residual] == nil, !graph.nodes[addIndex].attributes.keys.contains(FusedActivationAttribute.kind),
                  (producers[residual].map { $0 < index } ?? true)   // computed before the MatMul runs
            else { continue }
            var fused = node
            if fused.inputs.count == 2 { fused.inputs.append("") }
            fused.inputs.append(residual)
            fused.outputs = graph.nodes[addIndex].outputs
            graph.nodes[index] = fused
            graph.nodes[addIndex].outputs = [node.outputs[0] + "__fused_away"]
            producers[fused.outputs[0]] = index
            changed = true
        }
        if changed { try graph.removeDeadNodes(protected: protected) }
    }
}
