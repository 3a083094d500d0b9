import Tensor

/// Attention's head split and merge, read and written in place by the MatMuls around them
/// (``AttentionLayoutFusionPass``): an operand that was `Squeeze(Split(Transpose(X, perm)))[i]`
/// is read from `X` with strides, and a product that a `Transpose` only re-laid is written in
/// that Transpose's layout. No copy of q, k, v or of the attention output is made.
struct MatMulOperandView: Equatable {
    /// The Transpose's permutation of `X`'s axes; its last entry must be `X`'s last axis.
    let perm: [Int]
    /// Which slice along the transposed tensor's first axis the operand is.
    let select: Int

    /// The operand's shape, element strides and first element's offset, for an `X` of `shape`.
    func layout(of shape: [Int], label: String) throws -> StridedLayout {
        guard perm.count == shape.count, Set(perm) == Set(0..<shape.count), perm.last == shape.count - 1,
              shape.count >= 3 else {
            throw GraphError.invalidInput(node: label, reason: "operand view \(perm) does not fit an input of shape \(shape)")
        }
        let strides = ShapeSupport.strides(shape)
        let dims = perm.map { shape[$0] }, permuted = perm.map { strides[$0] }
        guard select >= 0, select < dims[0] else {
            throw GraphError.invalidInput(node: label, reason: "operand view selects slice \(select) of \(dims[0])")
        }
        return StridedLayout(shape: Array(dims.dropFirst()), strides: Array(permuted.dropFirst()), offset: select * permuted[0])
    }
}

/// A tensor seen through element strides (the innermost stride is 1).
struct StridedLayout: Equatable {
    let shape: [Int]
    let strides: [Int]
    let offset: Int

    static func contiguous(_ shape: [Int]) -> StridedLayout {
        StridedLayout(shape: shape, strides: ShapeSupport.strides(shape), offset: 0)
    }

    /// A `logical` result stored as `transpose(logical, perm)` (contiguous in the stored order).
    static func stored(_ logical: [Int], transposedBy perm: [Int]) -> StridedLayout {
        let storedStrides = ShapeSupport.strides(perm.map { logical[$0] })
        var strides = [Int](repeating: 0, count: logical.count)
        for (position, axis) in perm.enumerated() { strides[axis] = storedStrides[position] }
        return StridedLayout(shape: logical, strides: strides, offset: 0)
    }

    /// The element offset of batch entry `index` (row-major over the leading `batchShape` axes).
    func offset(ofEntry index: Int, batchShape: [Int]) -> Int {
        var remainder = index, result = offset
        for axis in batchShape.indices.reversed() {
            result += remainder % batchShape[axis] * strides[axis]
            remainder /= batchShape[axis]
        }
        return result
    }

    /// The stride between the matrix's rows (the second-to-last axis).
    var rowStride: Int { strides[strides.count - 2] }

    /// The same matrices seen over the product's `batch` axes (numpy broadcasting): missing
    /// leading axes and axes of size 1 get stride 0.
    func broadcast(toBatch batch: [Int]) -> StridedLayout {
        let own = shape.count - 2, skipped = batch.count - own
        let batchStrides = batch.indices.map { axis -> Int in
            let mine = axis - skipped
            return mine >= 0 && shape[mine] != 1 ? strides[mine] : 0
        }
        return StridedLayout(shape: batch + shape.suffix(2), strides: batchStrides + strides.suffix(2), offset: offset)
    }
}
