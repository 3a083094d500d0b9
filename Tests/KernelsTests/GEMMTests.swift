import Kernels
import Testing
import TestSupport

/// One multiply problem with padded strides; the padding holds NaN so a kernel that reads
/// outside the matrices (or writes outside C) is caught.
struct GEMMProblem {
    let m: Int, n: Int, k: Int
    let transA: Bool, transB: Bool
    let alpha: Float, beta: Float
    let lda: Int, ldb: Int, ldc: Int
    let a: [Float], b: [Float], c: [Float]

    init(m: Int, n: Int, k: Int, transA: Bool = false, transB: Bool = false, alpha: Float = 1, beta: Float = 0,
         pad: Int = 0, seed: UInt64 = 7) {
        self.m = m; self.n = n; self.k = k; self.transA = transA; self.transB = transB
        self.alpha = alpha; self.beta = beta
        var generator = SeededGenerator(seed: seed &+ UInt64(m * 1_000_003 + n * 1009 + k))
        let (aRows, aColumns) = transA ? (k, m) : (m, k)
        let (bRows, bColumns) = transB ? (n, k) : (k, n)
        lda = aColumns + pad; ldb = bColumns + pad; ldc = n + pad
        func matrix(_ rows: Int, _ columns: Int, _ stride: Int, garbage: Bool) -> [Float] {
            var values = [Float](repeating: .nan, count: max(1, rows * stride))
            for r in 0..<rows { for column in 0..<columns {
                values[r * stride + column] = garbage ? .nan : generator.floats(1)[0]
            } }
            return values
        }
        a = matrix(aRows, aColumns, lda, garbage: false)
        b = matrix(bRows, bColumns, ldb, garbage: false)
        c = matrix(m, n, ldc, garbage: beta == 0)   // beta == 0: C must be overwritten, never read
    }

    /// The expected C (double accumulation) and, per element, a bound on float rounding.
    func reference() -> (values: [Double], tolerance: [Double]) {
        var values = [Double](repeating: 0, count: m * n), tolerance = values
        a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in
            for i in 0..<m { for j in 0..<n {
                var sum = 0.0, magnitude = 0.0
                for p in 0..<k {
                    let product = Double(transA ? a[p * lda + i] : a[i * lda + p]) * Double(transB ? b[j * ldb + p] : b[p * ldb + j])
                    sum += product; magnitude += abs(product)
                }
                let old = beta == 0 ? 0 : Double(c[i * ldc + j])
                values[i * n + j] = Double(alpha) * sum + Double(beta) * old
                tolerance[i * n + j] = 1e-5 * (abs(Double(alpha)) * magnitude + abs(Double(beta) * old)) + 1e-7
            } }
        } }
        return (values, tolerance)
    }

    /// Runs `body` on copies of the operands and returns the resulting C.
    func run(_ body: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) -> [Float] {
        var result = c
        a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in result.withUnsafeMutableBufferPointer { c in
            body(a.baseAddress!, b.baseAddress!, c.baseAddress!)
        } } }
        return result
    }

    /// Issues (empty when `result` matches the reference and C's padding is untouched).
    func mismatches(_ result: [Float], _ expected: (values: [Double], tolerance: [Double])) -> [String] {
        var issues: [String] = []
        for i in 0..<m {
            for j in 0..<n {
                let got = Double(result[i * ldc + j]), want = expected.values[i * n + j]
                if !(abs(got - want) <= expected.tolerance[i * n + j]) { issues.append("C[\(i),\(j)] = \(got), want \(want)") }
            }
            for j in n..<ldc where i * ldc + j < result.count && !result[i * ldc + j].isNaN {
                issues.append("padding C[\(i),\(j)] written")
            }
            if issues.count > 3 { break }
        }
        return issues
    }
}

@Suite("GEMM")
struct GEMMTests {
    static let kernels: [GEMM.Kernel] = [.portable, .avx2, .avx512]
    static let shapes: [(Int, Int, Int)] = [
        (1, 1, 1), (2, 3, 1), (7, 3, 5), (13, 37, 300), (12, 32, 256), (25, 65, 513), (100, 17, 257),
        (1, 1000, 512), (1000, 1, 512), (2, 1, 3), (1, 5, 7), (400, 40, 20), (3, 4200, 5), (20, 20, 600), (5, 49, 33),
        // Row counts that leave a last tile of 1-3 rows, dealt evenly instead (balanced_tile_rows):
        // the row sweep (short k) and several k blocks.
        (49, 70, 100), (50, 45, 700), (26, 33, 64),
    ]

