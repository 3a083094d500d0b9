import Foundation
import Kernels

/// `kernel-bench --vmath`: ns per element of the pointwise vector-math functions for every
/// instruction set this CPU runs, on an L1-resident array (4K floats: source and destination
/// fit in L1) and a large one (1M floats), plus row softmax (automatic build only). Median of repeats, in this thread's CPU time
/// (the machine is shared: wall time would count other processes' slices).
func benchmarkVectorMath() {
    let functions: [(String, VectorMath.Function)] = [
        ("exp", .exp), ("sigmoid", .sigmoid), ("silu", .silu), ("tanh", .tanh), ("erf", .erf),
        ("gelu", .gelu), ("gelu_tanh", .geluTanh), ("quickgelu", .quickGelu(alpha: 1.702)),
        ("hardswish", .hardSwish),
    ]
    let sizes = [4096, 1 << 20]
    let kernels = GEMM.Kernel.allCases.filter { $0 != .automatic && $0.isAvailable }
    var generator = SystemRandomNumberGenerator()
    let source = UnsafeMutablePointer<Float>.allocate(capacity: sizes.max()!)
    let destination = UnsafeMutablePointer<Float>.allocate(capacity: sizes.max()!)
    defer { source.deallocate(); destination.deallocate() }
    for i in 0..<sizes.max()! { source[i] = Float.random(in: -8...8, using: &generator) }

    func median(_ count: Int, _ body: () -> Void) -> Double {
        let repeats = max(1, (1 << 22) / count)   // ~4M elements per sample
        var samples: [Double] = []
        body()
        for _ in 0..<15 {
            let start = threadCPUNanoseconds()
            for _ in 0..<repeats { body() }
            samples.append(Double(threadCPUNanoseconds() - start) / Double(repeats * count))
        }
        samples.sort()
        return samples[samples.count / 2]
    }

    var header = "function".padding(toLength: 12, withPad: " ", startingAt: 0)
    for kernel in kernels { for size in sizes { header += "  \(kernel.name)/\(size >= 1 << 20 ? "1M" : "4K")".padding(toLength: 16, withPad: " ", startingAt: 0) } }
    print(header + "  (ns/element, median of 15)")
    for (name, function) in functions {
        var line = name.padding(toLength: 12, withPad: " ", startingAt: 0)
        for kernel in kernels {
            for size in sizes {
                let ns = median(size) {
                    VectorMath.apply(function, kernel: kernel, source, destination, count: size)
                }
                line += String(format: "  %14.3f", ns)
            }
        }
        print(line)
    }
    for (rows, length) in [(64, 64), (16, 1000), (4, 4096)] {
        let ns = median(rows * length) {
            VectorMath.softmaxRows(source, destination, rows: rows, length: length, stride: length)
        }
        print(String(format: "softmax %d x %d (auto): %.3f ns/element", rows, length, ns))
    }
}

/// CPU time consumed by the calling thread, in nanoseconds.
func threadCPUNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}
