import Kernels
import Tensor

/// Attributes the transformer fusion passes put on a MatMul node (not ONNX).
public enum FusedMatMulAttribute {
    /// Float: the product is scaled by this (a folded Mul/Div by a constant).
    public static let alpha = "_matmul_alpha"
    /// Int 1: input 1 is stored with its last two axes swapped (a folded Transpose).
    public static let transposeB = "_matmul_transB"
    /// Ints and int: input 0 is `X`, and A is `transpose(X, perm)[select]` (``MatMulOperandView``).
    public static let aPerm = "_matmul_a_perm", aSelect = "_matmul_a_select"
    /// The same for input 1.
    public static let bPerm = "_matmul_b_perm", bSelect = "_matmul_b_select"
    /// Ints: the product is stored transposed by this permutation (its last axis stays last).
    public static let outputPerm = "_matmul_y_perm"
}

/// ONNX MatMul (numpy semantics: 1-D operands, broadcast batch dimensions), extended by the
/// fusion passes: `Y = act(alpha · A · op(B) + bias) + residual`, with optional input 2 a bias
/// per output column (`[N]`) and optional input 3 a residual of the output's shape.
///
/// A constant 2-D B (a weight) is packed once at load; every run is then one GEMM over all of
/// A's rows with the epilogue applied per tile. A variable B (attention) runs one strided GEMM
/// per batch entry on views of the inputs (no copies), batch entries spread over the pool.
final class MatMulOperator: Operator {
    let label: String
    let activation: Activation?
    let alpha: Float
    let transposeB: Bool
    let weights: PackedWeights?
    /// Operands read in place from a head-split layout, and a product written in a head-merged one.
    let aView: MatMulOperandView?, bView: MatMulOperandView?
    let outputPerm: [Int]?
    var hasViews: Bool { aView != nil || bView != nil || outputPerm != nil }

    /// The weight (input 1) when it is packed.
    var packedInputs: [Int] { weights == nil ? [] : [1] }

    init(context: OperatorContext) throws {
        let node = context.node
        label = node.label
        activation = try Activation(fusedInto: node)
        alpha = try node.float(FusedMatMulAttribute.alpha, default: 1)
        transposeB = try node.int(FusedMatMulAttribute.transposeB, default: 0) != 0
        func view(_ perm: String, _ select: String) throws -> MatMulOperandView? {
            guard let order = try node.ints(perm) else { return nil }
            return MatMulOperandView(perm: order, select: try node.int(select, default: 0))
        }
        aView = try view(FusedMatMulAttribute.aPerm, FusedMatMulAttribute.aSelect)
        bView = try view(FusedMatMulAttribute.bPerm, FusedMatMulAttribute.bSelect)
        outputPerm = try node.ints(FusedMatMulAttribute.outputPerm)
        if bView == nil, let b = context.constant(1), b.dataType == .float32, b.shape.count == 2, b.count > 0 {
            let k = transposeB ? b.shape[1] : b.shape[0], n = transposeB ? b.shape[0] : b.shape[1]
            weights = PackedWeights(transposed: transposeB, k: k, n: n, b: b.floatPointer, ldb: b.shape[1])
        } else {
            weights = nil
        }
    }

    func inferTypes(_ inputs: [TensorType?], constants: [Tensor?]) throws -> [TensorType] {
        let a = try requireFloat(inputs.first ?? nil, label, input: 0)
        let b = try requireFloat(inputs.count > 1 ? inputs[1] : nil, label, input: 1)
        if hasViews {
            guard inputs.count == 2 else {
                throw GraphError.invalidInput(node: label, reason: "a MatMul with operand views takes no bias or residual")
            }
            return [TensorType(.float32, try stridedLayouts(a.shape, b.shape).c.storedShape)]
        }
        let shape = try MatMulShape(a.shape, b.shape, transposeB: transposeB, label: label)
        if inputs.count > 2, let bias = inputs[2] {
            _ = try requireFloat(bias, label, input: 2)
            guard bias.shape.reduce(1, *) == shape.n, bias.shape.last == shape.n else {
                throw GraphError.shapeMismatch(node: label, reason: "bias \(bias.shape) is not one value per column (\(shape.n))")
            }
        }
        if inputs.count > 3, let residual = inputs[3] {
            _ = try requireFloat(residual, label, input: 3)
            guard let broadcast = BroadcastWalk.broadcastShape([shape.outputShape, residual.shape]) else {
                throw GraphError.shapeMismatch(node: label, reason: "residual \(residual.shape) does not broadcast to \(shape.outputShape)")
            }
            return [TensorType(.float32, broadcast)]
        }
        return [TensorType(.float32, shape.outputShape)]
    }

