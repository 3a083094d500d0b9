import CKernels

/// What a GEMM does to each finished tile of `C`, in order: add a bias per column and one
/// per row, apply an activation, add a residual matrix (before the activation when
/// `residualBeforeActivation`). Applied while the tile is still in cache.
public struct GEMMEpilogue {
    /// One value per column of `C` (absolute column index), or `nil`.
    public var bias: UnsafePointer<Float>?
    public var activation: Activation?
    /// A matrix with `C`'s row/column indexing (row stride `residualStride`), or `nil`.
    public var residual: UnsafePointer<Float>?
    public var residualStride: Int
    /// One value per row of `C` (a convolution's output channels), or `nil`.
    public var rowBias: UnsafePointer<Float>?
    /// Whether the residual is added before the activation (a convolution's skip connection)
    /// rather than after it (a transformer's residual stream).
    public var residualBeforeActivation: Bool

    public init(bias: UnsafePointer<Float>? = nil, activation: Activation? = nil,
                residual: UnsafePointer<Float>? = nil, residualStride: Int = 0,
                rowBias: UnsafePointer<Float>? = nil, residualBeforeActivation: Bool = false) {
        self.bias = bias
        self.activation = activation
        self.residual = residual
        self.residualStride = residualStride
        self.rowBias = rowBias
        self.residualBeforeActivation = residualBeforeActivation
    }

    /// Whether the epilogue changes anything.
    public var isEmpty: Bool { bias == nil && activation == nil && residual == nil && rowBias == nil }

    var cValue: imgvec_sgemm_epilogue {
        let (function, a, b) = activation?.vectorFunction.cValue ?? (IMGVEC_VMATH_IDENTITY, 0, 0)
        return imgvec_sgemm_epilogue(bias: bias, activation: function, activation_a: a, activation_b: b,
                                     residual: residual, ldr: residualStride, row_bias: rowBias,
                                     residual_first: residualBeforeActivation ? 1 : 0)
    }

    /// Applies the epilogue to rows `rows` and columns `columns` of `c` (row stride `ldc`).
    public func apply(_ c: UnsafeMutablePointer<Float>, ldc: Int, rows: Range<Int>, columns: Range<Int>) {
        guard !isEmpty else { return }
        var value = cValue
        imgvec_sgemm_apply_epilogue(&value, c, ldc, rows.lowerBound, rows.count, columns.lowerBound, columns.count)
    }
}

/// A constant right operand `op(B)` (`k × n`, e.g. a MatMul weight) packed once, at load,
/// into the native GEMM kernel's panel layout, so that every multiply skips packing it.
///
/// ``multiply(pool:transposeA:m:alpha:a:lda:c:ldc:epilogue:)`` splits the work over the pool
/// and runs a ``GEMMEpilogue`` on each tile. Immutable and thread-safe. Under the BLAS
/// backend it keeps a plain row-major copy instead.
public final class PackedWeights: @unchecked Sendable {
    /// Rows of `op(B)` (the inner dimension).
    public let k: Int
    /// Columns of `op(B)` (= columns of every product).
    public let n: Int
    let packed: OpaquePointer?
    let plain: UnsafeMutablePointer<Float>?

    /// Packs `op(B)`; `transposed` means `b` is stored `n × k`. `k` and `n` must be positive.
    public init(transposed: Bool = false, k: Int, n: Int, b: UnsafePointer<Float>, ldb: Int,
                kernel: GEMM.Kernel = .automatic) {
        precondition(k > 0 && n > 0, "PackedWeights needs a non-empty matrix")
        self.k = k
        self.n = n
        if GEMM.backend == .native || kernel != .automatic,
           let handle = imgvec_sgemm_pack_b(kernel.cValue, transposed ? 1 : 0, k, n, b, ldb) {
            packed = handle
            plain = nil
        } else {
            packed = nil
            plain = rowMajorCopy(rows: k, columns: n, of: b, ld: ldb, transposed: transposed)
        }
    }

    deinit {
        imgvec_sgemm_packed_b_free(packed)
        plain?.deallocate()
    }

    /// `C = alpha · op(A) · B` then `epilogue`, for `op(A)` of `m × k` (`transposeA`: `A` stored
    /// `k × m`). Splits columns of `C` over `pool` (rows when there are too few columns).
    ///
    /// - Parameter finished: called once per block, on the thread that computed it, with the
    ///   block's rows and columns of `C` once they are final (while they are still in cache).
    public func multiply(pool: ThreadPool, transposeA: Bool = false, m: Int, alpha: Float = 1,
                         a: UnsafePointer<Float>, lda: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                         epilogue: GEMMEpilogue = GEMMEpilogue(),
                         finished: ((Range<Int>, Range<Int>) -> Void)? = nil) {
        guard m > 0 else { return }
        let alignment = packed.map { imgvec_sgemm_packed_b_alignment($0) } ?? 16
        let panels = (n + alignment - 1) / alignment
        let splitRows = panels < pool.threadCount && m >= 4 * pool.threadCount
        let blocks = min(ParallelGEMM.blockLimit(m: m, n: n, k: k, threads: pool.threadCount), splitRows ? m / 4 : panels)
        if blocks <= 1 {
            run(transposeA: transposeA, rows: 0..<m, columns: 0..<n, alpha: alpha, a: a, lda: lda, c: c, ldc: ldc,
                epilogue: epilogue)
            finished?(0..<m, 0..<n)
            return
        }
        pool.parallelFor(blocks) { block in
            let rows: Range<Int>, columns: Range<Int>
            if splitRows {
                (rows, columns) = ((m * block / blocks)..<(m * (block + 1) / blocks), 0..<n)
            } else {
                let lower = panels * block / blocks * alignment
                let upper = min(n, panels * (block + 1) / blocks * alignment)
                guard upper > lower else { return }
                (rows, columns) = (0..<m, lower..<upper)
            }
            run(transposeA: transposeA, rows: rows, columns: columns, alpha: alpha, a: a, lda: lda,
                c: c, ldc: ldc, epilogue: epilogue)
            finished?(rows, columns)
        }
    }

    /// One block of rows × columns of C on the calling thread (columns start at a multiple of the alignment).
    private func run(transposeA: Bool, rows: Range<Int>, columns: Range<Int>, alpha: Float,
                     a: UnsafePointer<Float>, lda: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                     epilogue: GEMMEpilogue) {
        let aBlock = transposeA ? a + rows.lowerBound : a + rows.lowerBound * lda
        let cBlock = c + rows.lowerBound * ldc
        var shifted = epilogue
        if let residual = epilogue.residual { shifted.residual = residual + rows.lowerBound * epilogue.residualStride }
        if let packed {
            var value = shifted.cValue
            let status = shifted.isEmpty
                ? imgvec_sgemm_packed_b(transposeA ? 1 : 0, rows.count, alpha, aBlock, lda, packed,
                                        columns.lowerBound, columns.upperBound, 0, cBlock, ldc, nil)
                : imgvec_sgemm_packed_b(transposeA ? 1 : 0, rows.count, alpha, aBlock, lda, packed,
                                        columns.lowerBound, columns.upperBound, 0, cBlock, ldc, &value)
            if status == 0 { return }
        }
        guard let plain else { return }
        GEMM.multiply(transposeA: transposeA, m: rows.count, n: columns.count, k: k, alpha: alpha,
                      a: aBlock, lda: lda, b: plain + columns.lowerBound, ldb: n, c: cBlock + columns.lowerBound, ldc: ldc)
        shifted.apply(cBlock, ldc: ldc, rows: 0..<rows.count, columns: columns)
    }
}
