import ArgumentParser
import Dispatch
import Foundation
import ImgVec

/// `imgvec bench-preprocess`: decoding + preprocessing against Pillow (+ torchvision's recipe) in Python.
struct BenchPreprocessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-preprocess",
        abstract: "Benchmark decoding and preprocessing against Pillow in Python, side by side.",
        discussion: """
        For each thread count, imgvec decodes and preprocesses every file with the exact recipe
        (and with --fast-jpeg's DCT-scaled JPEG decoding), and scripts/pillow_preprocess_bench.py
        does the same with Pillow + NumPy in as many processes. Medians of --repeat passes.
        Example: imgvec bench-preprocess ~/photos --threads 1 --threads 2
        """
    )

    @Argument(help: "Image files or folders.")
    var paths: [String]

    @Option(help: "Recipe: torchvision or keras-vgg16.")
    var recipe = "torchvision"

    @Option(name: .customLong("threads"), help: "Thread count (repeatable). Default: 1 and one per core.")
    var threadCounts: [Int] = []

    @Option(help: "Passes over all files per measurement.")
    var `repeat` = 3

    @Flag(help: "Skip the Python side.")
    var noPython = false

    @Option(help: "Python interpreter with Pillow and NumPy.")
    var python = "python3"

    func run() throws {
        let files = InputCollector.collect(paths)
        guard !files.isEmpty else { throw ValidationError("no image files found") }
        let resolved = try RecipeResolver.resolve(recipe)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let threadsList = threadCounts.isEmpty ? Array(Set([1, cores])).sorted() : threadCounts
        let script = noPython ? nil : try BenchSupport.locateScript("scripts/pillow_preprocess_bench.py")
        print("\(files.count) files, recipe \(recipe)")
        print("threads  imgvec img/s  fast-jpeg img/s  Python img/s  speedup  fast speedup  per-core speedup")
        for threads in threadsList {
            let exact = try measure(files: files, recipe: resolved, threads: threads, fast: false)
            let fast = try measure(files: files, recipe: resolved, threads: threads, fast: true)
            var pythonRate: Double?
            if let script {
                let output = try BenchSupport.run(executable: "/usr/bin/env", arguments: [
                    python, script, "--recipe", recipe, "--workers", "\(threads)", "--repeat", "\(self.repeat)",
                ] + files)
                let object = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
                pythonRate = object?["images_per_second"] as? Double
            }
            let ratio = pythonRate.map { String(format: "%6.2fx", exact / $0) } ?? "     -"
            let fastRatio = pythonRate.map { String(format: "%6.2fx", fast / $0) } ?? "     -"
            print(String(format: "%7d  %12.1f  %15.1f  %12@  %@  %@       %@", threads, exact, fast,
                         (pythonRate.map { String(format: "%.1f", $0) } ?? "-") as NSString, ratio, fastRatio, ratio))
        }
    }

    /// Images per second for decode + preprocess over all files (median of the passes).
    private func measure(files: [String], recipe: PreprocessingRecipe, threads: Int, fast: Bool) throws -> Double {
        let decoder = ImageDecoder(applyEXIFOrientation: recipe.applyEXIFOrientation)
        let draft = fast ? recipe.minimumDecodeSize : nil
        var rates: [Double] = []
        for _ in 0..<self.repeat {
            let next = NSLock()
            var index = 0
            let start = DispatchTime.now().uptimeNanoseconds
            DispatchQueue.concurrentPerform(iterations: threads) { _ in
                while true {
                    next.lock(); let i = index; index += 1; next.unlock()
                    guard i < files.count else { return }
                    // What `embed` does per file: read, decode + resize + crop (streamed for JPEG), normalise.
                    guard let data = try? Data(contentsOf: URL(fileURLWithPath: files[i]), options: .mappedIfSafe),
                          let prepared = try? decoder.decodePrepared(data: data, name: files[i], recipe: recipe, draftSize: draft)
                    else { continue }
                    _ = try? recipe.tensor(fromPrepared: prepared.pixels)
                }
            }
            rates.append(Double(files.count) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
        }
        return rates.sorted()[rates.count / 2]
    }
}
