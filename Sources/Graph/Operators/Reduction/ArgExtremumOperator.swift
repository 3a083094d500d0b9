import Tensor

/// ArgMax / ArgMin along one axis (keepdims, select_last_index), int64 output.
final class ArgExtremumOperator: Operator {
    let node: Node
    let maximum: Bool
    let axis: Int
    let keepDims: Bool
    let selectLast: Bool

    init(_ context: OperatorContext, maximum: Bool) throws {
        node = context.node
        self.maximum = maximum
        axis = try node.int("axis", default: 0)
        keepDims = try node.int("keepdims", default: 1) != 0
        selectLast = try node.int("select_last_index", default: 0) != 0
    }

    func inferTypes(_ inputs: [TensorType?], constants: [Tensor?]) throws -> [TensorType] {
        try ShapeSupport.requireTypes(inputs, [0], [.float32, .int64], node: node)
        var shape = inputs[0]!.shape
        let a = try ShapeSupport.axis(axis, rank: shape.count, node: node)
        if keepDims { shape[a] = 1 } else { shape.remove(at: a) }
        return [TensorType(.int64, shape)]
    }

    func execute(_ inputs: [Tensor?], _ outputs: [Tensor], _ context: ExecutionContext) throws {
        guard let x = inputs[0] else { throw GraphError.invalidInput(node: node.label, reason: "missing input") }
        let values = x.toFloats()
        let a = try ShapeSupport.axis(axis, rank: x.rank, node: node)
        let outer = x.shape[..<a].reduce(1, *), length = x.shape[a], inner = x.shape[(a + 1)...].reduce(1, *)
        let y = outputs[0].int64Pointer
        for o in 0..<outer {
            for j in 0..<inner {
                var best = 0
                for k in 1..<Swift.max(length, 1) {
                    let v = values[(o * length + k) * inner + j], b = values[(o * length + best) * inner + j]
                    let better = maximum ? (v > b || (selectLast && v == b)) : (v < b || (selectLast && v == b))
                    if better { best = k }
                }
                y[o * inner + j] = Int64(best)
            }
        }
    }
}
