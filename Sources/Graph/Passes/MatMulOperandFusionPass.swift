import Tensor

/// Folds the glue around attention's MatMuls into the MatMul itself:
///
/// - `MatMul(Q, Transpose(K))` whose Transpose swaps only the last two axes reads K in place
///   (``FusedMatMulAttribute/transposeB``), so no transposed copy of K is made;
/// - `Mul(MatMul(...), c)` and `Div(MatMul(...), c)` by a scalar constant become the MatMul's
///   ``FusedMatMulAttribute/alpha`` (only for a MatMul without bias or activation, where
///   scaling the product is the same as scaling the result).
public struct MatMulOperandFusionPass: GraphPass {
    public let name = "matmul-operand-fusion"
    public init() {}

    public func run(on graph: inout Graph, protected: Set<String>) throws {
        var changed = false
        let producers = graph.producers
        for index in graph.nodes.indices where isPlainMatMul(graph.nodes[index], allowingBias: true) {
            let node = graph.nodes[index]
            guard node.attributes[FusedMatMulAttribute.transposeB] == nil, let transposeIndex = producers[node.inputs[1]],
                  graph.isNode(transposeIndex, "Transpose"), let perm = try graph.nodes[transposeIndex].ints("perm"),
                  perm.count >= 2, perm == Array(0..<(perm.count - 2)) + [perm.count - 1, perm.count - 2],
                  let source = graph.nodes[transposeIndex].input(0) else { continue }
            graph.nodes[index].inputs[1] = source
            graph.nodes[index].attributes[FusedMatMulAttribute.transposeB] = .int(1)
            changed = true
        }
        for index in graph.nodes.indices where isPlainMatMul(graph.nodes[index]) {
            let output = graph.nodes[index].outputs[0]
            guard let scaleIndex = graph.soleReader(of: output, protected: protected),
                  let constant = graph.otherInput(of: scaleIndex, than: output),
                  let value = graph.scalarConstant(constant), graph.nodes[scaleIndex].inputs[0] == output else { continue }
            let factor: Float
            if graph.isNode(scaleIndex, "Mul") { factor = value }
            else if graph.isNode(scaleIndex, "Div"), value != 0 { factor = 1 / value }
            else { continue }
            let alpha = try graph.nodes[index].float(FusedMatMulAttribute.alpha, default: 1)
            graph.nodes[index].attributes[FusedMatMulAttribute.alpha] = .float(alpha * factor)
            graph.nodes[index].outputs[0] = graph.nodes[scaleIndex].outputs[0]
            graph.nodes[scaleIndex].outputs = [output + "__fused_away"]
            changed = true
        }
        if changed { try graph.removeDeadNodes(protected: protected) }
    }
}
