import ArgumentParser
import Foundation
import ImgVec

/// `imgvec bench`: imgvec and ONNX Runtime side by side on the same model, batch and threads.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark the engine against ONNX Runtime on the same model, batch and threads.",
        discussion: """
        Each configuration runs imgvec and ONNX Runtime (scripts/ort_bench.py, the `onnxruntime`
        PyPI package) in separate child processes, alternately, --repeat times; the medians of all
        timed batches are compared, and each side's peak resident memory is its child's.
        `speedup` is ONNX Runtime's time divided by imgvec's (above 1: imgvec is faster).
        GFLOP/s counts 2 flops per multiply-add; `%peak` is the fraction of this machine's
        arithmetic peak at the same thread count, measured first with an FMA loop (no memory
        traffic); the SGEMM rate of imgvec's own kernel is printed beside it for scale.
        Example: imgvec bench resnet18.onnx efficientnet_b0.onnx --batch 1 --batch 8 --threads 2
        """
    )

    @Argument(help: "ONNX model files.")
    var models: [String]

    @Option(name: .customLong("batch"), help: "Batch size (repeatable).")
    var batches: [Int] = [1]

    @Option(name: .customLong("threads"), help: "Thread count (repeatable). Default: one per core.")
    var threadCounts: [Int] = []

    @Option(help: "Timed batches per child process.")
    var runs = 10

    @Option(help: "Untimed warm-up batches per child process.")
    var warmup = 2

    @Option(help: "Alternating imgvec/ONNX Runtime rounds per configuration.")
    var `repeat` = 3

    @Flag(help: "Print one JSON object per configuration instead of a table.")
    var json = false

    @Flag(help: "Print imgvec's per-op-type time profile for each configuration.")
    var profile = false

    @Flag(help: "Skip ONNX Runtime (imgvec only).")
    var noORT = false

    @Option(help: "Python interpreter with onnxruntime installed.")
    var python = "python3"

    func run() throws {
        let threadsList = threadCounts.isEmpty ? [ProcessInfo.processInfo.activeProcessorCount] : threadCounts
        let script = try noORT ? nil : BenchSupport.locateScript("scripts/ort_bench.py")
        var peaks: [Int: Double] = [:]
        var sgemm: [Int: Double] = [:]
        for threads in threadsList {
            peaks[threads] = PeakThroughput.measureFMA(threads: threads)
            sgemm[threads] = PeakThroughput.measureSGEMM(threads: threads)
        }
        if !json {
            print("peak GFLOP/s (FMA loop / SGEMM 1536^3): " + threadsList.map {
                "\($0) thread(s) \(String(format: "%.1f / %.1f", peaks[$0]!, sgemm[$0]!))"
            }.joined(separator: ", "))
            print(BenchRow.header)
        }
        var speedups: [(configuration: String, speedup: Double)] = []
        for model in models {
            for batch in batches {
                for threads in threadsList {
                    var imgvecTimes: [Double] = [], ortTimes: [Double] = []
                    var imgvecRSS = 0.0, ortRSS = 0.0, macs = 0
                    var profiled: EngineTiming?   // the round that profiled (the first, with --profile)
                    for round in 0..<self.repeat {
                        func runImgvec() throws {
                            let timing = try BenchSupport.runWorker(model: model, batch: batch, threads: threads, runs: runs,
                                                                    warmup: warmup, profile: profile && round == 0)
                            imgvecTimes += timing.timesMilliseconds
                            imgvecRSS = max(imgvecRSS, timing.peakResidentMegabytes)
                            macs = timing.multiplyAddsPerBatch
                            if timing.profile != nil { profiled = timing }
                        }
                        func runORT(_ script: String) throws {
                            let ort = try BenchSupport.runORT(python: python, script: script, model: model, batch: batch,
                                                              threads: threads, runs: runs, warmup: warmup)
                            ortTimes += ort.times
                            ortRSS = max(ortRSS, ort.peakMegabytes)
                        }
                        // The two sides take turns going first, so that neither always runs just
                        // after the other's process exits (and frees hundreds of MB).
                        guard let script else { try runImgvec(); continue }
                        if round % 2 == 0 {
                            try runImgvec(); try runORT(script)
                        } else {
                            try runORT(script); try runImgvec()
                        }
                    }
                    let row = BenchRow(model: model, batch: batch, threads: threads,
                                       imgvecMilliseconds: BenchSupport.median(imgvecTimes),
                                       ortMilliseconds: ortTimes.isEmpty ? nil : BenchSupport.median(ortTimes),
                                       multiplyAdds: macs, peakGFLOPS: peaks[threads]!,
                                       imgvecPeakMegabytes: imgvecRSS, ortPeakMegabytes: ortTimes.isEmpty ? nil : ortRSS)
                    print(json ? row.json : row.line)
                    if let speedup = row.speedup { speedups.append(("\(row.name) b\(batch) t\(threads)", speedup)) }
                    if let profileLines = profiled?.profile, !json {
                        let nodeTotal = profileLines.reduce(0) { $0 + $1.milliseconds }
                        print(String(format: "  time by op type (profiled runs: median %.2f ms wall, %.2f ms in nodes):",
                                     profiled?.profiledMedianMilliseconds ?? 0, nodeTotal))
                        if batch > 1 {
                            // Session+BatchLanes: lanes are off while profiling, so every node is timed once.
                            print("  (profiled runs take the whole batch op by op; the timed runs split it into batch lanes)")
                        }
                        print(BenchSupport.formatProfile(profileLines))
                    }
                    if let nodeLines = profiled?.slowestNodes, !json {
                        print("  slowest nodes:")
                        print(BenchSupport.formatProfile(nodeLines))
                    }
                }
            }
        }
        if !json, speedups.count > 1 { print(BenchSupport.speedupSummary(speedups)) }
    }
}

/// `imgvec bench-worker`: one imgvec configuration in its own process (used by `bench`).
struct BenchWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench-worker", shouldDisplay: false)

    @Argument var model: String
    @Option var batch: Int
    @Option var threads: Int
    @Option var runs: Int
    @Option var warmup: Int
    @Flag var profile = false

    func run() throws {
        let timing = try EngineTiming.measure(model: URL(fileURLWithPath: model), batch: batch, threads: threads,
                                              runs: runs, warmup: warmup, profile: profile)
        let data = try JSONEncoder().encode(timing)
        print(String(decoding: data, as: UTF8.self))
    }
}