    func multiplyAdds(_ inputs: [TensorType?], outputs: [TensorType]) -> Int {
        guard inputs.count > 1, let a = inputs[0], let b = inputs[1] else { return 0 }
        if hasViews { return (try? stridedLayouts(a.shape, b.shape)).map { $0.shape.batchCount * $0.shape.m * $0.shape.n * $0.shape.k } ?? 0 }
        guard let shape = try? MatMulShape(a.shape, b.shape, transposeB: transposeB, label: label) else { return 0 }
        return shape.batchCount * shape.m * shape.n * shape.k
    }

    func execute(_ inputs: [Tensor?], _ outputs: [Tensor], _ context: ExecutionContext) throws {
        try run(inputs, outputs[0], context)
    }

    /// A residual that broadcasts (rare): the product goes to scratch, then the broadcast sum to the output.
    private func addBroadcastResidual(_ residual: Tensor, shape: MatMulShape, inputs: [Tensor?], output: Tensor,
                                      _ context: ExecutionContext) throws {
        let count = shape.outputShape.reduce(1, *)
        let storage = TensorStorage(byteCount: count * 4)
        let product = Tensor(dataType: .float32, shape: shape.outputShape, storage: storage, byteOffset: 0)
        try run(Array(inputs.prefix(3)), product, context)
        let walk = BroadcastWalk(outputShape: output.shape, inputShapes: [shape.outputShape, residual.shape])
        let p = UnsafePointer(product.floatPointer), r = UnsafePointer(residual.floatPointer), y = output.floatPointer
        walk.forEachSegment(in: 0..<walk.count) { offsets, start, length in
            let advanceP = walk.advancesInRun[0], advanceR = walk.advancesInRun[1]
            for i in 0..<length {
                y[start + i] = p[offsets[0] + (advanceP ? i : 0)] + r[offsets[1] + (advanceR ? i : 0)]
            }
        }
    }

    /// The layouts of A, B and C over the product's batch axes when operands or the product are
    /// views (operands of rank 2 or more; batch axes broadcast as numpy does).
    private func stridedLayouts(_ a: [Int], _ b: [Int]) throws
        -> (a: StridedLayout, b: StridedLayout, c: (layout: StridedLayout, storedShape: [Int]), shape: MatMulShape) {
        let aLayout = try aView?.layout(of: a, label: label) ?? .contiguous(a)
        let bLayout = try bView?.layout(of: b, label: label) ?? .contiguous(b)
        guard aLayout.shape.count >= 2, bLayout.shape.count >= 2 else {
            throw GraphError.invalidInput(node: label, reason: "operand views need matrices, got \(aLayout.shape) and \(bLayout.shape)")
        }
        let shape = try MatMulShape(aLayout.shape, bLayout.shape, transposeB: transposeB, label: label)
        let logical = shape.outputShape, batch = Array(logical.dropLast(2))
        let (aBatched, bBatched) = (aLayout.broadcast(toBatch: batch), bLayout.broadcast(toBatch: batch))
        guard let perm = outputPerm else { return (aBatched, bBatched, (.contiguous(logical), logical), shape) }
        guard perm.count == logical.count, Set(perm) == Set(0..<logical.count), perm.last == logical.count - 1 else {
            throw GraphError.badAttribute(node: label, attribute: FusedMatMulAttribute.outputPerm,
                                          reason: "\(perm) must permute \(logical.count) axes and keep the last one last")
        }
        return (aBatched, bBatched, (.stored(logical, transposedBy: perm), perm.map { logical[$0] }), shape)
    }

