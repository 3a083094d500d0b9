import Kernels
import Tensor

/// Copies a tensor into a larger output it broadcasts to, for any element type
/// (elements are moved as raw 1/2/4/8-byte words). Used by Expand and the variadic ops.
enum BroadcastCopy {
    static func copy(_ source: Tensor, into destination: Tensor, context: ExecutionContext) {
        let walk = BroadcastWalk(outputShape: destination.shape, inputShapes: [source.shape])
        switch source.dataType.byteSize {
        case 1: copy(UInt8.self, source, destination, walk, context)
        case 2: copy(UInt16.self, source, destination, walk, context)
        case 4: copy(UInt32.self, source, destination, walk, context)
        default: copy(UInt64.self, source, destination, walk, context)
        }
    }

    private static func copy<Word>(_: Word.Type, _ source: Tensor, _ destination: Tensor, _ walk: BroadcastWalk,
                                   _ context: ExecutionContext) {
        let from = UnsafePointer(source.rawPointer.assumingMemoryBound(to: Word.self))
        let to = destination.rawPointer.assumingMemoryBound(to: Word.self)
        let advances = walk.advancesInRun[0]
        context.forEachElementChunk(walk.count) { range in
            walk.forEachSegment(in: range) { offsets, at, n in
                if advances {
                    (to + at).update(from: from + offsets[0], count: n)
                } else {
                    (to + at).update(repeating: from[offsets[0]], count: n)
                }
            }
        }
    }
}
