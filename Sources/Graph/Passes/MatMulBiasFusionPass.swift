import Tensor

/// Folds `Add(MatMul(X, W), bias)` into the MatMul when `W` is a constant 2-D weight and
/// `bias` a constant `[N]` (one value per output column): the bias is
/// then added in the GEMM's epilogue, on each tile while it is in cache (input 2 of the MatMul).
public struct MatMulBiasFusionPass: GraphPass {
    public let name = "matmul-bias-fusion"
    public init() {}

    public func run(on graph: inout Graph, protected: Set<String>) throws {
        var changed = false
        for index in graph.nodes.indices {
            let node = graph.nodes[index]
            guard isPlainMatMul(node), let weight = graph.initializers[node.inputs[1]], weight.shape.count == 2,
                  weight.dataType == .float32,
                  let addIndex = graph.soleReader(of: node.outputs[0], protected: protected), graph.isNode(addIndex, "Add"),
                  let biasName = graph.otherInput(of: addIndex, than: node.outputs[0]),
                  let bias = graph.initializers[biasName], bias.dataType == .float32 else { continue }
            let n = weight.shape[1]
            guard bias.count == n, bias.shape == [n] else { continue }
            var fused = node
            fused.inputs.append(biasName)
            fused.outputs = graph.nodes[addIndex].outputs
            graph.nodes[index] = fused
            graph.nodes[addIndex].outputs = [graph.nodes[addIndex].outputs[0] + "__fused_away"]
            changed = true
        }
        if changed { try graph.removeDeadNodes(protected: protected) }
    }
}