    /// One strided GEMM per batch entry on the views (attention's products).
    private func runStrided(_ a: Tensor, _ b: Tensor, _ output: Tensor, _ context: ExecutionContext) throws {
        let (aLayout, bLayout, c, shape) = try stridedLayouts(a.shape, b.shape)
        let batch = Array(shape.outputShape.dropLast(2)), count = batch.reduce(1, *)
        let m = shape.m, n = shape.n, k = shape.k, alpha = self.alpha, transposeB = self.transposeB, pool = context.threadPool
        let aPointer = UnsafePointer(a.floatPointer), bPointer = UnsafePointer(b.floatPointer), cPointer = output.floatPointer
        let lda = aLayout.rowStride, ldb = bLayout.rowStride, ldc = c.layout.rowStride
        func entry(_ index: Int) -> (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>) {
            (aPointer + aLayout.offset(ofEntry: index, batchShape: batch), bPointer + bLayout.offset(ofEntry: index, batchShape: batch),
             cPointer + c.layout.offset(ofEntry: index, batchShape: batch))
        }
        if count >= pool.threadCount {
            pool.parallelFor(count) { index in
                let (x, y, z) = entry(index)
                GEMM.multiply(transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: x, lda: lda, b: y, ldb: ldb, c: z, ldc: ldc)
            }
        } else {
            for index in 0..<count {
                let (x, y, z) = entry(index)
                ParallelGEMM.multiply(pool: pool, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                                      a: x, lda: lda, b: y, ldb: ldb, c: z, ldc: ldc)
            }
        }
    }

    private func run(_ inputs: [Tensor?], _ output: Tensor, _ context: ExecutionContext) throws {
        guard inputs.count > 1, let a = inputs[0], let b = inputs[1] else {
            throw GraphError.invalidInput(node: label, reason: "MatMul needs two inputs")
        }
        if hasViews {
            try runStrided(a, b, output, context)
            return
        }
        let shape = try MatMulShape(a.shape, b.shape, transposeB: transposeB, label: label)
        let bias = inputs.count > 2 ? inputs[2] : nil
        let residual = inputs.count > 3 ? inputs[3] : nil
        if let bias, bias.count != shape.n {
            throw GraphError.shapeMismatch(node: label, reason: "bias \(bias.shape) is not one value per column (\(shape.n))")
        }
        if let residual, residual.shape != shape.outputShape {
            try addBroadcastResidual(residual, shape: shape, inputs: inputs, output: output, context)
            return
        }
        let m = shape.m, n = shape.n, k = shape.k
        let aPointer = UnsafePointer(a.floatPointer)
        let c = output.floatPointer
        let epilogue = GEMMEpilogue(bias: bias.map { UnsafePointer($0.floatPointer) }, activation: activation,
                                    residual: residual.map { UnsafePointer($0.floatPointer) }, residualStride: n)
        if let weights, shape.sharesB, weights.k == k, weights.n == n {
            weights.multiply(pool: context.threadPool, m: shape.batchCount * m, alpha: alpha, a: aPointer, lda: k,
                             c: c, ldc: n, epilogue: epilogue)
            return
        }
        let ldb = transposeB ? k : n, alpha = self.alpha, transposeB = self.transposeB
        let bPointer = UnsafePointer(b.floatPointer)
        if shape.sharesB {
            ParallelGEMM.multiply(pool: context.threadPool, transposeB: transposeB, m: shape.batchCount * m, n: n, k: k,
                                  alpha: alpha, a: aPointer, lda: k, b: bPointer, ldb: ldb, c: c, ldc: n) { rows, columns in
                epilogue.apply(c, ldc: n, rows: rows, columns: columns)
            }
            return
        }
        let count = shape.batchCount, pool = context.threadPool
        if count >= pool.threadCount {
            pool.parallelFor(count) { index in
                let (aOffset, bOffset) = shape.offsets(index)
                let target = c + index * m * n
                GEMM.multiply(transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: aPointer + aOffset, lda: k,
                              b: bPointer + bOffset, ldb: ldb, c: target, ldc: n)
                epilogue.apply(c, ldc: n, rows: index * m..<(index + 1) * m, columns: 0..<n)
            }
        } else {
            for index in 0..<count {
                let (aOffset, bOffset) = shape.offsets(index)
                let target = c + index * m * n
                ParallelGEMM.multiply(pool: pool, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                                      a: aPointer + aOffset, lda: k, b: bPointer + bOffset, ldb: ldb,
                                      c: target, ldc: n) { rows, columns in
                    epilogue.apply(c, ldc: n, rows: (index * m + rows.lowerBound)..<(index * m + rows.upperBound),
                                   columns: columns)
                }
            }
        }
    }
}
