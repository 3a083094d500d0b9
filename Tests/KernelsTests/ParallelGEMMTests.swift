import Foundation
import Kernels
import Testing
import TestSupport

@Suite("ParallelGEMM")
struct ParallelGEMMTests {
    func naive(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transA: Bool, transB: Bool) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { for p in 0..<k {
            c[i * n + j] += (transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j])
        } } }
        return c
    }

    @Test(arguments: [ParallelGEMM.Split.rows, .columns, .largest])
    func matchesNaiveAtEveryThreadCount(split: ParallelGEMM.Split) {
        var generator = SeededGenerator(seed: 42)
        // The first two are large enough to be split (over two and three threads).
        for (m, n, k) in [(100, 100, 120), (150, 120, 100), (300, 70, 9), (5, 900, 17), (130, 130, 3), (1, 1, 1)] {
            for (transA, transB) in [(false, false), (true, true), (false, true)] {
                let a = generator.floats(m * k), b = generator.floats(k * n)
                let expected = naive(a, b, m: m, n: n, k: k, transA: transA, transB: transB)
                var results: [[Float]] = []
                for threads in [1, 2, 3] {
                    var c = [Float](repeating: .nan, count: m * n)
                    var covered = [Int](repeating: 0, count: m * n)
                    a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                        covered.withUnsafeMutableBufferPointer { coverage in
                            let cBase = cp.baseAddress!, coverageBase = coverage.baseAddress!
                            ParallelGEMM.multiply(pool: ThreadPool(threadCount: threads), split: split,
                                                  transposeA: transA, transposeB: transB, m: m, n: n, k: k,
                                                  a: ap.baseAddress!, lda: transA ? m : k, b: bp.baseAddress!,
                                                  ldb: transB ? k : n, c: cBase, ldc: n) { rows, columns in
                                for r in rows { for col in columns { coverageBase[r * n + col] += 1 } }
                            }
                        }
                    } } }
                    #expect(Comparison.maxAbsDifference(c, expected) < 1e-4, "\(m)x\(n)x\(k) threads \(threads)")
                    #expect(covered.allSatisfy { $0 == 1 }, "each output element in exactly one epilogue block")
                    results.append(c)
                }
                #expect(results[0] == results[1] && results[1] == results[2], "thread counts give identical results")
            }
        }
    }

    @Test func blocksFollowMultiplyAddsNotOutputSize() {
        // A batch-1 classifier: 1000 outputs, but 2M multiply-adds: worth both threads.
        #expect(ParallelGEMM.blockLimit(m: 1, n: 1000, k: 2048, threads: 2) == 2)
        #expect(ParallelGEMM.blockLimit(m: 300, n: 70, k: 9, threads: 2) == 1)
        #expect(ParallelGEMM.blockLimit(m: 150, n: 120, k: 100, threads: 8) == 3)
    }

    @Test func packedMatrixVectorProductSplitsAcrossThreads() {
        var generator = SeededGenerator(seed: 7)
        let (n, k) = (1000, 1200)
        let a = generator.floats(k), w = generator.floats(n * k), bias = generator.floats(n)
        // Expected: y = relu(a · wᵀ + bias), w stored n x k (a Gemm with transB).
        var expected = [Float](repeating: 0, count: n)
        for j in 0..<n {
            var sum: Float = 0
            for p in 0..<k { sum += a[p] * w[j * k + p] }
            expected[j] = max(0, sum + bias[j])
        }
        #expect(ParallelGEMM.blockLimit(m: 1, n: n, k: k, threads: 2) == 2, "1.2M multiply-adds: two blocks")
        let weights = w.withUnsafeBufferPointer { PackedWeights(transposed: true, k: k, n: n, b: $0.baseAddress!, ldb: k) }
        for threads in [1, 2] {
            var c = [Float](repeating: .nan, count: n)
            a.withUnsafeBufferPointer { ap in bias.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                weights.multiply(pool: ThreadPool(threadCount: threads), m: 1, a: ap.baseAddress!, lda: k, c: cp.baseAddress!,
                                 ldc: n, epilogue: GEMMEpilogue(bias: bp.baseAddress!, activation: .relu))
            } } }
            #expect(Comparison.maxAbsDifference(c, expected) < 1e-3, "threads \(threads)")
        }
    }

    /// A single row times pre-packed weights (the row kernel: panels four, three, two or one at a
    /// time, a last panel of 8, 6, 20 or 10 columns, three k blocks, A read with a stride) gives
    /// the bits the tiles give that row in a two-row product, and the right values.
    @Test(arguments: [1000, 160, 96, 70, 20, 10])
    func oneRowMatchesTheTilesBitForBit(n: Int) {
        var generator = SeededGenerator(seed: UInt64(n))
        let k = 800
        let a = generator.floats(2 * k), w = generator.floats(n * k), bias = generator.floats(n)
        let aTransposed = (0..<(k * 2)).map { a[($0 % 2) * k + $0 / 2] }   // k x 2: row 0 read with stride 2
        let weights = w.withUnsafeBufferPointer { PackedWeights(transposed: true, k: k, n: n, b: $0.baseAddress!, ldb: k) }
        func product(m: Int, transposeA: Bool) -> [Float] {
            var c = [Float](repeating: .nan, count: m * n)
            (transposeA ? aTransposed : a).withUnsafeBufferPointer { ap in bias.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    weights.multiply(pool: ThreadPool(threadCount: 1), transposeA: transposeA, m: m, a: ap.baseAddress!,
                                     lda: transposeA ? 2 : k, c: cp.baseAddress!, ldc: n,
                                     epilogue: GEMMEpilogue(bias: bp.baseAddress!, activation: .sigmoid))
                }
            } }
            return c
        }
        let pair = product(m: 2, transposeA: false)
        for transposeA in [false, true] {
            let row = product(m: 1, transposeA: transposeA)
            #expect(row == Array(pair.prefix(n)), "n \(n) transposed A \(transposeA)")
        }
        var worst: Float = 0
        for j in 0..<n {
            var sum = Double(bias[j])
            for p in 0..<k { sum += Double(a[p]) * Double(w[j * k + p]) }
            worst = max(worst, abs(pair[j] - Float(1 / (1 + exp(-sum)))))
        }
        #expect(worst < 1e-4, "n \(n): \(worst)")
    }

    /// Pre-packed weights times an A of 49 or 50 rows (a 7x7 plane's positions, CLIP's tokens),
    /// whose tiles are dealt evenly (5 x 10 rows rather than 4 x 12 and a short one), read
    /// transposed or not, over several k blocks, with the next weight panel prefetched per tile.
    @Test(arguments: [49, 50])
    func packedWeightsWithEvenlyDealtRows(m: Int) {
        var generator = SeededGenerator(seed: UInt64(m))
        let (n, k) = (70, 800)
        let a = generator.floats(m * k), w = generator.floats(k * n), bias = generator.floats(n)
        let weights = w.withUnsafeBufferPointer { PackedWeights(transposed: false, k: k, n: n, b: $0.baseAddress!, ldb: n) }
        let aTransposed = (0..<(k * m)).map { a[($0 % m) * k + $0 / m] }   // k x m
        for (transposeA, operand, lda) in [(false, a, k), (true, aTransposed, m)] {
            var c = [Float](repeating: .nan, count: m * n)
            operand.withUnsafeBufferPointer { ap in bias.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                weights.multiply(pool: ThreadPool(threadCount: 1), transposeA: transposeA, m: m, a: ap.baseAddress!, lda: lda,
                                 c: cp.baseAddress!, ldc: n, epilogue: GEMMEpilogue(bias: bp.baseAddress!))
            } } }
            var worst: Float = 0
            for i in 0..<m {
                for j in 0..<n {
                    var sum = Double(bias[j])
                    for p in 0..<k { sum += Double(a[i * k + p]) * Double(w[p * n + j]) }
                    worst = max(worst, abs(c[i * n + j] - Float(sum)))
                }
            }
            #expect(worst < 1e-3, "m \(m) transposed A \(transposeA): \(worst)")
        }
    }
}
