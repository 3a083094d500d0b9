import Kernels
import Testing
import TestSupport

/// The direct product (a convolution's B read in place through a table of offsets) against a
/// naive one: several k blocks, several row blocks of A, partial tiles, and the fused epilogue.
@Suite struct DirectProductTests {
    @Test func gatheredRowsMatchNaive() {
        let m = 400, k = 500, lines = 3, columns = 45, lineStride = 37
        var generator = SeededGenerator(seed: 21)
        let a = generator.floats(m * k), bias = generator.floats(m)
        let source = generator.floats(4000)
        // Tap p of line l, column j: source[l * lineStride + offsets[p] + j] (32 floats of slack).
        let offsets = (0..<k).map { ($0 * 7919) % (4000 - 32 - columns - (lines - 1) * lineStride) }
        let packed = a.withUnsafeBufferPointer { PackedMatrix(rows: m, columns: k, a: $0.baseAddress!, lda: k) }
        // The direct kernel is AVX-512's (the x86-64 CI machine has it); without it the product is
        // unavailable and convolutions keep the unfolding path.
        #expect(GEMM.hasDirect(packed) == (GEMM.Kernel.avx512.isAvailable && GEMM.backend == .native))
        guard GEMM.hasDirect(packed) else { return }
        let n = lines * columns, first = packed.rowAlignment
        var c = [Float](repeating: .nan, count: m * n)
        offsets.withUnsafeBufferPointer { table in source.withUnsafeBufferPointer { b in bias.withUnsafeBufferPointer { bias in
            c.withUnsafeMutableBufferPointer { out in
                GEMM.multiplyDirect(packedA: packed, rows: first..<m, offsets: table.baseAddress!, b: b.baseAddress!,
                                    lines: lines, lineColumns: columns, lineStride: lineStride,
                                    c: out.baseAddress! + first * n, ldc: n,
                                    epilogue: GEMMEpilogue(activation: .relu, rowBias: bias.baseAddress!))
            }
        } } }
        var worst = 0.0
        for i in first..<m {
            for line in 0..<lines {
                for j in 0..<columns {
                    var sum = Double(bias[i])
                    for p in 0..<k { sum += Double(a[i * k + p]) * Double(source[line * lineStride + offsets[p] + j]) }
                    worst = max(worst, abs(Double(c[i * n + line * columns + j]) - max(0, sum)))
                }
            }
        }
        #expect(worst < 1e-3, "max difference \(worst)")
        #expect(c[0..<first * n].allSatisfy { $0.isNaN }, "rows before the block untouched")
    }
}
