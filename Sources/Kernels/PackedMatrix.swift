import CKernels

/// A constant left operand `op(A)` (`rows × columns`, e.g. convolution weights `[Cout × K]`)
/// packed once into the native GEMM kernel's panel layout, so each multiply skips packing it.
///
/// Use with ``GEMM/multiply(packedA:transposeB:n:alpha:b:ldb:beta:c:ldc:)``. Immutable and safe to
/// share between threads. Under the BLAS backend it keeps a plain row-major copy instead.
public final class PackedMatrix: @unchecked Sendable {
    /// Rows of `op(A)` (= rows of every product).
    public let rows: Int
    /// Columns of `op(A)` (= the inner dimension `k`).
    public let columns: Int
    let packed: OpaquePointer?
    let plain: UnsafeMutablePointer<Float>?

    /// Packs `op(A)`; `transposed` means `a` is stored `columns × rows`. `rows` and `columns`
    /// must be positive. `kernel` is for tests (the default follows the CPU).
    public init(transposed: Bool = false, rows: Int, columns: Int, a: UnsafePointer<Float>, lda: Int,
                kernel: GEMM.Kernel = .automatic) {
        precondition(rows > 0 && columns > 0, "PackedMatrix needs a non-empty matrix")
        self.rows = rows
        self.columns = columns
        if GEMM.backend == .native || kernel != .automatic,
           let handle = imgvec_sgemm_pack_a(kernel.cValue, transposed ? 1 : 0, rows, columns, a, lda) {
            packed = handle
            plain = nil
        } else {
            packed = nil
            plain = rowMajorCopy(rows: rows, columns: columns, of: a, ld: lda, transposed: transposed)
        }
    }

    /// Row blocks for ``GEMM/multiply(packedA:rows:n:b:ldb:c:ldc:)`` must start at multiples of this.
    public var rowAlignment: Int { packed.map { imgvec_sgemm_packed_a_alignment($0) } ?? 1 }

    deinit {
        imgvec_sgemm_packed_a_free(packed)
        plain?.deallocate()
    }
}

extension GEMM {
    /// `C = alpha * A * op(B) + beta * C` for a packed `A` (all of its rows); `op(B)` is
    /// `A.columns × n` (`transposeB`: `B` stored `n × A.columns`). Thread-safe: split the
    /// work across threads by blocks of columns of `C` (and `B`).
    public static func multiply(
        packedA: PackedMatrix, transposeB: Bool = false, n: Int, alpha: Float = 1,
        b: UnsafePointer<Float>, ldb: Int, beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard n > 0 else { return }
        if let handle = packedA.packed {
            imgvec_sgemm_packed(handle, transposeB ? 1 : 0, n, alpha, b, ldb, beta, c, ldc)
        } else if let plain = packedA.plain {
            multiply(transposeB: transposeB, m: packedA.rows, n: n, k: packedA.columns, alpha: alpha,
                     a: plain, lda: packedA.columns, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        }
    }

    /// `C[rows] = A[rows] * B`, then `epilogue`, for a block of rows of a packed `A` (`c` points
    /// at the block's first row; `rows.lowerBound` a multiple of ``PackedMatrix/rowAlignment``).
    /// Lets threads split a product with few columns by rows instead. The epilogue runs on each
    /// micro-tile as it is finished (in L1); its `rowBias` is indexed by `A`'s rows (absolute),
    /// its residual like the block of `C`. With `bRowScale` (`A.columns` floats), B's row `p` is
    /// multiplied by `bRowScale[p]` as it is packed (a per-input-channel scale, never written out);
    /// a block of one or two row tiles scales a copy of its packed rows of `A` instead, and reads
    /// `B` in place.
    public static func multiply(packedA: PackedMatrix, rows: Range<Int>, n: Int,
                                b: UnsafePointer<Float>, ldb: Int, bRowScale: UnsafePointer<Float>? = nil,
                                c: UnsafeMutablePointer<Float>, ldc: Int,
                                epilogue: GEMMEpilogue = GEMMEpilogue()) {
        guard n > 0, !rows.isEmpty else { return }
        if let handle = packedA.packed {
            var value = epilogue.cValue
            let status = epilogue.isEmpty
                ? imgvec_sgemm_packed_rows(handle, rows.lowerBound, rows.upperBound, 0, n, 1, b, ldb, bRowScale, 0, c, ldc, nil)
                : imgvec_sgemm_packed_rows(handle, rows.lowerBound, rows.upperBound, 0, n, 1, b, ldb, bRowScale, 0, c, ldc, &value)
            precondition(status == 0, "packed-A row block \(rows) is not aligned to \(packedA.rowAlignment)")
        } else if let plain = packedA.plain {
            let depth = packedA.columns
            var scaled: UnsafeMutablePointer<Float>?
            if let bRowScale {
                let copy = UnsafeMutablePointer<Float>.allocate(capacity: depth * n)
                for p in 0..<depth { VectorKernels.scale(b + p * ldb, by: bRowScale[p], into: copy + p * n, count: n) }
                scaled = copy
            }
            defer { scaled?.deallocate() }
            var shifted = epilogue
            // The product is written before the epilogue reads a residual that is C itself: a copy.
            var residualCopy: UnsafeMutablePointer<Float>?
            if let residual = epilogue.residual, residual == UnsafePointer(c), epilogue.residualStride == ldc {
                let copy = UnsafeMutablePointer<Float>.allocate(capacity: rows.count * n)
                for row in 0..<rows.count { (copy + row * n).update(from: residual + row * ldc, count: n) }
                (shifted.residual, shifted.residualStride, residualCopy) = (UnsafePointer(copy), n, copy)
            }
            defer { residualCopy?.deallocate() }
            multiply(m: rows.count, n: n, k: depth, a: plain + rows.lowerBound * depth,
                     lda: depth, b: scaled.map { UnsafePointer($0) } ?? b, ldb: scaled == nil ? ldb : n, c: c, ldc: ldc)
            shifted.rowBias = epilogue.rowBias.map { $0 + rows.lowerBound }
            shifted.apply(c, ldc: ldc, rows: 0..<rows.count, columns: 0..<n)
        }
    }
}

extension GEMM {
    /// Whether ``multiplyDirect(packedA:rows:offsets:b:lines:lineColumns:lineStride:c:ldc:epilogue:)``
    /// runs for this packed matrix (its kernel has a direct-convolution tile: AVX-512 today).
    public static func hasDirect(_ packedA: PackedMatrix) -> Bool {
        packedA.packed.map { imgvec_sgemm_direct_available($0) != 0 } ?? false
    }

