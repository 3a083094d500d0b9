import Tensor

/// Slice with starts/ends/axes/steps inputs (opset ≥ 10; attributes before), negative
/// indices, clamping of out-of-range values (INT64_MAX/MIN) and negative steps.
final class SliceOperator: Operator {
    let node: Node
    let opsetVersion: Int

    init(_ context: OperatorContext) {
        node = context.node
        opsetVersion = context.opsetVersion
    }

    /// Per axis of the input: first index, step and output size.
    struct Plan { var starts: [Int]; var steps: [Int]; var shape: [Int] }

    func plan(_ shape: [Int], _ inputs: [TensorType?], _ constants: [Tensor?]) throws -> Plan {
        let rank = shape.count
        let starts, ends: [Int]
        var axes: [Int]?, steps: [Int]?
        if opsetVersion >= 10 {
            func read(_ index: Int, _ role: String) throws -> [Int]? {
                try ShapeSupport.constantIntegers(inputs, constants, index, node: node, role: role)
            }
            guard let s = try read(1, "starts"), let e = try read(2, "ends") else {
                throw GraphError.invalidInput(node: node.label, reason: "starts and ends are required")
            }
            starts = s; ends = e
            axes = try read(3, "axes")
            steps = try read(4, "steps")
        } else {
            guard let s = try node.ints("starts"), let e = try node.ints("ends") else {
                throw GraphError.invalidInput(node: node.label, reason: "starts and ends are required")
            }
            starts = s; ends = e
            axes = try node.ints("axes")
        }
        let axisList = axes ?? Array(0..<starts.count)
        let stepList = steps ?? Array(repeating: 1, count: starts.count)
        guard ends.count == starts.count, axisList.count == starts.count, stepList.count == starts.count else {
            throw GraphError.invalidInput(node: node.label, reason: "starts, ends, axes and steps differ in length")
        }
        _ = try ShapeSupport.axes(axisList, rank: rank, node: node)  // rejects repeated axes
        var plan = Plan(starts: Array(repeating: 0, count: rank), steps: Array(repeating: 1, count: rank), shape: shape)
        for i in starts.indices {
            let axis = try ShapeSupport.axis(axisList[i], rank: rank, node: node)
            let dim = shape[axis], step = stepList[i]
            guard step != 0 else { throw GraphError.invalidInput(node: node.label, reason: "step 0 on axis \(axis)") }
            func adjust(_ value: Int) -> Int {
                let clamped = Swift.min(Swift.max(value, -dim - 1), dim + 1)
                return clamped < 0 ? clamped + dim : clamped
            }
            var start = adjust(starts[i]), end = adjust(ends[i])
            if step > 0 {
                start = Swift.min(Swift.max(start, 0), dim)
                end = Swift.min(Swift.max(end, 0), dim)
            } else {
                start = Swift.min(Swift.max(start, 0), dim - 1)
                end = Swift.min(Swift.max(end, -1), dim - 1)
            }
            let size = step > 0 ? (end - start + step - 1) / step : (start - end + (-step) - 1) / (-step)
            plan.starts[axis] = start
            plan.steps[axis] = step
            plan.shape[axis] = Swift.max(0, size)
        }
        return plan
    }

    func inferTypes(_ inputs: [TensorType?], constants: [Tensor?]) throws -> [TensorType] {
        let x = try ShapeSupport.required(inputs, 0, node: node)
        return [TensorType(x.dataType, try plan(x.shape, inputs, constants).shape)]
    }

    func execute(_ inputs: [Tensor?], _ outputs: [Tensor], _ context: ExecutionContext) throws {
        guard let x = inputs[0] else { throw GraphError.invalidInput(node: node.label, reason: "missing input") }
        let types = inputs.map { $0.map { TensorType($0.dataType, $0.shape) } }
        let plan = try plan(x.shape, types, inputs)
        let count = plan.shape.reduce(1, *)
        guard count > 0 else { return }
        let size = x.dataType.byteSize
        let strides = ShapeSupport.strides(x.shape)
        let rank = x.rank
        guard rank > 0 else { outputs[0].rawPointer.copyMemory(from: x.rawPointer, byteCount: size); return }
        let runContiguous = plan.steps[rank - 1] == 1
        let run = runContiguous ? plan.shape[rank - 1] : 1
        let outerRank = runContiguous ? rank - 1 : rank
        var index = [Int](repeating: 0, count: outerRank)
        var offset = zip(plan.starts, strides).reduce(0) { $0 + $1.0 * $1.1 }
        let source = x.rawPointer, destination = outputs[0].rawPointer
        var position = 0
        while position < count {
            (destination + position * size).copyMemory(from: source + offset * size, byteCount: run * size)
            position += run
            var axis = outerRank - 1
            while axis >= 0 {
                index[axis] += 1
                offset += plan.steps[axis] * strides[axis]
                if index[axis] < plan.shape[axis] { break }
                offset -= plan.steps[axis] * strides[axis] * index[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }
}
