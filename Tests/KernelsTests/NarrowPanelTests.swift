import Kernels
import Testing
import TestSupport

/// A last panel of B of up to 8 columns (196 = 6 x 32 + 4, a 14x14 plane), or up to 8 past a
/// half panel (49 = 32 + 16 + 1, a 7x7 plane), goes through the panels-times-columns kernel
/// instead of a tile for those columns. Its columns must equal, bit for bit, the same columns
/// computed inside full-width tiles (the same product with B widened to whole panels), through
/// each way the driver reads B: in place (k = 700, 196 columns), packed panel by panel (700,
/// 420), and the row sweep of a short k (20 and 100); with a row block not starting at row 0,
/// several k blocks, and a fused epilogue (row bias, skip connection, Relu).
@Suite struct NarrowPanelTests {
    @Test(arguments: [(20, 37), (20, 71), (100, 196), (700, 196), (700, 420), (20, 8), (700, 49), (700, 56), (300, 113)])
    func narrowLastPanelMatchesFullTilesBitForBit(k: Int, n: Int) {
        let m = 53
        let tile = max(1, GEMM.Kernel.automatic.columnTile)
        let wide = (n + tile - 1) / tile * tile
        var generator = SeededGenerator(seed: UInt64(k * 1000 + n))
        let a = generator.floats(m * k), b = generator.floats(k * wide)
        let rowBias = generator.floats(m), residual = generator.floats(m * wide)
        let narrowB = (0..<k).flatMap { p in b[(p * wide)..<(p * wide + n)] }
        for kernel in GEMM.Kernel.allCases where kernel.isAvailable {
            let packed = a.withUnsafeBufferPointer { PackedMatrix(rows: m, columns: k, a: $0.baseAddress!, lda: k, kernel: kernel) }
            let first = packed.rowAlignment
            // The same residual (rows `wide` apart) for both; only B's width differs.
            let narrow = reluSkipProduct(packed, first: first, m: m, b: narrowB, columns: n, rowBias: rowBias,
                                         residual: residual, residualStride: wide)
            let full = reluSkipProduct(packed, first: first, m: m, b: b, columns: wide, rowBias: rowBias,
                                       residual: residual, residualStride: wide)
            var differing = 0
            for i in first..<m {
                for j in 0..<n where narrow[i * n + j].bitPattern != full[i * wide + j].bitPattern { differing += 1 }
            }
            #expect(differing == 0, "\(kernel) k \(k) n \(n): \(differing) values differ")
        }
    }
}
