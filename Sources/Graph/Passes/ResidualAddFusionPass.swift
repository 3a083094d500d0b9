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
                  let (add, residual) = graph.residualAdd(after: index, producers: producers, protected: protected),
                  !graph.nodes[add].attributes.keys.contains(FusedActivationAttribute.kind)
            else { continue }
            var fused = node
            if fused.inputs.count == 2 { fused.inputs.append("") }
            fused.inputs.append(residual)
            graph.absorb(add: add, into: index, as: fused, producers: &producers)
            changed = true
        }
        if changed { try graph.removeDeadNodes(protected: protected) }
    }
}
