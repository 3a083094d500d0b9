import Tensor

/// Lets attention's MatMuls read and write the head layout in place (``MatMulOperandView``):
///
/// - an operand `Squeeze(Split(Transpose(X, perm), axis 0)[i], axis 0)` (q, k or v split out of
///   the QKV projection) becomes `X` read with strides: the MatMul gets `perm` and `i`;
/// - a product whose only reader is a Transpose that keeps the last axis last (the heads merged
///   back) is written in that Transpose's layout and takes over its output.
///
/// The head-split Transpose, the Split and the Squeezes, and the merging Transpose, are then
/// dead: the copies they made of every layer's q, k, v and attention output are gone.
/// Only MatMuls of two computed operands (attention's, not a weight's) without bias,
/// activation or residual are rewritten.
public struct AttentionLayoutFusionPass: GraphPass {
    public let name = "attention-layout-fusion"
    public init() {}

    public func run(on graph: inout Graph, protected: Set<String>) throws {
        var changed = false
        var producers = graph.producers
        for index in graph.nodes.indices where isPlainMatMul(graph.nodes[index], allowingBias: false) {
            let node = graph.nodes[index]
            guard node.inputs.allSatisfy({ graph.initializers[$0] == nil }) else { continue }
            var fused = node, rewritten = false
            let slots = [(FusedMatMulAttribute.aPerm, FusedMatMulAttribute.aSelect),
                         (FusedMatMulAttribute.bPerm, FusedMatMulAttribute.bSelect)]
            for (slot, (permKey, selectKey)) in slots.enumerated() {
                guard let (source, perm, select) = try headSlice(node.inputs[slot], graph, producers) else { continue }
                fused.inputs[slot] = source
                fused.attributes[permKey] = .ints(perm)
                fused.attributes[selectKey] = .int(select)
                rewritten = true
            }
            if let reader = graph.soleReader(of: node.outputs[0], protected: protected), graph.isNode(reader, "Transpose"),
               graph.nodes[reader].inputs.first == node.outputs[0], let perm = try graph.nodes[reader].ints("perm"),
               perm.count >= 3, perm.last == perm.count - 1 {
                fused.attributes[FusedMatMulAttribute.outputPerm] = .ints(perm)
                graph.absorb(add: reader, into: index, as: fused, producers: &producers)
                changed = true
                continue
            }
            if rewritten {
                graph.nodes[index] = fused
                changed = true
            }
        }
        if changed { try graph.removeDeadNodes(protected: protected) }
    }

    /// For `Squeeze(Split(Transpose(X, perm), axis 0)[i], axes [0])` with unit pieces and `perm`
    /// keeping the last axis last: (`X`, `perm`, `i`).
    private func headSlice(_ value: String, _ graph: Graph, _ producers: [String: Int]) throws -> (String, [Int], Int)? {
        guard let squeezeIndex = producers[value], graph.isNode(squeezeIndex, "Squeeze") else { return nil }
        let squeeze = graph.nodes[squeezeIndex]
        let axes = try squeeze.ints("axes") ?? (squeeze.inputs.count > 1 ? graph.initializers[squeeze.inputs[1]]?.toInt64s().map(Int.init) : nil)
        guard axes == [0], let piece = squeeze.inputs.first, let splitIndex = producers[piece],
              graph.isNode(splitIndex, "Split") else { return nil }
        let split = graph.nodes[splitIndex]
        guard try split.int("axis", default: 0) == 0, let select = split.outputs.firstIndex(of: piece),
              let transposed = split.inputs.first, let transposeIndex = producers[transposed],
              graph.isNode(transposeIndex, "Transpose") else { return nil }
        // Explicit sizes must all be 1 (equal parts are, whenever the Squeeze is valid).
        if split.inputs.count > 1, !split.inputs[1].isEmpty {
            guard let sizes = graph.initializers[split.inputs[1]]?.toInt64s(), sizes.allSatisfy({ $0 == 1 }) else { return nil }
        }
        if let sizes = try split.ints("split"), !sizes.allSatisfy({ $0 == 1 }) { return nil }
        let transpose = graph.nodes[transposeIndex]
        guard let perm = try transpose.ints("perm"), perm.count >= 3, perm.last == perm.count - 1,
              let source = transpose.inputs.first else { return nil }
        return (source, perm, select)
    }
}
