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
        for (m, n, k) in [(300, 70, 9), (5, 900, 17), (130, 130, 3), (1, 1, 1)] {
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
}
