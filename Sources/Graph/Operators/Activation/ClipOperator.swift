import Kernels
import Tensor

/// Clip: bounds from the optional min/max inputs (opset ≥ 11) or the min/max
/// attributes (older opsets). Bound inputs are read when running, so they need not be constant.
final class ClipOperator: Operator {
    let node: Node
    let attributeMin: Float
    let attributeMax: Float
    let usesInputs: Bool

    init(_ context: OperatorContext) throws {
        node = context.node
        usesInputs = context.opsetVersion >= 11
        attributeMin = try node.float("min", default: -.infinity)
        attributeMax = try node.float("max", default: .infinity)
    }

    func inferTypes(_ inputs: [TensorType?], constants: [Tensor?]) throws -> [TensorType] {
        try ShapeSupport.requireTypes(inputs, [0], [.float32, .int64], node: node)
        for index in [1, 2] where ShapeSupport.isPresent(inputs, index) {
            guard inputs[index]!.count == 1, inputs[index]!.dataType == inputs[0]!.dataType else {
                throw GraphError.invalidInput(node: node.label, reason: "bound \(index) must be a scalar of the input's type")
            }
        }
        return [inputs[0]!]
    }

    func execute(_ inputs: [Tensor?], _ outputs: [Tensor], _ context: ExecutionContext) throws {
        guard let x = inputs[0] else { throw GraphError.invalidInput(node: node.label, reason: "missing input") }
        func bound(_ index: Int) -> Tensor? { usesInputs && index < inputs.count ? inputs[index] : nil }
        if x.dataType == .int64 {
            let lo = bound(1)?.toInt64s()[0] ?? .min, hi = bound(2)?.toInt64s()[0] ?? .max
            let source = x.int64Pointer, destination = outputs[0].int64Pointer
            for i in 0..<x.count { destination[i] = Swift.min(Swift.max(source[i], lo), hi) }
            return
        }
        let lo = bound(1)?.floatPointer.pointee ?? (usesInputs ? -.infinity : attributeMin)
        let hi = bound(2)?.floatPointer.pointee ?? (usesInputs ? .infinity : attributeMax)
        let source = x.floatPointer, destination = outputs[0].floatPointer
        context.forEachElementChunk(x.count) { range in
            (destination + range.lowerBound).update(from: source + range.lowerBound, count: range.count)
            VectorMath.clamp(destination + range.lowerBound, count: range.count, min: lo, max: hi)
        }
    }
}
