import Tensor

/// Transpose (perm defaults to reversing the axes), for any element type.
///
/// Axes that stay neighbours are merged first; what remains runs as a blocked 2-D
/// transpose (also batched, for swapping the last two axes), as contiguous row
/// copies when the innermost axis stays innermost, or as a general strided walk.
final class TransposeOperator: Operator {
    let node: Node
    let perm: [Int]?

    init(_ context: OperatorContext) throws {
        node = context.node
        perm = try context.node.ints("perm")
    }

    func permutation(rank: Int) throws -> [Int] {
        let p = perm ?? Array((0..<rank).reversed())
        guard p.count == rank, Set(p) == Set(0..<rank) else {
            throw GraphError.badAttribute(node: node.label, attribute: "perm", reason: "\(p) is not a permutation of \(rank) axes")
        }
        return p
    }

    func inferTypes(_ inputs: [TensorType?], constants: [Tensor?]) throws -> [TensorType] {
        let x = try ShapeSupport.required(inputs, 0, node: node)
        let p = try permutation(rank: x.shape.count)
        return [TensorType(x.dataType, p.map { x.shape[$0] })]
    }

    func execute(_ inputs: [Tensor?], _ outputs: [Tensor], _ context: ExecutionContext) throws {
        guard let x = inputs[0] else { throw GraphError.invalidInput(node: node.label, reason: "missing input") }
        let p = try permutation(rank: x.rank)
        switch x.dataType.byteSize {
        case 1: Self.transpose(UInt8.self, x, outputs[0], p, context)
        case 2: Self.transpose(UInt16.self, x, outputs[0], p, context)
        case 4: Self.transpose(UInt32.self, x, outputs[0], p, context)
        default: Self.transpose(UInt64.self, x, outputs[0], p, context)
        }
    }

    /// Drops size-1 axes and merges input axes that stay adjacent and in order.
    static func collapse(shape: [Int], perm: [Int]) -> (shape: [Int], perm: [Int]) {
        let keptAxes = (0..<shape.count).filter { shape[$0] != 1 }
        let remap = Dictionary(uniqueKeysWithValues: keptAxes.enumerated().map { ($1, $0) })
        var order = perm.compactMap { remap[$0] }   // output order over kept axes
        var sizes = keptAxes.map { shape[$0] }
        // Merge input axis a and a+1 when a+1 directly follows a in the output order.
        var merged = true
        while merged {
            merged = false
            for i in 0..<max(order.count - 1, 0) where order[i + 1] == order[i] + 1 {
                let a = order[i]
                sizes[a] *= sizes[a + 1]
                sizes.remove(at: a + 1)
                order.remove(at: i + 1)
                order = order.map { $0 > a ? $0 - 1 : $0 }
                merged = true
                break
            }
        }
        return (sizes, order)
    }

    private static func transpose<Word>(_: Word.Type, _ x: Tensor, _ y: Tensor, _ perm: [Int], _ context: ExecutionContext) {
        let source = UnsafePointer(x.rawPointer.assumingMemoryBound(to: Word.self))
        let destination = y.rawPointer.assumingMemoryBound(to: Word.self)
        let (shape, order) = collapse(shape: x.shape, perm: perm)
        let count = x.count
        if order.count <= 1 {
            destination.update(from: source, count: count)
            return
        }
        if order == [1, 0] || order == [0, 2, 1] {
            let rows = shape[order.count - 2], columns = shape[order.count - 1]
            let batches = order.count == 3 ? shape[0] : 1
            context.threadPool.parallelFor(batches) { b in
                blockedTranspose(source + b * rows * columns, destination + b * rows * columns, rows, columns)
            }
            return
        }
        let strides = ShapeSupport.strides(shape)
        let outShape = order.map { shape[$0] }
        let inStrides = order.map { strides[$0] }
        let rank = order.count
        let innermostContiguous = order.last == rank - 1
        let run = innermostContiguous ? outShape[rank - 1] : 1
        let outerRank = innermostContiguous ? rank - 1 : rank
        let runs = count / run
        let walk = { (chunk: Range<Int>) in
            copyRuns(chunk, run: run, outShape: Array(outShape[..<outerRank]), inStrides: Array(inStrides[..<outerRank]),
                     source, destination)
        }
        if count >= parallelElements { context.threadPool.parallelChunks(runs, body: walk) } else { walk(0..<runs) }
    }

    /// Below this many elements a transpose runs on the calling thread (a pool hand-off costs more).
    static let parallelElements = 1 << 16

    /// Output runs `chunk` (of `run` contiguous elements each; `run` 1 for a scattered walk):
    /// output run `r` is, in row-major order over `outShape`, the input run at the sum of its
    /// indices times `inStrides`.
    private static func copyRuns<Word>(_ chunk: Range<Int>, run: Int, outShape: [Int], inStrides: [Int],
                                       _ source: UnsafePointer<Word>, _ destination: UnsafeMutablePointer<Word>) {
        let outerRank = outShape.count
        var index = [Int](repeating: 0, count: outerRank)
        var offset = 0, remainder = chunk.lowerBound
        for axis in stride(from: outerRank - 1, through: 0, by: -1) {
            index[axis] = remainder % outShape[axis]
            remainder /= outShape[axis]
            offset += index[axis] * inStrides[axis]
        }
        var position = chunk.lowerBound * run
        for _ in chunk {
            if run == 1 {
                destination[position] = source[offset]
            } else {
                (destination + position).update(from: source + offset, count: run)
            }
            position += run
            var axis = outerRank - 1
            while axis >= 0 {
                index[axis] += 1
                offset += inStrides[axis]
                if index[axis] < outShape[axis] { break }
                offset -= inStrides[axis] * index[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }

    /// `rows × columns` → `columns × rows`, in 32×32 tiles.
    private static func blockedTranspose<Word>(_ source: UnsafePointer<Word>, _ destination: UnsafeMutablePointer<Word>,
                                               _ rows: Int, _ columns: Int) {
        let tile = 32
        var r0 = 0
        while r0 < rows {
            let r1 = min(r0 + tile, rows)
            var c0 = 0
            while c0 < columns {
                let c1 = min(c0 + tile, columns)
                for r in r0..<r1 { for c in c0..<c1 { destination[c * rows + r] = source[r * columns + c] } }
                c0 = c1
            }
            r0 = r1
        }
    }
}
