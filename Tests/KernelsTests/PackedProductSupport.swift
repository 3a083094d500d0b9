import Kernels

/// Rows `first..<m` of `packed · B` (B `columns` wide, rows `columns` apart) with a convolution's
/// epilogue: the row bias, the skip connection (`residual`, rows `residualStride` apart, its row
/// 0 lined up with C's row 0) and Relu, the skip added before or after it. C is `m × columns`,
/// NaN where the product does not write (rows before `first`).
func reluSkipProduct(_ packed: PackedMatrix, first: Int, m: Int, b: [Float], columns: Int, rowBias: [Float],
                     residual: [Float], residualStride: Int, residualFirst: Bool = true) -> [Float] {
    var c = [Float](repeating: .nan, count: m * columns)
    rowBias.withUnsafeBufferPointer { bias in
        residual.withUnsafeBufferPointer { skip in
            c.withUnsafeMutableBufferPointer { out in
                let epilogue = GEMMEpilogue(activation: .relu, residual: skip.baseAddress! + first * residualStride,
                                            residualStride: residualStride, rowBias: bias.baseAddress!,
                                            residualBeforeActivation: residualFirst)
                GEMM.multiply(packedA: packed, rows: first..<m, n: columns, b: b, ldb: columns,
                              c: out.baseAddress! + first * columns, ldc: columns, epilogue: epilogue)
            }
        }
    }
    return c
}