    func check(_ problem: GEMMProblem, _ label: String) {
        let expected = problem.reference()
        for kernel in Self.kernels {
            guard kernel.isAvailable else { continue }   // the x86-64 CI machine runs all three
            let result = problem.run { a, b, c in
                GEMM.multiply(kernel: kernel, transposeA: problem.transA, transposeB: problem.transB,
                              m: problem.m, n: problem.n, k: problem.k, alpha: problem.alpha,
                              a: a, lda: problem.lda, b: b, ldb: problem.ldb, beta: problem.beta, c: c, ldc: problem.ldc)
            }
            let issues = problem.mismatches(result, expected)
            #expect(issues.isEmpty, "\(kernel.name) \(label): \(issues.prefix(3))")
        }
    }

    @Test func thisMachineRunsEveryKernel() {
        #if arch(x86_64)
        #expect(GEMM.Kernel.portable.isAvailable)
        #expect(GEMM.Kernel.automatic.name != "portable" || !GEMM.Kernel.avx2.isAvailable)
        #endif
    }

    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func matchesNaiveOnEveryShape(transA: Bool, transB: Bool) {
        for (m, n, k) in Self.shapes {
            check(GEMMProblem(m: m, n: n, k: k, transA: transA, transB: transB), "\(m)x\(n)x\(k) tA=\(transA) tB=\(transB)")
        }
    }

    @Test func largeSquareWithEdges() {
        check(GEMMProblem(m: 577, n: 577, k: 64), "577x577x64")
        check(GEMMProblem(m: 130, n: 90, k: 70, transA: true, transB: true, pad: 5), "130x90x70 tt padded")
    }

    @Test(arguments: [(Float(1), Float(0)), (0.5, 0), (1, 1), (-2, 0.25), (0, 0.5), (0, 0)])
    func alphaBetaAndPaddedStrides(alpha: Float, beta: Float) {
        for (m, n, k) in [(13, 37, 300), (1, 40, 9), (30, 1, 9), (33, 70, 3)] {
            for (transA, transB) in [(false, false), (true, true), (false, true)] {
                check(GEMMProblem(m: m, n: n, k: k, transA: transA, transB: transB, alpha: alpha, beta: beta, pad: 3),
                      "\(m)x\(n)x\(k) alpha=\(alpha) beta=\(beta) tA=\(transA) tB=\(transB)")
            }
        }
    }

    @Test func zeroInnerDimensionScalesC() {
        check(GEMMProblem(m: 5, n: 7, k: 0, beta: 0, pad: 2), "k=0 beta=0")
        check(GEMMProblem(m: 5, n: 7, k: 0, beta: 0.5, pad: 2), "k=0 beta=0.5")
    }

    @Test func packedAMatchesNaive() {
        for kernel in Self.kernels where kernel.isAvailable {
            for (m, n, k, transA, transB) in [(13, 37, 300, false, false), (64, 100, 576, true, false),
                                              (25, 65, 513, false, true), (1, 3, 2, false, false), (30, 1, 9, true, true),
                                              (400, 48, 800, false, false)] {
                let problem = GEMMProblem(m: m, n: n, k: k, transA: transA, transB: transB, alpha: 0.75, beta: 0.5, pad: 1)
                let packed = problem.a.withUnsafeBufferPointer {
                    PackedMatrix(transposed: transA, rows: m, columns: k, a: $0.baseAddress!, lda: problem.lda, kernel: kernel)
                }
                let result = problem.run { _, b, c in
                    GEMM.multiply(packedA: packed, transposeB: transB, n: n, alpha: problem.alpha,
                                  b: b, ldb: problem.ldb, beta: problem.beta, c: c, ldc: problem.ldc)
                }
                let issues = problem.mismatches(result, problem.reference())
                #expect(issues.isEmpty, "packed \(kernel.name) \(m)x\(n)x\(k): \(issues.prefix(3))")
            }
        }
    }

    @Test(arguments: [GEMM.Backend.native, .blas])
    func bothBackendsAgree(backend: GEMM.Backend) {
        let problem = GEMMProblem(m: 40, n: 50, k: 60, transA: true, alpha: 1.5, beta: 1, pad: 2)
        // Not by switching GEMM.backend: tests running meanwhile (ParallelGEMM's, which compare
        // results bit for bit across thread counts) would take the other backend for some calls.
        let result = problem.run { a, b, c in
            GEMM.multiply(on: backend, transposeA: true, m: 40, n: 50, k: 60, alpha: 1.5, a: a, lda: problem.lda,
                          b: b, ldb: problem.ldb, beta: 1, c: c, ldc: problem.ldc)
        }
        let issues = problem.mismatches(result, problem.reference())
        #expect(issues.isEmpty, "\(backend): \(issues.prefix(3))")
    }
}
