import Kernels
import Testing
import TestSupport

/// A packed-A product written over its own skip connection (the epilogue's residual is C, as
/// when the planner gives a convolution's output the residual's buffer) must equal the same
/// product with the residual elsewhere, bit for bit, on every way the driver finishes a tile:
/// the fused store of one k block (read in place), and the ways that write C before they read
/// the residual (several k blocks, an activation applied in a pass after the tile, a narrow
/// last panel through the column kernel, a single column), which read a copy of it.
@Suite struct InPlaceResidualTests {
    /// C for rows `rows` of `packed · B` with bias, residual before `activation`; `inPlace`: C
    /// starts as the residual and is the epilogue's residual.
    private func product(_ packed: PackedMatrix, rows: Range<Int>, b: [Float], n: Int, rowBias: [Float],
                         residual: [Float], activation: Activation?, inPlace: Bool) -> [Float] {
        var c = inPlace ? residual : [Float](repeating: .nan, count: residual.count)
        b.withUnsafeBufferPointer { b in
            rowBias.withUnsafeBufferPointer { bias in
                residual.withUnsafeBufferPointer { skip in
                    c.withUnsafeMutableBufferPointer { out in
                        let block = out.baseAddress! + rows.lowerBound * n
                        let epilogue = GEMMEpilogue(activation: activation,
                                                    residual: inPlace ? UnsafePointer(block) : skip.baseAddress! + rows.lowerBound * n,
                                                    residualStride: n, rowBias: bias.baseAddress!, residualBeforeActivation: true)
                        GEMM.multiply(packedA: packed, rows: rows, n: n, b: b.baseAddress!, ldb: n, c: block, ldc: n,
                                      epilogue: epilogue)
                    }
                }
            }
        }
        return c
    }

    /// k 20 and 64: one k block; 700: several. n 77 (a 13-column last panel: a half tile), 36
    /// (4 columns: the column kernel), 49 (32 + 16 + 1), 1 (a single column). Relu and none are
    /// fused into the store; SiLU is a pass after the tile.
    @Test(arguments: [20, 64, 700])
    func inPlaceMatchesASeparateResidual(k: Int) {
        let m = 41
        var generator = SeededGenerator(seed: UInt64(k) + 3)
        let a = generator.floats(m * k), rowBias = generator.floats(m)
        for kernel in GEMM.Kernel.allCases where kernel.isAvailable {
            let packed = a.withUnsafeBufferPointer { PackedMatrix(rows: m, columns: k, a: $0.baseAddress!, lda: k, kernel: kernel) }
            for n in [77, 36, 49, 1] {
                let b = generator.floats(k * n), residual = generator.floats(m * n)
                for activation in [Activation.relu, .silu, nil] {
                    for rows in [0..<m, packed.rowAlignment..<m] {
                        let expected = product(packed, rows: rows, b: b, n: n, rowBias: rowBias, residual: residual,
                                               activation: activation, inPlace: false)
                        let inPlace = product(packed, rows: rows, b: b, n: n, rowBias: rowBias, residual: residual,
                                              activation: activation, inPlace: true)
                        let same = zip(inPlace[(rows.lowerBound * n)...], expected[(rows.lowerBound * n)...])
                            .allSatisfy { $0.bitPattern == $1.bitPattern }
                        #expect(same, "\(kernel) k \(k) n \(n) \(String(describing: activation)) rows \(rows)")
                        #expect(inPlace[..<(rows.lowerBound * n)] == residual[..<(rows.lowerBound * n)],
                                "\(kernel): rows before the block untouched")
                    }
                }
            }
        }
    }
}
