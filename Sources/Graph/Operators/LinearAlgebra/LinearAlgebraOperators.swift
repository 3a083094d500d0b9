import Kernels
import Tensor

/// Registers the linear-algebra operator family (MatMul, Gemm).
func registerLinearAlgebraOperators(in registry: OperatorRegistry) {
    registry.register("MatMul") { try MatMulOperator(context: $0) }
    registry.register("Gemm") { try GemmOperator(context: $0) }
}

/// How a numpy-style matmul of two shapes lays out: batch broadcast, M, N, K.
struct MatMulShape {
    let outputShape: [Int]
    let batchShape: [Int]
    /// Element strides of A's and B's matrices along each batch axis (0 where broadcast).
    let aBatchStrides: [Int], bBatchStrides: [Int]
    let m: Int, n: Int, k: Int

    /// `transposeB`: B's last two axes are stored swapped (`[..., N, K]`; rank >= 2).
    init(_ a: [Int], _ b: [Int], transposeB: Bool = false, label: String) throws {
        guard !a.isEmpty, !b.isEmpty else { throw GraphError.invalidInput(node: label, reason: "MatMul operands must have rank >= 1") }
        if transposeB && b.count < 2 {
            throw GraphError.invalidInput(node: label, reason: "a transposed MatMul operand must have rank >= 2")
        }
        let a2 = a.count == 1 ? [1, a[0]] : a
        var b2 = b.count == 1 ? [b[0], 1] : b
        if transposeB { b2.swapAt(b2.count - 1, b2.count - 2) }
        m = a2[a2.count - 2]; k = a2[a2.count - 1]; n = b2[b2.count - 1]
        guard b2[b2.count - 2] == k else {
            throw GraphError.shapeMismatch(node: label, reason: "cannot multiply \(a) by \(b): inner dimensions \(k) and \(b2[b2.count - 2])")
        }
        let aBatch = Array(a2.dropLast(2)), bBatch = Array(b2.dropLast(2))
        let rank = max(aBatch.count, bBatch.count)
        let aPadded = Array(repeating: 1, count: rank - aBatch.count) + aBatch
        let bPadded = Array(repeating: 1, count: rank - bBatch.count) + bBatch
        var batch = [Int](), aStrides = [Int](repeating: 0, count: rank), bStrides = aStrides
        var aStride = m * k, bStride = k * n
        for axis in (0..<rank).reversed() {
            let x = aPadded[axis], y = bPadded[axis]
            guard x == y || x == 1 || y == 1 else {
                throw GraphError.shapeMismatch(node: label, reason: "batch dimensions of \(a) and \(b) do not broadcast")
            }
            batch.insert(max(x, y), at: 0)
            aStrides[axis] = x == 1 ? 0 : aStride
            bStrides[axis] = y == 1 ? 0 : bStride
            aStride *= x; bStride *= y
        }
        batchShape = batch; aBatchStrides = aStrides; bBatchStrides = bStrides
        var output = batch
        if a.count > 1 { output.append(m) }
        if b.count > 1 { output.append(n) }
        outputShape = output
    }

    var batchCount: Int { batchShape.reduce(1, *) }
    /// B is one matrix shared by every batch entry (a weight): A's rows can be stacked into one GEMM.
    var sharesB: Bool {
        batchShape.indices.allSatisfy { bBatchStrides[$0] == 0 && (aBatchStrides[$0] != 0 || batchShape[$0] == 1) }
    }

    /// Element offsets of A's and B's matrices for output batch entry `index`.
    func offsets(_ index: Int) -> (Int, Int) {
        var remainder = index, a = 0, b = 0
        for axis in batchShape.indices.reversed() {
            let coordinate = remainder % batchShape[axis]
            remainder /= batchShape[axis]
            a += coordinate * aBatchStrides[axis]; b += coordinate * bBatchStrides[axis]
        }
        return (a, b)
    }
}
