import Tensor

/// Operators whose output 0 is input 0 under another shape: Reshape, Flatten,
/// Squeeze, Unsqueeze, Identity and inference-mode Dropout. The planner shares the
/// storage and never runs them (``aliasedInput`` is 0); ``execute`` copies anyway,
/// for callers that do run them.
final class ReinterpretingOperator: Operator {
    enum Kind { case reshape, flatten, squeeze, unsqueeze, identity }
    let node: Node
    let kind: Kind
    let opsetVersion: Int

    init(_ context: OperatorContext, kind: Kind) {
        node = context.node
        self.kind = kind
        opsetVersion = context.opsetVersion
    }

    var aliasedInput: Int? { 0 }

    func inferTypes(_ inputs: [TensorType?], constants: [Tensor?]) throws -> [TensorType] {
        let x = try ShapeSupport.required(inputs, 0, node: node)
        return [TensorType(x.dataType, try outputShape(x.shape, inputs, constants))]
    }

    private func outputShape(_ shape: [Int], _ inputs: [TensorType?], _ constants: [Tensor?]) throws -> [Int] {
        switch kind {
        case .identity: return shape
        case .reshape:
            let requested = try ShapeSupport.constantIntegers(inputs, constants, 1, node: node, role: "the target shape")
                ?? node.ints("shape")
            guard let requested else { throw GraphError.invalidInput(node: node.label, reason: "no target shape") }
            return try Self.reshape(shape, to: requested, allowZero: node.int("allowzero", default: 0) != 0, node: node)
        case .flatten:
            let axis = try node.int("axis", default: 1)
            let a = axis < 0 ? axis + shape.count : axis
            guard a >= 0, a <= shape.count else {
                throw GraphError.invalidInput(node: node.label, reason: "axis \(axis) is out of range for rank \(shape.count)")
            }
            return [shape[..<a].reduce(1, *), shape[a...].reduce(1, *)]
        case .squeeze:
            let listed = opsetVersion >= 13
                ? try ShapeSupport.constantIntegers(inputs, constants, 1, node: node, role: "the axes")
                : try node.ints("axes")
            guard let listed else { return shape.filter { $0 != 1 } }
            let axes = try ShapeSupport.axes(listed, rank: shape.count, node: node)
            for axis in axes where shape[axis] != 1 {
                throw GraphError.invalidInput(node: node.label, reason: "cannot squeeze axis \(axis) of size \(shape[axis]) in \(shape)")
            }
            return shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
        case .unsqueeze:
            let listed = opsetVersion >= 13
                ? try ShapeSupport.constantIntegers(inputs, constants, 1, node: node, role: "the axes")
                : try node.ints("axes")
            guard let listed else { throw GraphError.invalidInput(node: node.label, reason: "Unsqueeze needs axes") }
            let rank = shape.count + listed.count
            let axes = try ShapeSupport.axes(listed, rank: rank, node: node)
            var result: [Int] = []
            var next = shape.makeIterator()
            for axis in 0..<rank { result.append(axes.contains(axis) ? 1 : next.next()!) }
            return result
        }
    }

    /// ONNX Reshape: 0 copies the input dimension (unless `allowZero`), one −1 is inferred.
    static func reshape(_ shape: [Int], to requested: [Int], allowZero: Bool, node: Node) throws -> [Int] {
        let total = shape.reduce(1, *)
        var result = requested
        var inferred: Int?
        for (i, size) in requested.enumerated() {
            switch size {
            case 0 where !allowZero:
                guard i < shape.count else {
                    throw GraphError.invalidInput(node: node.label, reason: "0 at position \(i) of \(requested) has no input dimension to copy")
                }
                result[i] = shape[i]
            case -1:
                guard inferred == nil else {
                    throw GraphError.invalidInput(node: node.label, reason: "more than one -1 in \(requested)")
                }
                inferred = i
            case ..<0:
                throw GraphError.invalidInput(node: node.label, reason: "invalid dimension \(size) in \(requested)")
            default: break
            }
        }
        if let inferred {
            let known = result.enumerated().filter { $0.offset != inferred }.reduce(1) { $0 * $1.element }
            guard known > 0, total % known == 0 else {
                throw GraphError.shapeMismatch(node: node.label, reason: "cannot reshape \(shape) to \(requested)")
            }
            result[inferred] = total / known
        }
        guard result.reduce(1, *) == total else {
            throw GraphError.shapeMismatch(node: node.label, reason: "cannot reshape \(shape) (\(total) elements) to \(requested)")
        }
        return result
    }

    func execute(_ inputs: [Tensor?], _ outputs: [Tensor], _ context: ExecutionContext) throws {
        guard let x = inputs[0] else { throw GraphError.invalidInput(node: node.label, reason: "missing input") }
        if outputs[0].rawPointer != x.rawPointer {
            outputs[0].rawPointer.copyMemory(from: x.rawPointer, byteCount: x.byteCount)
        }
    }
}

/// Dropout at inference: output 0 is the input. When the optional mask output is
/// requested the operator runs instead of aliasing, copying the data and writing an all-true mask.
final class DropoutOperator: Operator {
    let node: Node
    let wantsMask: Bool

    init(_ context: OperatorContext) {
        node = context.node
        wantsMask = context.node.outputs.count > 1 && !context.node.outputs[1].isEmpty
    }

    var aliasedInput: Int? { wantsMask ? nil : 0 }

    func inferTypes(_ inputs: [TensorType?], constants: [Tensor?]) throws -> [TensorType] {
        let x = try ShapeSupport.required(inputs, 0, node: node)
        return wantsMask ? [x, TensorType(.bool, x.shape)] : [x]
    }

    func execute(_ inputs: [Tensor?], _ outputs: [Tensor], _ context: ExecutionContext) throws {
        guard let x = inputs[0] else { throw GraphError.invalidInput(node: node.label, reason: "missing input") }
        if outputs[0].rawPointer != x.rawPointer {
            outputs[0].rawPointer.copyMemory(from: x.rawPointer, byteCount: x.byteCount)
        }
        if outputs.count > 1 {
            outputs[1].rawPointer.initializeMemory(as: UInt8.self, repeating: 1, count: outputs[1].count)
        }
    }
}
