import Kernels
import Tensor

/// ONNX Gemm: `Y = alpha * op(A) * op(B) + beta * C` with transA/transB,
/// C broadcast unidirectionally to `[M, N]`, and a fused activation.
///
/// A bias row (`C` of shape `[N]` or `[1, N]` with `beta == 1`, the usual fully
/// connected layer) is added in the per-block epilogue; other C shapes are
/// broadcast into the output first and accumulated with `beta = 1`.
///
/// A constant B (the weights of a fully connected layer) is packed once at load, so a run
/// never re-packs it: at batch 1 re-packing cost more than the multiply itself.
final class GemmOperator: Operator {
    let label: String
    let alpha: Float, beta: Float
    let transposeA: Bool, transposeB: Bool
    let activation: Activation?
    let weights: PackedWeights?

    /// Larger weights (VGG's 25088x4096 fc6) are not copied: packing them per run costs
    /// little next to their multiply, and a second copy would cost hundreds of MB.
    static let largestPackedWeights = 16 << 20

    /// B (input 1) when it is packed.
    var packedInputs: [Int] { weights == nil ? [] : [1] }

    init(context: OperatorContext) throws {
        let node = context.node
        label = node.label
        alpha = try node.float("alpha", default: 1)
        beta = try node.float("beta", default: 1)
        transposeA = try node.int("transA", default: 0) != 0
        transposeB = try node.int("transB", default: 0) != 0
        activation = try Activation(fusedInto: node)
        if let b = context.constant(1), b.dataType == .float32, b.shape.count == 2, b.count > 0,
           b.count <= Self.largestPackedWeights {
            weights = PackedWeights(transposed: transposeB, k: transposeB ? b.shape[1] : b.shape[0],
                                    n: transposeB ? b.shape[0] : b.shape[1], b: b.floatPointer, ldb: b.shape[1])
        } else {
            weights = nil
        }
    }

    /// M, N, K from the operand shapes.
    func dimensions(_ a: [Int], _ b: [Int]) throws -> (m: Int, n: Int, k: Int) {
        guard a.count == 2, b.count == 2 else {
            throw GraphError.shapeMismatch(node: label, reason: "Gemm operands must be 2-D, got \(a) and \(b)")
        }
        let m = transposeA ? a[1] : a[0], k = transposeA ? a[0] : a[1]
        let kb = transposeB ? b[1] : b[0], n = transposeB ? b[0] : b[1]
        guard k == kb else { throw GraphError.shapeMismatch(node: label, reason: "inner dimensions differ: A \(a), B \(b)") }
        return (m, n, k)
    }

    func inferTypes(_ inputs: [TensorType?], constants: [Tensor?]) throws -> [TensorType] {
        let a = try requireFloat(inputs.first ?? nil, label, input: 0)
        let b = try requireFloat(inputs.count > 1 ? inputs[1] : nil, label, input: 1)
        let (m, n, _) = try dimensions(a.shape, b.shape)
        if inputs.count > 2, let c = inputs[2] {
            _ = try requireFloat(c, label, input: 2)
            _ = try broadcastKind(c.shape, m: m, n: n)
        }
        return [TensorType(.float32, [m, n])]
    }

    func multiplyAdds(_ inputs: [TensorType?], outputs: [TensorType]) -> Int {
        guard inputs.count > 1, let a = inputs[0], let b = inputs[1], let (m, n, k) = try? dimensions(a.shape, b.shape) else { return 0 }
        return m * n * k
    }

    enum CBroadcast { case scalar, row, column, full }

    func broadcastKind(_ shape: [Int], m: Int, n: Int) throws -> CBroadcast {
        let padded = Array(repeating: 1, count: max(0, 2 - shape.count)) + shape
        guard padded.count == 2, padded[0] == 1 || padded[0] == m, padded[1] == 1 || padded[1] == n else {
            throw GraphError.shapeMismatch(node: label, reason: "C \(shape) does not broadcast to [\(m), \(n)]")
        }
        switch (padded[0] == m && m != 1, padded[1] == n && n != 1) {
        case (false, false): return padded[1] == n ? .row : (padded[0] == m ? .column : .scalar)
        case (false, true): return .row
        case (true, false): return .column
        case (true, true): return .full
        }
    }

    func execute(_ inputs: [Tensor?], _ outputs: [Tensor], _ context: ExecutionContext) throws {
        guard inputs.count > 1, let a = inputs[0], let b = inputs[1] else {
            throw GraphError.invalidInput(node: label, reason: "Gemm needs A and B")
        }
        let (m, n, k) = try dimensions(a.shape, b.shape)
        let y = outputs[0].floatPointer
        var accumulate: Float = 0
        var rowBias: UnsafePointer<Float>?
        if inputs.count > 2, let c = inputs[2], beta != 0 {
            let kind = try broadcastKind(c.shape, m: m, n: n)
            let values = UnsafePointer(c.floatPointer)
            if kind == .row && beta == 1 {
                rowBias = values
            } else {
                accumulate = 1
                for row in 0..<m {
                    let target = y + row * n
                    for column in 0..<n {
                        let value: Float
                        switch kind {
                        case .scalar: value = values[0]
                        case .row: value = values[column]
                        case .column: value = values[row]
                        case .full: value = values[row * n + column]
                        }
                        target[column] = beta * value
                    }
                }
            }
        }
        let activation = self.activation
        if let weights, accumulate == 0 {
            weights.multiply(pool: context.threadPool, transposeA: transposeA, m: m, alpha: alpha, a: a.floatPointer,
                             lda: a.shape[1], c: y, ldc: n, epilogue: GEMMEpilogue(bias: rowBias, activation: activation))
            return
        }
        ParallelGEMM.multiply(pool: context.threadPool, transposeA: transposeA, transposeB: transposeB,
                              m: m, n: n, k: k, alpha: alpha,
                              a: a.floatPointer, lda: a.shape[1], b: b.floatPointer, ldb: b.shape[1],
                              beta: accumulate, c: y, ldc: n) { rows, columns in
            GEMMEpilogue(bias: rowBias, activation: activation).apply(y, ldc: n, rows: rows, columns: columns)
        }
    }
}
