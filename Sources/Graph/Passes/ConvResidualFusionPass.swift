import Tensor

/// Folds a skip connection into the convolution that feeds it: `Add(Conv(x), r)` (either
/// operand order), with the Add's fused activation (ResNet's `Relu(Add(...))`), becomes one
/// Conv with `r` as input 3 and the activation applied after the sum. The GEMM path then adds
/// `r` to each output tile while it is in cache instead of a separate pass over memory.
///
/// Conditions: the Conv has no activation of its own (the sum would come after it), the Add
/// is its output's only reader, and `r` is computed (not a constant) before the Conv runs.
public struct ConvResidualFusionPass: GraphPass {
    public let name = "conv-residual-fusion"
    public init() {}

    public func run(on graph: inout Graph, protected: Set<String>) throws {
        var changed = false
        var producers = graph.producers
        for index in graph.nodes.indices {
            let node = graph.nodes[index]
            guard node.opType == "Conv", node.domain.isEmpty, node.inputs.count <= 3,
                  node.attributes[FusedActivationAttribute.kind] == nil,
                  let (add, residual) = graph.residualAdd(after: index, producers: producers, protected: protected)
            else { continue }
            var fused = node
            while fused.inputs.count < 3 { fused.inputs.append("") }
            fused.inputs.append(residual)
            for (key, value) in graph.nodes[add].attributes where key.hasPrefix("_fused") { fused.attributes[key] = value }
            graph.absorb(add: add, into: index, as: fused, producers: &producers)
            changed = true
        }
        if changed { try graph.removeDeadNodes(protected: protected) }
    }
}
