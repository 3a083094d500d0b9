import CKernels

extension GEMM {
    /// Whether the native kernel in use has the gathered-A product (AVX-512 today), so that a
    /// convolution can choose it before packing any weights.
    public static var hasGatheredA: Bool {
        backend == .native && imgvec_sgemm_kernel_gathers_a(Kernel.automatic.cValue) != 0
    }
}

extension PackedWeights {
    /// Whether ``multiplyGathered(a:offsets:tiles:columns:c:ldc:)`` runs with these weights (the
    /// native AVX-512 kernel packed them).
    public var multipliesGatheredA: Bool { packed.map { imgvec_sgemm_packed_b_gathers_a($0) != 0 } ?? false }

    /// Columns `columns` of `C = A · B` for a left operand read in place: row `r`, the `i`-th of
    /// tile `t`, is `A[r][p] = a[tiles.starts[t] + offsets[p] + i]` (see
    /// ``GatheredTiles``). `c` points at C's row 0, column 0. On one thread; returns `false`
    /// (nothing written) when ``multipliesGatheredA`` is false or the range is bad.
    public func multiplyGathered(a: UnsafePointer<Float>, offsets: UnsafePointer<Int>, tiles: GatheredTiles.Slice,
                                 columns: Range<Int>, c: UnsafeMutablePointer<Float>, ldc: Int) -> Bool {
        guard let packed else { return false }
        return imgvec_sgemm_packed_b_gathered_a(a, offsets, tiles.starts, tiles.rows, tiles.count, packed,
                                                columns.lowerBound, columns.upperBound, c, ldc) == 0
    }
}

/// Row tiles of a gathered left operand whose rows are output positions along output lines:
/// each line of `width` positions is cut into near-equal tiles of at most `tileHeight` rows
/// (the micro-kernel's), tile rows following line by line.
public struct GatheredTiles {
    /// A run of consecutive tiles.
    public struct Slice {
        let starts: UnsafePointer<Int>, rows: UnsafePointer<Int32>, count: Int
    }

    let starts: [Int]
    let rows: [Int32]
    /// Tiles per line.
    public let perLine: Int

    /// Tiles for `lines` lines of `width` positions, line `l` starting at `l * lineStride` in A.
    public init(lines: Int, width: Int, lineStride: Int, tileHeight: Int = GEMM.Kernel.automatic.rowTile) {
        perLine = (width + tileHeight - 1) / tileHeight
        var starts: [Int] = [], rows: [Int32] = []
        starts.reserveCapacity(lines * perLine)
        rows.reserveCapacity(lines * perLine)
        for line in 0..<lines {
            for tile in 0..<perLine {
                let first = width * tile / perLine, end = width * (tile + 1) / perLine
                starts.append(line * lineStride + first)
                rows.append(Int32(end - first))
            }
        }
        self.starts = starts
        self.rows = rows
    }

    /// Calls `body` with the tiles of lines `lines`.
    public func withSlice<R>(lines: Range<Int>, _ body: (Slice) -> R) -> R {
        starts.withUnsafeBufferPointer { s in
            rows.withUnsafeBufferPointer { r in
                body(Slice(starts: s.baseAddress! + lines.lowerBound * perLine, rows: r.baseAddress! + lines.lowerBound * perLine,
                           count: lines.count * perLine))
            }
        }
    }
}
