import Foundation
import Kernels
import Testing
import TestSupport

/// A packed-A row block with a fused epilogue (a convolution's bias per output channel,
/// its skip connection before or after the activation) against a naive product.
@Suite struct PackedRowsEpilogueTests {
    @Test(arguments: [true, false])
    func rowBiasResidualAndActivationMatchNaive(residualFirst: Bool) {
        let m = 37, n = 45, k = 20
        var generator = SeededGenerator(seed: 5)
        let a = generator.floats(m * k), b = generator.floats(k * n)
        let rowBias = generator.floats(m), residual = generator.floats(m * n)
        for kernel in GEMM.Kernel.allCases where kernel.isAvailable {
            let packed = a.withUnsafeBufferPointer { PackedMatrix(rows: m, columns: k, a: $0.baseAddress!, lda: k, kernel: kernel) }
            let first = packed.rowAlignment   // a block that does not start at row 0
            let c = reluSkipProduct(packed, first: first, m: m, b: b, columns: n, rowBias: rowBias, residual: residual,
                                    residualStride: n, residualFirst: residualFirst)
            for i in first..<m {
                for j in 0..<n {
                    var sum = Double(rowBias[i])
                    for p in 0..<k { sum += Double(a[i * k + p]) * Double(b[p * n + j]) }
                    let skip = Double(residual[i * n + j])
                    let expected = residualFirst ? max(0, sum + skip) : max(0, sum) + skip
                    #expect(abs(Double(c[i * n + j]) - expected) < 1e-4, "\(kernel) [\(i), \(j)]")
                }
            }
            let untouched = c[0..<first * n].allSatisfy { $0.isNaN }
            #expect(untouched, "\(kernel): rows before the block untouched")
        }
    }

    /// The epilogues a micro-kernel applies as it stores each tile (row bias, a residual before
    /// the activation, a clamp, HardSwish, SiLU or nothing), on each path of the blocked product: the row sweep
    /// (short k), the panel loop, and several k blocks (the last one accumulating onto C).
    @Test(arguments: [20, 200, 700])
    func storedEpiloguesMatchNaive(k: Int) {
        let m = 29, n = 77
        var generator = SeededGenerator(seed: UInt64(k))
        let a = generator.floats(m * k), b = generator.floats(k * n)
        let rowBias = generator.floats(m), residual = generator.floats(m * n)
        let activations: [Activation?] = [.relu, .clip(min: -0.5, max: 0.75), .hardSwish, .silu, nil]
        for kernel in GEMM.Kernel.allCases where kernel.isAvailable {
            let packed = a.withUnsafeBufferPointer { PackedMatrix(rows: m, columns: k, a: $0.baseAddress!, lda: k, kernel: kernel) }
            for activation in activations {
                for withBias in [true, false] {
                    for withResidual in [true, false] {
                        var c = [Float](repeating: .nan, count: m * n)
                        rowBias.withUnsafeBufferPointer { bias in
                            residual.withUnsafeBufferPointer { skip in
                                c.withUnsafeMutableBufferPointer { out in
                                    let epilogue = GEMMEpilogue(activation: activation,
                                                                residual: withResidual ? skip.baseAddress! : nil,
                                                                residualStride: n, rowBias: withBias ? bias.baseAddress! : nil,
                                                                residualBeforeActivation: true)
                                    GEMM.multiply(packedA: packed, rows: 0..<m, n: n, b: b, ldb: n,
                                                  c: out.baseAddress!, ldc: n, epilogue: epilogue)
                                }
                            }
                        }
                        var worst = 0.0
                        for i in 0..<m {
                            for j in 0..<n {
                                var sum = withBias ? Double(rowBias[i]) : 0
                                for p in 0..<k { sum += Double(a[i * k + p]) * Double(b[p * n + j]) }
                                if withResidual { sum += Double(residual[i * n + j]) }
                                switch activation {
                                case .relu: sum = max(0, sum)
                                case .clip(let low, let high): sum = min(max(sum, Double(low)), Double(high))
                                case .hardSwish: sum *= min(max((sum + 3) / 6, 0), 1)
                                case .silu: sum /= 1 + exp(-sum)
                                default: break
                                }
                                worst = max(worst, abs(Double(c[i * n + j]) - sum))
                            }
                        }
                        #expect(worst < 1e-3, "\(kernel) k \(k) \(String(describing: activation)) bias \(withBias) residual \(withResidual): \(worst)")
                    }
                }
            }
        }
    }

