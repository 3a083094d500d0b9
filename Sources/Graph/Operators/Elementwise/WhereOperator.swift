import Kernels
import Tensor

/// Where(condition, X, Y): X where the boolean condition holds, else Y, with
/// three-way broadcasting. X and Y may be of any (equal) element type.
final class WhereOperator: Operator {
    let node: Node
    init(_ context: OperatorContext) { node = context.node }

    func inferTypes(_ inputs: [TensorType?], constants: [Tensor?]) throws -> [TensorType] {
        try ShapeSupport.requireTypes(inputs, [0], [.bool], node: node)
        let x = try ShapeSupport.required(inputs, 1, node: node), y = try ShapeSupport.required(inputs, 2, node: node)
        guard x.dataType == y.dataType else {
            throw GraphError.invalidInput(node: node.label, reason: "X is \(x.dataType) but Y is \(y.dataType)")
        }
        return [TensorType(x.dataType, try ShapeSupport.broadcast([inputs[0]!.shape, x.shape, y.shape], node: node))]
    }

    func execute(_ inputs: [Tensor?], _ outputs: [Tensor], _ context: ExecutionContext) throws {
        guard let c = inputs[0], let x = inputs[1], let y = inputs[2] else {
            throw GraphError.invalidInput(node: node.label, reason: "missing input")
        }
        let walk = BroadcastWalk(outputShape: outputs[0].shape, inputShapes: [c.shape, x.shape, y.shape])
        switch x.dataType.byteSize {
        case 1: select(UInt8.self, c, x, y, outputs[0], walk, context)
        case 2: select(UInt16.self, c, x, y, outputs[0], walk, context)
        case 4: select(UInt32.self, c, x, y, outputs[0], walk, context)
        default: select(UInt64.self, c, x, y, outputs[0], walk, context)
        }
    }

    private func select<Word>(_: Word.Type, _ c: Tensor, _ x: Tensor, _ y: Tensor, _ out: Tensor,
                              _ walk: BroadcastWalk, _ context: ExecutionContext) {
        let pc = UnsafePointer(c.rawPointer.assumingMemoryBound(to: UInt8.self))
        let px = UnsafePointer(x.rawPointer.assumingMemoryBound(to: Word.self))
        let py = UnsafePointer(y.rawPointer.assumingMemoryBound(to: Word.self))
        let po = out.rawPointer.assumingMemoryBound(to: Word.self)
        let steps = SIMD4<Int>(walk.advancesInRun[0] ? 1 : 0, walk.advancesInRun[1] ? 1 : 0, walk.advancesInRun[2] ? 1 : 0, 0)
        context.forEachElementChunk(walk.count) { range in
            walk.forEachSegment(in: range) { o, at, n in
                for i in 0..<n {
                    let index = o &+ steps &* i
                    po[at + i] = pc[index[0]] != 0 ? px[index[1]] : py[index[2]]
                }
            }
        }
    }
}
