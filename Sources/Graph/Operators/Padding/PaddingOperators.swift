import Kernels
import Tensor

/// Registers the padding operator family (Pad).
func registerPaddingOperators(in registry: OperatorRegistry) {
    registry.register("Pad") { try PadOperator(context: $0) }
}

/// ONNX Pad: modes constant / reflect / edge / wrap, pads from the input
/// (opset >= 11) or the attribute (older), optional constant_value and axes
/// (opset 18) inputs; negative pads crop. Works on any element type.
final class PadOperator: Operator {
    enum Mode: String { case constant, reflect, edge, wrap }

    let label: String
    let mode: Mode
    let opsetVersion: Int
    let attributePads: [Int]?
    let attributeValue: Float

    init(context: OperatorContext) throws {
        let node = context.node
        label = node.label
        opsetVersion = context.opsetVersion
        let name = try node.string("mode", default: "constant")
        guard let mode = Mode(rawValue: name) else {
            throw GraphError.badAttribute(node: label, attribute: "mode", reason: "unknown mode '\(name)'")
        }
        self.mode = mode
        attributePads = try node.ints("pads")
        attributeValue = try node.float("value", default: 0)
    }

    /// Begin and end pads per axis of a rank-`rank` input.
    func pads(rank: Int, _ inputs: [Tensor?]) throws -> (begin: [Int], end: [Int]) {
        var flat: [Int]
        if let given = inputs.count > 1 ? inputs[1] : nil {
            guard given.dataType == .int64 else { throw GraphError.invalidInput(node: label, reason: "pads must be int64") }
            flat = given.toInt64s().map { Int($0) }
        } else if let attributePads {
            flat = attributePads
        } else {
            throw GraphError.invalidInput(node: label, reason: "pads must be given (as a constant input)")
        }
        var axes = Array(0..<rank)
        if let axesTensor = inputs.count > 3 ? inputs[3] : nil {
            axes = try axesTensor.toInt64s().map { axis in
                let a = Int(axis) < 0 ? Int(axis) + rank : Int(axis)
                guard a >= 0, a < rank else { throw GraphError.invalidInput(node: label, reason: "axis \(axis) out of range for rank \(rank)") }
                return a
            }
        }
        guard flat.count == 2 * axes.count else {
            throw GraphError.invalidInput(node: label, reason: "expected \(2 * axes.count) pads, got \(flat.count)")
        }
        var begin = [Int](repeating: 0, count: rank), end = begin
        for (i, axis) in axes.enumerated() { begin[axis] = flat[i]; end[axis] = flat[i + axes.count] }
        return (begin, end)
    }

    func outputShape(_ shape: [Int], _ begin: [Int], _ end: [Int]) throws -> [Int] {
        var result = shape
        for axis in shape.indices {
            result[axis] = shape[axis] + begin[axis] + end[axis]
            guard result[axis] >= 0 else { throw GraphError.invalidInput(node: label, reason: "pads crop axis \(axis) of \(shape) below zero") }
            if mode != .constant && shape[axis] == 0 && result[axis] > 0 {
                throw GraphError.invalidInput(node: label, reason: "cannot \(mode.rawValue)-pad an empty axis")
            }
        }
        return result
    }

    func inferTypes(_ inputs: [TensorType?], constants: [Tensor?]) throws -> [TensorType] {
        guard let x = inputs.first ?? nil else { throw GraphError.invalidInput(node: label, reason: "missing input") }
        if inputs.count > 1, inputs[1] != nil, constants.count < 2 || constants[1] == nil {
            throw GraphError.invalidInput(node: label, reason: "pads must be a constant")
        }
        let (begin, end) = try pads(rank: x.shape.count, constants)
        return [TensorType(x.dataType, try outputShape(x.shape, begin, end))]
    }

    func execute(_ inputs: [Tensor?], _ outputs: [Tensor], _ context: ExecutionContext) throws {
        guard let x = inputs.first ?? nil else { throw GraphError.invalidInput(node: label, reason: "missing input") }
        let (begin, end) = try pads(rank: x.shape.count, inputs)
        let outShape = try outputShape(x.shape, begin, end)
        let out = outputs[0]
        let size = x.dataType.byteSize
        // The fill pattern: constant_value's bytes (same type as the data), else the attribute or zero.
        var pattern = [UInt8](repeating: 0, count: size)
        if let value = inputs.count > 2 ? inputs[2] : nil, value.count > 0 {
            guard value.dataType == x.dataType else { throw GraphError.invalidInput(node: label, reason: "constant_value type differs from data") }
            pattern.withUnsafeMutableBytes { $0.baseAddress!.copyMemory(from: value.rawPointer, byteCount: size) }
        } else if attributeValue != 0 {
            guard x.dataType == .float32 else { throw GraphError.invalidInput(node: label, reason: "value attribute needs float32 data") }
            withUnsafeBytes(of: attributeValue) { bytes in pattern.withUnsafeMutableBytes { $0.copyMemory(from: bytes) } }
        }
        if outShape.isEmpty { out.rawPointer.copyMemory(from: x.rawPointer, byteCount: size); return }
        if out.count == 0 { return }
        try pattern.withUnsafeBytes { fill in
            try PadCopier(mode: mode, inShape: x.shape, outShape: outShape, begin: begin, elementSize: size,
                          fill: fill.baseAddress!, label: label)
                .run(source: UnsafeRawPointer(x.rawPointer), target: out.rawPointer)
        }
    }
}
