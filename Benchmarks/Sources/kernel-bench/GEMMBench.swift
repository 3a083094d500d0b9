import Foundation
import Kernels

/// `kernel-bench --gemm`: single-threaded sgemm GFLOP/s, native kernel vs the system BLAS,
/// median of runs, on shapes (M, N, K) that matter for conv nets.
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
            let flops = 2.0 * Double(m * n * k)
            let repeats = max(1, Int(1e8 / flops))
            var times: [Double] = []
            a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in c.withUnsafeMutableBufferPointer { c in
                for _ in 0..<31 {
                    let start = DispatchTime.now().uptimeNanoseconds
                    for _ in 0..<repeats {
                        GEMM.multiply(m: m, n: n, k: k, a: a.baseAddress!, lda: k, b: b.baseAddress!, ldb: n,
                                      c: c.baseAddress!, ldc: n)
                    }
                    times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / Double(repeats))
                }
            } } }
            rates.append(flops / times.sorted()[times.count / 2])
        }
        print(String(format: "%5d %5d %5d %9.1f %9.1f", m, n, k, rates[0], rates[1]))
    }
}
