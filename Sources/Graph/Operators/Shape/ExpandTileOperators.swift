import Tensor

/// Expand: broadcasts the input against a constant shape (in both directions).
final class ExpandOperator: Operator {
    let node: Node
    init(_ context: OperatorContext) { node = context.node }

    func inferTypes(_ inputs: [TensorType?], constants: [Tensor?]) throws -> [TensorType] {
        let x = try ShapeSupport.required(inputs, 0, node: node)
        guard let shape = try ShapeSupport.constantIntegers(inputs, constants, 1, node: node, role: "the shape") else {
            throw GraphError.invalidInput(node: node.label, reason: "the shape input is required")
        }
        return [TensorType(x.dataType, try ShapeSupport.broadcast([x.shape, shape], node: node))]
    }

    func execute(_ inputs: [Tensor?], _ outputs: [Tensor], _ context: ExecutionContext) throws {
        guard let x = inputs[0] else { throw GraphError.invalidInput(node: node.label, reason: "missing input") }
        BroadcastCopy.copy(x, into: outputs[0], context: context)
    }
}

/// Tile: repeats the input `repeats[i]` times along each axis.
final class TileOperator: Operator {
    let node: Node
    init(_ context: OperatorContext) { node = context.node }

    func inferTypes(_ inputs: [TensorType?], constants: [Tensor?]) throws -> [TensorType] {
        let x = try ShapeSupport.required(inputs, 0, node: node)
        guard let repeats = try ShapeSupport.constantIntegers(inputs, constants, 1, node: node, role: "repeats") else {
            throw GraphError.invalidInput(node: node.label, reason: "the repeats input is required")
        }
        guard repeats.count == x.shape.count, repeats.allSatisfy({ $0 >= 0 }) else {
            throw GraphError.invalidInput(node: node.label, reason: "repeats \(repeats) do not fit rank \(x.shape.count)")
        }
        return [TensorType(x.dataType, zip(x.shape, repeats).map { $0 * $1 })]
    }

    func execute(_ inputs: [Tensor?], _ outputs: [Tensor], _ context: ExecutionContext) throws {
        guard let x = inputs[0] else { throw GraphError.invalidInput(node: node.label, reason: "missing input") }
        let out = outputs[0]
        guard out.count > 0 else { return }
        // Tiling is broadcasting [1, d0, 1, d1, ...] into [r0, d0, r1, d1, ...], the output's own layout.
        var sourceShape: [Int] = [], targetShape: [Int] = []
        for (d, size) in x.shape.enumerated() {
            sourceShape += [1, size]
            targetShape += [size == 0 ? 0 : out.shape[d] / size, size]
        }
        BroadcastCopy.copy(x.reshaped(sourceShape), into: out.reshaped(targetShape), context: context)
    }
}
