import Tensor

/// Concat along `axis` (negative counts from the end), any element type.
final class ConcatOperator: Operator {
    let node: Node
    let axis: Int

    init(_ context: OperatorContext) throws {
        node = context.node
        axis = try context.node.int("axis", default: 0)
    }

    func inferTypes(_ inputs: [TensorType?], constants: [Tensor?]) throws -> [TensorType] {
        let parts = inputs.compactMap { $0 }
        guard let first = parts.first else { throw GraphError.invalidInput(node: node.label, reason: "no inputs") }
        let a = try ShapeSupport.axis(axis, rank: first.shape.count, node: node)
        var shape = first.shape
        shape[a] = 0
        for part in parts {
            guard part.dataType == first.dataType, part.shape.count == first.shape.count,
                  part.shape.indices.allSatisfy({ $0 == a || part.shape[$0] == first.shape[$0] }) else {
                throw GraphError.shapeMismatch(node: node.label, reason: "cannot concatenate \(parts.map(\.description)) on axis \(axis)")
            }
            shape[a] += part.shape[a]
        }
        return [TensorType(first.dataType, shape)]
    }

    func execute(_ inputs: [Tensor?], _ outputs: [Tensor], _ context: ExecutionContext) throws {
        let out = outputs[0]
        let a = try ShapeSupport.axis(axis, rank: out.rank, node: node)
        let outer = out.shape[..<a].reduce(1, *)
        let outRow = out.shape[a...].reduce(1, *) * out.dataType.byteSize
        var column = 0
        for part in inputs.compactMap({ $0 }) {
            let row = part.shape[a...].reduce(1, *) * part.dataType.byteSize
            if row > 0 {
                for i in 0..<outer {
                    (out.rawPointer + i * outRow + column).copyMemory(from: part.rawPointer + i * row, byteCount: row)
                }
            }
            column += row
        }
    }
}

/// Split along `axis` by the `split` sizes (input from opset 13, attribute before),
/// or into `num_outputs` (opset 18; the last part may be smaller), or evenly.
final class SplitOperator: Operator {
    let node: Node
    let axis: Int
    let opsetVersion: Int

    init(_ context: OperatorContext) throws {
        node = context.node
        axis = try context.node.int("axis", default: 0)
        opsetVersion = context.opsetVersion
    }

    func sizes(_ shape: [Int], _ inputs: [TensorType?], _ constants: [Tensor?]) throws -> [Int] {
        let a = try ShapeSupport.axis(axis, rank: shape.count, node: node)
        let dim = shape[a]
        let explicit = opsetVersion >= 13
            ? try ShapeSupport.constantIntegers(inputs, constants, 1, node: node, role: "the split sizes")
            : try node.ints("split")
        if let explicit {
            guard explicit.reduce(0, +) == dim, explicit.allSatisfy({ $0 >= 0 }) else {
                throw GraphError.invalidInput(node: node.label, reason: "split sizes \(explicit) do not add up to \(dim)")
            }
            guard explicit.count == node.outputs.count else {
                throw GraphError.invalidInput(node: node.label, reason: "\(explicit.count) split sizes for \(node.outputs.count) outputs")
            }
            return explicit
        }
        let parts = try node.int("num_outputs", default: node.outputs.count)
        guard parts > 0, parts == node.outputs.count else {
            throw GraphError.invalidInput(node: node.label, reason: "num_outputs \(parts) but \(node.outputs.count) outputs")
        }
        if node.attributes["num_outputs"] != nil {
            let chunk = (dim + parts - 1) / parts
            return (0..<parts).map { Swift.max(0, Swift.min(chunk, dim - $0 * chunk)) }
        }
        guard dim % parts == 0 else {
            throw GraphError.invalidInput(node: node.label, reason: "cannot split \(dim) evenly into \(parts)")
        }
        return Array(repeating: dim / parts, count: parts)
    }

    func inferTypes(_ inputs: [TensorType?], constants: [Tensor?]) throws -> [TensorType] {
        let x = try ShapeSupport.required(inputs, 0, node: node)
        let a = try ShapeSupport.axis(axis, rank: x.shape.count, node: node)
        return try sizes(x.shape, inputs, constants).map { size in
            var shape = x.shape
            shape[a] = size
            return TensorType(x.dataType, shape)
        }
    }

    /// Pieces of an axis with only size-1 axes before it are contiguous runs of the input
    /// (attention's `Split` of q, k and v): the planner makes them views, with no copy.
    func outputViewOffsets(_ inputs: [TensorType?], outputs: [TensorType]) -> [Int]? {
        guard let x = inputs.first ?? nil, let a = try? ShapeSupport.axis(axis, rank: x.shape.count, node: node),
              x.shape[..<a].allSatisfy({ $0 == 1 }) else { return nil }
        var offsets: [Int] = [], offset = 0
        for part in outputs {
            offsets.append(offset)
            offset += part.byteCount
        }
        return offset == x.byteCount ? offsets : nil
    }

    func execute(_ inputs: [Tensor?], _ outputs: [Tensor], _ context: ExecutionContext) throws {
        guard let x = inputs[0] else { throw GraphError.invalidInput(node: node.label, reason: "missing input") }
        let a = try ShapeSupport.axis(axis, rank: x.rank, node: node)
        let outer = x.shape[..<a].reduce(1, *)
        let inRow = x.shape[a...].reduce(1, *) * x.dataType.byteSize
        var column = 0
        for part in outputs {
            let row = part.shape[a...].reduce(1, *) * part.dataType.byteSize
            if row > 0 {
                for i in 0..<outer {
                    (part.rawPointer + i * row).copyMemory(from: x.rawPointer + i * inRow + column, byteCount: row)
                }
            }
            column += row
        }
    }
}