    /// A direct convolution: rows `rows` of the packed weights times a B read in place, for
    /// `lines` output rows of `lineColumns` columns: `B[p][l, j] = b[l * lineStride + offsets[p] + j]`
    /// (see ``DirectConvolutionInput``), `C[i][l * lineColumns + j]` (`c` at the block's first row),
    /// then `epilogue` (indexed as in ``multiply(packedA:rows:n:b:ldb:bRowScale:c:ldc:epilogue:)``).
    /// 32 floats past every element of `b` a line uses must be readable. Needs ``hasDirect(_:)``.
    public static func multiplyDirect(packedA: PackedMatrix, rows: Range<Int>, offsets: UnsafePointer<Int>,
                                      b: UnsafePointer<Float>, lines: Int, lineColumns: Int, lineStride: Int,
                                      c: UnsafeMutablePointer<Float>, ldc: Int, epilogue: GEMMEpilogue = GEMMEpilogue()) {
        guard let handle = packedA.packed, !rows.isEmpty, lines > 0, lineColumns > 0 else { return }
        var value = epilogue.cValue
        let status = epilogue.isEmpty
            ? imgvec_sgemm_packed_rows_direct(handle, rows.lowerBound, rows.upperBound, offsets, b, lines, lineColumns,
                                              lineStride, c, ldc, nil)
            : imgvec_sgemm_packed_rows_direct(handle, rows.lowerBound, rows.upperBound, offsets, b, lines, lineColumns,
                                              lineStride, c, ldc, &value)
        precondition(status == 0, "direct product: row block \(rows) not aligned, or no direct kernel")
    }
}

/// A newly allocated row-major `rows × columns` copy of `op(X)`; `transposed` means `x` is stored
/// `columns × rows` (`ld` apart). The BLAS-backend fallback of ``PackedMatrix`` and ``PackedWeights``.
func rowMajorCopy(rows: Int, columns: Int, of x: UnsafePointer<Float>, ld: Int,
                  transposed: Bool) -> UnsafeMutablePointer<Float> {
    let copy = UnsafeMutablePointer<Float>.allocate(capacity: rows * columns)
    for i in 0..<rows {
        for j in 0..<columns { copy[i * columns + j] = transposed ? x[j * ld + i] : x[i * ld + j] }
    }
    return copy
}
