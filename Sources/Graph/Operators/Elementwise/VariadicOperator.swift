import Kernels
import Tensor

/// Max, Min, Sum and Mean over any number of broadcast float32 operands.
/// (Two-operand Max/Min go through ``BinaryOperator``, which also handles integers.)
final class VariadicOperator: Operator {
    enum Function: String { case max = "Max", min = "Min", sum = "Sum", mean = "Mean" }
    let node: Node
    let function: Function

    init(_ context: OperatorContext, function: Function) {
        node = context.node
        self.function = function
    }

    func inferTypes(_ inputs: [TensorType?], constants: [Tensor?]) throws -> [TensorType] {
        guard !inputs.isEmpty else { throw GraphError.invalidInput(node: node.label, reason: "needs at least one input") }
        try ShapeSupport.requireTypes(inputs, Array(inputs.indices), [.float32], node: node)
        return [TensorType(.float32, try ShapeSupport.broadcast(inputs.map { $0!.shape }, node: node))]
    }

    func execute(_ inputs: [Tensor?], _ outputs: [Tensor], _ context: ExecutionContext) throws {
        let out = outputs[0]
        let operands = inputs.compactMap { $0 }
        BroadcastCopy.copy(operands[0], into: out, context: context)
        let po = out.floatPointer
        for operand in operands.dropFirst() {
            let walk = BroadcastWalk(outputShape: out.shape, inputShapes: [out.shape, operand.shape])
            let pb = UnsafePointer(operand.floatPointer), bAdv = walk.advancesInRun[1]
            let function = self.function
            context.forEachElementChunk(walk.count) { range in
                walk.forEachSegment(in: range) { o, at, n in
                    let z = po + at, y = pb + o[1]
                    switch function {
                    case .max: BinaryFloatKernels.run(z, true, y, bAdv, z, n, { pointwiseMax($0, $1) }, { Swift.max($0, $1) })
                    case .min: BinaryFloatKernels.run(z, true, y, bAdv, z, n, { pointwiseMin($0, $1) }, { Swift.min($0, $1) })
                    case .sum, .mean: BinaryFloatKernels.run(z, true, y, bAdv, z, n, { $0 + $1 }, { $0 + $1 })
                    }
                }
            }
        }
        if function == .mean {
            let scale = 1 / Float(operands.count)
            for i in 0..<out.count { po[i] *= scale }
        }
    }
}
