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

    init(_ a: [Int], _ b: [Int], label: String) throws {
        guard !a.isEmpty, !b.isEmpty else { throw GraphError.invalidInput(node: label, reason: "MatMul operands must have rank >= 1") }
        let a2 = a.count == 1 ? [1, a[0]] : a
        let b2 = b.count == 1 ? [b[0], 1] : b
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

/// ONNX MatMul (numpy semantics: 1-D operands, broadcast batch dimensions) with a fused activation.
///
/// When B is shared by every batch entry (a 2-D weight), all of A's rows go
/// through one GEMM split over the pool; otherwise each batch entry is its own
/// GEMM on views of the inputs (no copies), batch entries spread over the pool.
final class MatMulOperator: Operator {
    let label: String
    let activation: Activation?

    init(context: OperatorContext) throws {
        label = context.node.label
        activation = try Activation(fusedInto: context.node)
    }

    func inferTypes(_ inputs: [TensorType?], constants: [Tensor?]) throws -> [TensorType] {
        let a = try requireFloat(inputs.first ?? nil, label, input: 0)
        let b = try requireFloat(inputs.count > 1 ? inputs[1] : nil, label, input: 1)
        return [TensorType(.float32, try MatMulShape(a.shape, b.shape, label: label).outputShape)]
    }

    func multiplyAdds(_ inputs: [TensorType?], outputs: [TensorType]) -> Int {
        guard inputs.count > 1, let a = inputs[0], let b = inputs[1],
              let shape = try? MatMulShape(a.shape, b.shape, label: label) else { return 0 }
        return shape.batchCount * shape.m * shape.n * shape.k
    }

    func execute(_ inputs: [Tensor?], _ outputs: [Tensor], _ context: ExecutionContext) throws {
        guard inputs.count > 1, let a = inputs[0], let b = inputs[1] else {
            throw GraphError.invalidInput(node: label, reason: "MatMul needs two inputs")
        }
        let shape = try MatMulShape(a.shape, b.shape, label: label)
        let aPointer = UnsafePointer(a.floatPointer), bPointer = UnsafePointer(b.floatPointer)
        let c = outputs[0].floatPointer
        let m = shape.m, n = shape.n, k = shape.k, activation = self.activation
        let epilogue: (UnsafeMutablePointer<Float>) -> (Range<Int>, Range<Int>) -> Void = { base in
            { rows, columns in
                ConvolutionEpilogue.applyColumnBias(base, ldc: n, rows: rows, columns: columns, bias: nil, activation: activation)
            }
        }
        if shape.sharesB {
            let rows = shape.batchCount * m
            ParallelGEMM.multiply(pool: context.threadPool, m: rows, n: n, k: k, a: aPointer, lda: k,
                                  b: bPointer, ldb: n, c: c, ldc: n, epilogue: epilogue(c))
            return
        }
        let count = shape.batchCount, pool = context.threadPool
        if count >= pool.threadCount {
            ConvolutionRun.forEachItem(count, pool: pool) { index, _ in
                let (aOffset, bOffset) = shape.offsets(index)
                let target = c + index * m * n
                GEMM.multiply(m: m, n: n, k: k, a: aPointer + aOffset, lda: k, b: bPointer + bOffset, ldb: n, c: target, ldc: n)
                activation?.apply(target, count: m * n)
            }
        } else {
            for index in 0..<count {
                let (aOffset, bOffset) = shape.offsets(index)
                let target = c + index * m * n
                ParallelGEMM.multiply(pool: pool, m: m, n: n, k: k, a: aPointer + aOffset, lda: k,
                                      b: bPointer + bOffset, ldb: n, c: target, ldc: n, epilogue: epilogue(target))
            }
        }
    }
}
