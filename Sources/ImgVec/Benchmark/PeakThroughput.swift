import Dispatch
import Foundation
import Kernels

/// Measures this machine's practical single-precision peak, so benchmarks can
/// report the fraction of it a model reaches.
public enum PeakThroughput {
    /// GFLOP/s of an FMA loop with no memory traffic on `threads` threads: the ceiling no
    /// kernel can pass (the denominator of "fraction of peak"). The larger of the loop run on
    /// all `threads` at once and `threads` times the loop on one thread: on a shared host the
    /// hypervisor at times puts both vCPUs of this 2-core VM on one physical core, for seconds,
    /// and the 2-thread loop then measures 117 GFLOP/s instead of 234 (the 1-thread loop is
    /// unaffected); a ceiling taken then would read half its size.
    public static func measureFMA(threads: Int, iterations: Int = 20_000_000, repeats: Int = 5) -> Double {
        let together = medianFMA(threads: threads, iterations: iterations, repeats: repeats)
        return threads == 1 ? together : max(together, Double(threads) * medianFMA(threads: 1, iterations: iterations, repeats: repeats))
    }

    /// Median GFLOP/s of the FMA loop run on `threads` threads at once.
    static func medianFMA(threads: Int, iterations: Int, repeats: Int) -> Double {
        let pool = ThreadPool(threadCount: threads)
        var rates: [Double] = []
        for run in 0...repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            var flops = [Int](repeating: 0, count: threads)
            flops.withUnsafeMutableBufferPointer { counts in
                let counts = counts
                pool.parallelFor(threads) { worker in counts[worker] = FMAPeak.runLoop(iterations: iterations) }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if run > 0 { rates.append(Double(flops.reduce(0, +)) / seconds / 1e9) }
        }
        return rates.sorted()[rates.count / 2]
    }

    /// Median GFLOP/s of a large square SGEMM split over `threads` threads of the
    /// engine's pool, with the same GEMM kernels the engine uses.
    public static func measureSGEMM(threads: Int, size: Int = 1536, repeats: Int = 5) -> Double {
        let a = UnsafeMutablePointer<Float>.allocate(capacity: size * size)
        let b = UnsafeMutablePointer<Float>.allocate(capacity: size * size)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: size * size)
        defer { a.deallocate(); b.deallocate(); c.deallocate() }
        for i in 0..<size * size { a[i] = Float(i % 7) * 0.1; b[i] = Float(i % 5) * 0.1; c[i] = 0 }
        let pool = ThreadPool(threadCount: threads)
        var rates: [Double] = []
        for run in 0...repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            pool.parallelChunks(size) { rows in
                GEMM.multiply(m: rows.count, n: size, k: size, a: a + rows.lowerBound * size, lda: size,
                              b: b, ldb: size, c: c + rows.lowerBound * size, ldc: size)
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if run > 0 { rates.append(2 * Double(size * size * size) / seconds / 1e9) }
        }
        return rates.sorted()[rates.count / 2]
    }
}
