import Tensor

/// Shape (with opset-15 `start`/`end`) and Size: int64 facts about the input's shape.
final class ShapeOperator: Operator {
    let node: Node
    let sizeOnly: Bool

    init(_ context: OperatorContext, sizeOnly: Bool) {
        node = context.node
        self.sizeOnly = sizeOnly
    }

    func values(_ shape: [Int]) throws -> [Int64] {
        if sizeOnly { return [Int64(shape.reduce(1, *))] }
        let rank = shape.count
        func clamp(_ v: Int) -> Int { Swift.min(Swift.max(v < 0 ? v + rank : v, 0), rank) }
        let start = clamp(try node.int("start", default: 0))
        let end = clamp(try node.int("end", default: rank))
        return start < end ? shape[start..<end].map(Int64.init) : []
    }

    func inferTypes(_ inputs: [TensorType?], constants: [Tensor?]) throws -> [TensorType] {
        let x = try ShapeSupport.required(inputs, 0, node: node)
        let count = try values(x.shape).count
        return [TensorType(.int64, sizeOnly ? [] : [count])]
    }

    func execute(_ inputs: [Tensor?], _ outputs: [Tensor], _ context: ExecutionContext) throws {
        guard let x = inputs[0] else { throw GraphError.invalidInput(node: node.label, reason: "missing input") }
        let result = try values(x.shape)
        for (i, v) in result.enumerated() { outputs[0].int64Pointer[i] = v }
    }
}
