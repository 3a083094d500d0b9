import Tensor

/// ConstantOfShape: a tensor of the constant shape filled with the `value`
/// attribute's single element (default float32 0).
final class ConstantOfShapeOperator: Operator {
    let node: Node
    let value: Tensor

    init(_ context: OperatorContext) throws {
        node = context.node
        if let attribute = context.node.attributes["value"] {
            guard let tensor = attribute.tensorValue, tensor.count == 1 else {
                throw GraphError.badAttribute(node: node.label, attribute: "value", reason: "expected a one-element tensor")
            }
            value = tensor
        } else {
            value = Tensor(scalar: 0)
        }
    }

    func inferTypes(_ inputs: [TensorType?], constants: [Tensor?]) throws -> [TensorType] {
        guard let shape = try ShapeSupport.constantIntegers(inputs, constants, 0, node: node, role: "the shape") else {
            throw GraphError.invalidInput(node: node.label, reason: "the shape input is required")
        }
        guard shape.allSatisfy({ $0 >= 0 }) else { throw GraphError.invalidInput(node: node.label, reason: "negative shape \(shape)") }
        return [TensorType(value.dataType, shape)]
    }

    func execute(_ inputs: [Tensor?], _ outputs: [Tensor], _ context: ExecutionContext) throws {
        let out = outputs[0], size = value.dataType.byteSize
        for i in 0..<out.count { (out.rawPointer + i * size).copyMemory(from: value.rawPointer, byteCount: size) }
    }
}

/// Range(start, limit, delta) for float32, int64 and int32; the scalars must be constant.
final class RangeOperator: Operator {
    let node: Node
    init(_ context: OperatorContext) { node = context.node }

    private func scalars(_ inputs: [TensorType?], _ constants: [Tensor?]) throws -> (DataType, [Double]) {
        let type = try ShapeSupport.required(inputs, 0, node: node).dataType
        try ShapeSupport.requireTypes(inputs, [0, 1, 2], [type], node: node)
        guard [.float32, .int64, .int32].contains(type) else {
            throw GraphError.invalidInput(node: node.label, reason: "unsupported type \(type)")
        }
        let values: [Double] = try (0..<3).map { index in
            guard index < constants.count, let tensor = constants[index], tensor.count == 1 else {
                throw GraphError.invalidInput(node: node.label, reason: "start, limit and delta must be scalar constants known while planning")
            }
            return type == .float32 ? Double(tensor.toFloats()[0]) : Double(tensor.toInt64s()[0])
        }
        guard values[2] != 0 else { throw GraphError.invalidInput(node: node.label, reason: "delta is 0") }
        return (type, values)
    }

    func inferTypes(_ inputs: [TensorType?], constants: [Tensor?]) throws -> [TensorType] {
        let (type, v) = try scalars(inputs, constants)
        let count = Swift.max(0, Int(((v[1] - v[0]) / v[2]).rounded(.up)))
        return [TensorType(type, [count])]
    }

    func execute(_ inputs: [Tensor?], _ outputs: [Tensor], _ context: ExecutionContext) throws {
        let out = outputs[0]
        let types = inputs.map { $0.map { TensorType($0.dataType, $0.shape) } }
        let (type, v) = try scalars(types, inputs)
        switch type {
        case .float32:
            let start = Float(v[0]), delta = Float(v[2])
            for i in 0..<out.count { out.floatPointer[i] = start + Float(i) * delta }
        case .int64:
            for i in 0..<out.count { out.int64Pointer[i] = Int64(v[0]) + Int64(i) * Int64(v[2]) }
        default:
            let p = out.rawPointer.assumingMemoryBound(to: Int32.self)
            for i in 0..<out.count { p[i] = Int32(v[0]) + Int32(i) * Int32(v[2]) }
        }
    }
}
