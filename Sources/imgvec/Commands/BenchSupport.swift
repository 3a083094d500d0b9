import Foundation
import ImgVec

/// Child processes and formatting for `imgvec bench`.
enum BenchSupport {
    struct BenchError: Error, CustomStringConvertible {
        let description: String
    }

    /// Finds a repository script from the working directory or the executable's location.
    static func locateScript(_ relative: String) throws -> String {
        var candidates = [FileManager.default.currentDirectoryPath]
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        for _ in 0..<6 { url.deleteLastPathComponent(); candidates.append(url.path) }
        for base in candidates {
            let path = (base as NSString).appendingPathComponent(relative)
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        throw BenchError(description: "cannot find \(relative) (run from the imgvec checkout, or pass --no-ort)")
    }

    static func runWorker(model: String, batch: Int, threads: Int, runs: Int, warmup: Int,
                          profile: Bool) throws -> EngineTiming {
        var arguments = ["bench-worker", model, "--batch", "\(batch)", "--threads", "\(threads)",
                         "--runs", "\(runs)", "--warmup", "\(warmup)"]
        if profile { arguments.append("--profile") }
        let output = try run(executable: selfExecutable, arguments: arguments)
        return try JSONDecoder().decode(EngineTiming.self, from: Data(output.utf8))
    }

    static func runORT(python: String, script: String, model: String, batch: Int, threads: Int, runs: Int,
                       warmup: Int) throws -> (times: [Double], peakMegabytes: Double) {
        let output = try run(executable: "/usr/bin/env", arguments: [python, script, model, "--batch", "\(batch)",
                                                                      "--threads", "\(threads)", "--runs", "\(runs)",
                                                                      "--warmup", "\(warmup)"])
        guard let object = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any],
              let times = object["times_ms"] as? [Double], let rss = object["peak_rss_mb"] as? Double else {
            throw BenchError(description: "unexpected output from \(script): \(output.prefix(200))")
        }
        return (times, rss)
    }

    static var selfExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    static func run(executable: String, arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        let errorData = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchError(description: "\(([executable] + arguments).joined(separator: " ")) failed: \(String(decoding: errorData, as: UTF8.self).suffix(500))")
        }
        let text = String(decoding: data, as: UTF8.self)
        return text.split(separator: "\n").last.map(String.init) ?? ""
    }

    /// "geometric mean speedup over N configurations: G x (lowest L x: CONFIGURATION)", the
    /// figure the performance goal is stated in.
    static func speedupSummary(_ speedups: [(configuration: String, speedup: Double)]) -> String {
        let mean = exp(speedups.map { log($0.speedup) }.reduce(0, +) / Double(speedups.count))
        let lowest = speedups.min { $0.speedup < $1.speedup }!
        return String(format: "geometric mean speedup over %d configurations: %.3fx (lowest %.2fx: %@)",
                      speedups.count, mean, lowest.speedup, lowest.configuration as NSString)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// `text` padded with spaces to `width` characters (a `%-31@` width is ignored by
    /// swift-corelibs-foundation, which left the table's columns unaligned on Linux).
    static func leftAligned(_ text: String, width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    /// One line per op type or node. Times to the microsecond: at batch 1 most nodes take
    /// 5-300 us, which hundredths of a millisecond would round together.
    static func formatProfile(_ lines: [EngineTiming.ProfileLine]) -> String {
        let total = lines.reduce(0) { $0 + $1.milliseconds }
        return lines.map { line in
            "    " + BenchSupport.leftAligned(line.opType, width: 40)
                + String(format: " %4d calls %9.3f ms %5.1f%% %8.1f GFLOP/s", line.calls,
                   line.milliseconds, total > 0 ? 100 * line.milliseconds / total : 0, line.gflops)
        }.joined(separator: "\n")
    }
}

/// One configuration's result.
struct BenchRow {
    var model: String
    var batch: Int
    var threads: Int
    var imgvecMilliseconds: Double
    var ortMilliseconds: Double?
    var multiplyAdds: Int
    var peakGFLOPS: Double
    var imgvecPeakMegabytes: Double
    var ortPeakMegabytes: Double?

    var name: String { URL(fileURLWithPath: model).deletingPathExtension().lastPathComponent }
    func gflops(_ ms: Double) -> Double { 2 * Double(multiplyAdds) / (ms / 1000) / 1e9 }
    var speedup: Double? { ortMilliseconds.map { $0 / imgvecMilliseconds } }

    static let header = "model                           batch thr  imgvec ms     ORT ms  speedup  imgvec GF/s (%peak)  ORT GF/s (%peak)  imgvec MB  ORT MB"

    var line: String {
        let ort = ortMilliseconds.map { String(format: "%10.2f", $0) } ?? "         -"
        let speed = speedup.map { String(format: "%7.2fx", $0) } ?? "       -"
        let mine = String(format: "%8.1f (%4.1f%%)", gflops(imgvecMilliseconds), 100 * gflops(imgvecMilliseconds) / peakGFLOPS)
        let theirs = ortMilliseconds.map { String(format: "%8.1f (%4.1f%%)", gflops($0), 100 * gflops($0) / peakGFLOPS) } ?? "               -"
        let ortMB = ortPeakMegabytes.map { String(format: "%7.0f", $0) } ?? "      -"
        return BenchSupport.leftAligned(name, width: 31) + String(format: " %5d %3d %10.2f ", batch, threads, imgvecMilliseconds)
            + "\(ort) \(speed)     \(mine)  \(theirs)  " + String(format: "%9.0f", imgvecPeakMegabytes) + " \(ortMB)"
    }

    var json: String {
        var object: [String: Any] = [
            "model": name, "model_path": model, "batch": batch, "threads": threads,
            "imgvec_ms": imgvecMilliseconds, "multiply_adds": multiplyAdds,
            "imgvec_gflops": gflops(imgvecMilliseconds), "peak_gflops": peakGFLOPS,
            "imgvec_peak_rss_mb": imgvecPeakMegabytes,
        ]
        if let ortMilliseconds {
            object["ort_ms"] = ortMilliseconds
            object["speedup"] = speedup
            object["ort_gflops"] = gflops(ortMilliseconds)
            object["ort_peak_rss_mb"] = ortPeakMegabytes
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
