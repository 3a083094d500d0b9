import Foundation
import Kernels

/// `kernel-bench --gemm`: single-threaded sgemm GFLOP/s, native kernel vs the system BLAS,
/// median of runs, on shapes (M, N, K) that matter for conv nets; then the conv-shaped
/// problems with pre-packed A (weights [Cout x K] times im2col columns [K x N]).
func benchmarkGEMM() {
    let shapes = [(1024, 1024, 1024), (64, 3136, 576), (256, 784, 1152), (1280, 49, 320), (1000, 1, 512), (1, 1000, 512)]
    print("kernel \(GEMM.Kernel.automatic.name); GFLOP/s, median")
    print("    M     N     K    native      blas")
    for (m, n, k) in shapes {
        let a = (0..<(m * k)).map { _ in Float.random(in: -1...1) }
        let b = (0..<(k * n)).map { _ in Float.random(in: -1...1) }
        var c = [Float](repeating: 0, count: m * n)
        var rates: [Double] = []
        for backend in [GEMM.Backend.native, .blas] {
            GEMM.backend = backend
            rates.append(medianRate(m: m, n: n, k: k) {
                a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in c.withUnsafeMutableBufferPointer { c in
                    GEMM.multiply(m: m, n: n, k: k, a: a.baseAddress!, lda: k, b: b.baseAddress!, ldb: n,
                                  c: c.baseAddress!, ldc: n)
                } } }
            })
        }
        print(String(format: "%5d %5d %5d %9.1f %9.1f", m, n, k, rates[0], rates[1]))
    }
    GEMM.backend = .native
    let convShapes = [(64, 256, 576), (128, 256, 1152), (256, 196, 2304), (512, 49, 4608), (64, 3136, 576),
                      (256, 128, 2304), (128, 384, 1152), (512, 512, 4608)]
    print("conv-shaped, packed A      packed  unpacked")
    for (m, n, k) in convShapes {
        let (a, b, packed) = randomProblem(m: m, n: n, k: k)
        var c = [Float](repeating: 0, count: m * n)
        let packedRate = medianRate(m: m, n: n, k: k) {
            b.withUnsafeBufferPointer { b in c.withUnsafeMutableBufferPointer { c in
                GEMM.multiply(packedA: packed, n: n, b: b.baseAddress!, ldb: n, beta: 0, c: c.baseAddress!, ldc: n)
            } }
        }
        let plainRate = medianRate(m: m, n: n, k: k) {
            a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in c.withUnsafeMutableBufferPointer { c in
                GEMM.multiply(m: m, n: n, k: k, a: a.baseAddress!, lda: k, b: b.baseAddress!, ldb: n,
                              c: c.baseAddress!, ldc: n)
            } } }
        }
        print(String(format: "%5d %5d %5d %9.1f %9.1f", m, n, k, packedRate, plainRate))
    }
}

/// Random A (m x k) and B (k x n), and A packed for the native kernel.
private func randomProblem(m: Int, n: Int, k: Int) -> (a: [Float], b: [Float], packed: PackedMatrix) {
    let a = (0..<(m * k)).map { _ in Float.random(in: -1...1) }
    let b = (0..<(k * n)).map { _ in Float.random(in: -1...1) }
    return (a, b, a.withUnsafeBufferPointer { PackedMatrix(rows: m, columns: k, a: $0.baseAddress!, lda: k) })
}

/// GFLOP/s of `body` (one m x n x k multiply): the median of 31 timed batches.
private func medianRate(m: Int, n: Int, k: Int, _ body: () -> Void) -> Double {
    let flops = 2.0 * Double(m * n * k)
    return flops / medianNanoseconds(batches: 31, repeats: max(1, Int(1e8 / flops)), body)
}

/// The median over `batches` timed batches of the nanoseconds one call of `body` takes
/// (each batch calls it `repeats` times).
private func medianNanoseconds(batches: Int, repeats: Int, _ body: () -> Void) -> Double {
    var times: [Double] = []
    for _ in 0..<batches {
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<repeats { body() }
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / Double(repeats))
    }
    return times.sorted()[times.count / 2]
}

/// `kernel-bench --gemm-scaling`: a packed-A product split by rows over a 2-thread pool
/// against the same product on one thread, for batch-1 convolution shapes; prints the
/// median microseconds of each and the speed-up (2.0 is perfect).
func benchmarkGEMMScaling() {
    let shapes = [(672, 196, 112), (160, 49, 960), (64, 12544, 16), (512, 49, 4608), (256, 196, 2304), (1152, 49, 192)]
    let pool = ThreadPool(threadCount: 2)
    print("    M     N     K   1 thread us  2 threads us  speed-up")
    for (m, n, k) in shapes {
        let (_, b, packed) = randomProblem(m: m, n: n, k: k)
        var c = [Float](repeating: 0, count: m * n)
        let alignment = packed.rowAlignment
        func run(blocks: Int) {
            b.withUnsafeBufferPointer { b in c.withUnsafeMutableBufferPointer { c in
                let bp = b.baseAddress!, cp = c.baseAddress!
                pool.parallelFor(blocks) { block in
                    let rows = AlignedSplit.part(block, of: blocks, extent: m, alignment: alignment)
                    GEMM.multiply(packedA: packed, rows: rows, n: n, b: bp, ldb: n, c: cp + rows.lowerBound * n, ldc: n)
                }
            } }
        }
        let one = medianNanoseconds(batches: 201, repeats: 1) { run(blocks: 1) } / 1000
        let two = medianNanoseconds(batches: 201, repeats: 1) { run(blocks: 2) } / 1000
        print(String(format: "%5d %5d %5d %12.1f %13.1f %9.2f", m, n, k, one, two, one / two))
    }
}