    /// B's rows scaled as it is read (squeeze-excitation's factors on a projection's input):
    /// where B is read in place the kernel scales the operand with fewer values, a copy of the
    /// packed weights' block (rows up to B's 77 columns) or B as it packs it (all 96 rows).
    /// Row blocks from row 0 and from a later panel, one and two k blocks, a partial last panel
    /// of B, a fused SiLU.
    @Test(arguments: [20, 400])
    func scaledRowsOfBMatchNaive(k: Int) {
        let total = 96, n = 77
        var generator = SeededGenerator(seed: UInt64(k) + 31)
        let a = generator.floats(total * k), b = generator.floats(k * n), scale = generator.floats(k)
        let rowBias = generator.floats(total)
        for kernel in GEMM.Kernel.allCases where kernel.isAvailable {
            let packed = a.withUnsafeBufferPointer { PackedMatrix(rows: total, columns: k, a: $0.baseAddress!, lda: k, kernel: kernel) }
            let alignment = packed.rowAlignment
            for rows in [0..<5, 0..<16, alignment..<(alignment + 24), 0..<total] {
                var c = [Float](repeating: .nan, count: total * n)
                b.withUnsafeBufferPointer { b in
                    scale.withUnsafeBufferPointer { scale in
                        rowBias.withUnsafeBufferPointer { bias in
                            c.withUnsafeMutableBufferPointer { out in
                                GEMM.multiply(packedA: packed, rows: rows, n: n, b: b.baseAddress!, ldb: n,
                                              bRowScale: scale.baseAddress!, c: out.baseAddress! + rows.lowerBound * n, ldc: n,
                                              epilogue: GEMMEpilogue(activation: .silu, rowBias: bias.baseAddress!))
                            }
                        }
                    }
                }
                var worst = 0.0
                for i in rows {
                    for j in 0..<n {
                        var sum = Double(rowBias[i])
                        for p in 0..<k { sum += Double(a[i * k + p]) * Double(scale[p]) * Double(b[p * n + j]) }
                        worst = max(worst, abs(Double(c[i * n + j]) - sum / (1 + exp(-sum))))
                    }
                }
                #expect(worst < 1e-3, "\(kernel) k \(k) rows \(rows): \(worst)")
            }
        }
    }

    /// A single column of B (squeeze-excitation's 1x1 plane at batch 1) takes the kernel's
    /// panels-times-vector path: its result must be the tile path's bit for bit (unless B's rows
    /// are scaled, which the tiles may apply to A instead; then to float rounding) (the first
    /// column of the same product with two columns), with B's column read contiguously or `ldb`
    /// apart, an input scale, a row block not starting at row 0, a partial last panel, several
    /// k blocks, and the epilogue with no residual, a contiguous one (applied as one row) or a
    /// strided one.
    @Test(arguments: [20, 200, 700])
    func singleColumnMatchesTheTilesBitForBit(k: Int) {
        let m = 53
        var generator = SeededGenerator(seed: UInt64(k) + 11)
        let a = generator.floats(m * k), twoColumns = generator.floats(k * 2), scale = generator.floats(k)
        let rowBias = generator.floats(m), residual = generator.floats(m * 2)
        let column = (0..<k).map { twoColumns[2 * $0] }, residualColumn = (0..<m).map { residual[2 * $0] }
        enum Skip: CaseIterable { case none, contiguous, strided }
        for kernel in GEMM.Kernel.allCases where kernel.isAvailable {
            let packed = a.withUnsafeBufferPointer { PackedMatrix(rows: m, columns: k, a: $0.baseAddress!, lda: k, kernel: kernel) }
            let first = packed.rowAlignment
            for activation in [Activation.relu, .clip(min: -0.5, max: 0.75), .sigmoid, .hardSwish, .silu, nil] {
                for scaled in [false, true] {
                    for skip in Skip.allCases {
                        /// C (m x n, rows from `first`) for B `b` (ldb apart); the residual's
                        /// first column from `skipValues` (stride apart).
                        func product(_ b: [Float], n: Int, ldb: Int, skipValues: [Float], stride: Int) -> [Float] {
                            var c = [Float](repeating: .nan, count: m * n)
                            b.withUnsafeBufferPointer { b in
                                scale.withUnsafeBufferPointer { scale in
                                    rowBias.withUnsafeBufferPointer { bias in
                                        skipValues.withUnsafeBufferPointer { skipValues in
                                            c.withUnsafeMutableBufferPointer { out in
                                                let epilogue = GEMMEpilogue(
                                                    activation: activation,
                                                    residual: skip == .none ? nil : skipValues.baseAddress! + first * stride,
                                                    residualStride: stride, rowBias: bias.baseAddress!, residualBeforeActivation: true)
                                                GEMM.multiply(packedA: packed, rows: first..<m, n: n, b: b.baseAddress!, ldb: ldb,
                                                              bRowScale: scaled ? scale.baseAddress! : nil,
                                                              c: out.baseAddress! + first * n, ldc: n, epilogue: epilogue)
                                            }
                                        }
                                    }
                                }
                            }
                            return c
                        }
                        let tiles = product(twoColumns, n: 2, ldb: 2, skipValues: residual, stride: 2)
                        let expected = (first..<m).map { tiles[$0 * 2] }
                        let (skipValues, stride) = skip == .strided ? (residual, 2) : (residualColumn, 1)
                        let singles = [("contiguous", product(column, n: 1, ldb: 1, skipValues: skipValues, stride: stride)),
                                       ("strided", product(twoColumns, n: 1, ldb: 2, skipValues: skipValues, stride: stride))]
                        for (label, single) in singles {
                            // Scaled, the tiles may take the scale on A's copy instead of B (A diag(s) B
                            // rounds differently): then agreement to float rounding, not bits.
                            let same = scaled
                                ? zip(single[first..<m], expected).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) }
                                : zip(single[first..<m], expected).allSatisfy { $0.bitPattern == $1.bitPattern }
                            #expect(same, "\(kernel) k \(k) \(String(describing: activation)) scaled \(scaled) \(skip) B \(label)")
                            #expect(single[0..<first].allSatisfy { $0.isNaN }, "\(kernel): rows before the block untouched")
                        }
                    }
                }
            }
        }
    }
}
