import Tensor

/// Gather along `axis`: any data type, int64/int32 indices, negative indices count
/// from the end, a scalar index removes the axis.
final class GatherOperator: Operator {
    let node: Node
    let axis: Int

    init(_ context: OperatorContext) throws {
        node = context.node
        axis = try context.node.int("axis", default: 0)
    }

    func inferTypes(_ inputs: [TensorType?], constants: [Tensor?]) throws -> [TensorType] {
        let data = try ShapeSupport.required(inputs, 0, node: node)
        try ShapeSupport.requireTypes(inputs, [1], [.int64, .int32], node: node)
        guard !data.shape.isEmpty else { throw GraphError.invalidInput(node: node.label, reason: "cannot gather from a scalar") }
        let a = try ShapeSupport.axis(axis, rank: data.shape.count, node: node)
        return [TensorType(data.dataType, Array(data.shape[..<a]) + inputs[1]!.shape + Array(data.shape[(a + 1)...]))]
    }

    func execute(_ inputs: [Tensor?], _ outputs: [Tensor], _ context: ExecutionContext) throws {
        guard let data = inputs[0], let indices = inputs[1] else {
            throw GraphError.invalidInput(node: node.label, reason: "missing input")
        }
        let a = try ShapeSupport.axis(axis, rank: data.rank, node: node)
        let dim = data.shape[a]
        let outer = data.shape[..<a].reduce(1, *)
        let block = data.shape[(a + 1)...].reduce(1, *) * data.dataType.byteSize
        let count = indices.count
        let positions: [Int] = try (0..<count).map { i in
            let raw = indices.dataType == .int64
                ? Int(indices.rawPointer.load(fromByteOffset: i * 8, as: Int64.self))
                : Int(indices.rawPointer.load(fromByteOffset: i * 4, as: Int32.self))
            let index = raw < 0 ? raw + dim : raw
            guard index >= 0, index < dim else {
                throw GraphError.invalidInput(node: node.label, reason: "index \(raw) is out of range for axis of size \(dim)")
            }
            return index
        }
        let source = data.rawPointer, destination = outputs[0].rawPointer
        guard block > 0 else { return }
        for o in 0..<outer {
            for (j, index) in positions.enumerated() {
                (destination + (o * count + j) * block).copyMemory(from: source + (o * dim + index) * block, byteCount: block)
            }
        }
    }
}
