import Kernels
import Testing
import TestSupport

/// The gathered-A product (a convolution's patches broadcast in place from a padded input through
/// a table of offsets, output channels across the vector lanes) against a naive one: several k
/// blocks, lines cut into tiles of every height from 1 to the kernel's, a partial last panel,
/// and a column range that starts past the first panel.
@Suite struct GatheredProductTests {
    @Test func gatheredTilesMatchNaive() {
        let k = 700, n = 100, source = 6000
        var generator = SeededGenerator(seed: 23)
        let w = generator.floats(n * k), a = generator.floats(source)
        let weights = w.withUnsafeBufferPointer { PackedWeights(transposed: true, k: k, n: n, b: $0.baseAddress!, ldb: k) }
        // The kernel is AVX-512's (the x86-64 CI machine has it); without it convolutions keep
        // the unfolding path.
        #expect(weights.multipliesGatheredA == (GEMM.Kernel.avx512.isAvailable && GEMM.backend == .native))
        #expect(GEMM.hasGatheredA == weights.multipliesGatheredA)
        guard weights.multipliesGatheredA else { return }
        let tileHeight = GEMM.Kernel.automatic.rowTile
        // Line widths 1 ... 2 * MR + 1: every tile height, and lines of one, two and three tiles.
        let widths = Array(1...(2 * tileHeight + 1)), lineStride = 40
        let offsets = (0..<k).map { ($0 * 7919) % (source - widths.count * lineStride - 64) }
        for width in widths {
            let lines = 3
            let tiles = GatheredTiles(lines: lines, width: width, lineStride: lineStride)
            #expect(tiles.perLine == (width + tileHeight - 1) / tileHeight)
            let rows = lines * width, columns = 32..<n
            var c = [Float](repeating: .nan, count: rows * n)
            let done = offsets.withUnsafeBufferPointer { table in a.withUnsafeBufferPointer { a in
                c.withUnsafeMutableBufferPointer { out in
                    tiles.withSlice(lines: 0..<lines) { slice in
                        weights.multiplyGathered(a: a.baseAddress!, offsets: table.baseAddress!, tiles: slice,
                                                 columns: columns, c: out.baseAddress!, ldc: n)
                    }
                }
            } }
            #expect(done)
            var worst = 0.0
            for line in 0..<lines {
                for x in 0..<width {
                    for j in columns {
                        var sum = 0.0
                        for p in 0..<k { sum += Double(w[j * k + p]) * Double(a[line * lineStride + offsets[p] + x]) }
                        worst = max(worst, abs(Double(c[(line * width + x) * n + j]) - sum))
                    }
                }
            }
            #expect(worst < 1e-3, "width \(width): max difference \(worst)")
            let untouched = c[0..<32].allSatisfy { $0.isNaN }
            #expect(untouched, "columns before the range untouched")
        }
    }
}
