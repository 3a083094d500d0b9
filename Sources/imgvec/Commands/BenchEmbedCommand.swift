import ArgumentParser
import Dispatch
import Foundation
import ImgVec

/// `imgvec bench-embed`: engine-only vs end-to-end vs the seed's Python loop, in one run.
struct BenchEmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-embed",
        abstract: "Benchmark the embed pipeline: engine only, imgvec end to end, and the seed's Python loop.",
        discussion: """
        engine-only: batches of already-preprocessed tensors through the engine; end-to-end: the
        `embed` pipeline over the files (decoding overlapping inference), in a child process whose
        peak memory is reported; Python: scripts/seed_loop_bench.py, one image at a time with
        Pillow preprocessing and ONNX Runtime. --files N repeats the list to N entries (to show
        that memory stays flat as the file count grows). With --repeat R the engine-only and
        end-to-end measurements alternate R times and their medians are compared (the
        machines are noisy).
        Example: imgvec bench-embed ./photos --model lite0.onnx --files 1000 --files 10000
        """
    )

    @Argument(help: "Image files or folders.")
    var paths: [String]

    @Option(help: "ONNX model.")
    var model: String

    @Option(help: "Images per batch.")
    var batch = EmbeddingOptions.defaultBatchSize

    @Option(help: "Inference threads (default: one per core).")
    var threads: Int?

    @Option(name: .customLong("files"), help: "Run end to end over this many entries (the list repeated); repeatable.")
    var fileCounts: [Int] = []

    @Option(help: "Preprocessing recipe, as for `embed --recipe` (the seed's VGG16 recipe is keras-vgg16; the Python loop knows torchvision and keras-vgg16).")
    var recipe = "torchvision"

    @Flag(help: "Also time the end-to-end run with --fast-jpeg.")
    var fastJPEG = false

    @Option(help: "Alternating rounds of engine-only and end-to-end runs; medians are reported.")
    var `repeat` = 1

    @Flag(help: "Skip the Python loop.")
    var noPython = false

    @Option(help: "Python interpreter with onnxruntime and Pillow.")
    var python = "python3"

    func run() throws {
        let files = InputCollector.collect(paths)
        guard !files.isEmpty else { throw ValidationError("no image files found") }
        let threadCount = threads ?? ProcessInfo.processInfo.activeProcessorCount
        let resolved = try RecipeResolver.resolve(recipe)
        let engine = try EngineOnly(model: model, files: files, batch: batch, threads: threadCount, recipe: resolved)
        let configurations = (fileCounts.isEmpty ? [files.count] : fileCounts).flatMap { count in
            (fastJPEG ? [false, true] : [false]).map { (count: count, fast: $0) }
        }
        var engineRates: [Double] = []
        var rates = [[Double]](repeating: [], count: configurations.count)
        var peaks = [Double](repeating: 0, count: configurations.count)
        for _ in 0..<max(1, self.repeat) {
            engineRates.append(try engine.rate())
            for (index, configuration) in configurations.enumerated() {
                let result = try endToEnd(files: files, count: configuration.count, threads: threadCount, fast: configuration.fast)
                rates[index].append(result.rate)
                peaks[index] = max(peaks[index], result.peak)
            }
        }
        let engineRate = BenchSupport.median(engineRates)
        let rounds = max(1, self.repeat)
        print("\(files.count) files, model \(URL(fileURLWithPath: model).lastPathComponent), recipe \(recipe), batch \(batch), \(threadCount) threads"
              + (rounds > 1 ? ", medians of \(rounds) alternating rounds" : ""))
        print(String(format: "engine only (pre-made tensors):   %7.1f images/s", engineRate))
        for (index, configuration) in configurations.enumerated() {
            let rate = BenchSupport.median(rates[index])
            print(String(format: "end to end%@ (%d files):  %7.1f images/s  = %.2fx engine-only   peak %.0f MB",
                         configuration.fast ? " --fast-jpeg" : "", configuration.count, rate, rate / engineRate, peaks[index]))
        }
        if !noPython && !Self.pythonRecipes.contains(recipe) {
            print("seed Python loop: skipped (recipe \(recipe) has no Python twin; it knows \(Self.pythonRecipes.joined(separator: ", ")))")
        } else if !noPython {
            let script = try BenchSupport.locateScript("scripts/seed_loop_bench.py")
            let output = try BenchSupport.run(executable: "/usr/bin/env",
                                              arguments: [python, script, model, "--threads", "\(threadCount)", "--recipe", recipe] + files)
            let object = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
            let rate = object?["images_per_second"] as? Double ?? .nan
            let peak = object?["peak_rss_mb"] as? Double ?? .nan
            // The exact end-to-end rate over the list as given: measured above unless --files changed the count.
            let measured = configurations.firstIndex { $0.count == files.count && !$0.fast }.map { BenchSupport.median(rates[$0]) }
            let ours = try measured ?? endToEnd(files: files, count: files.count, threads: threadCount, fast: false).rate
            print(String(format: "seed Python loop (Pillow + ORT): %7.1f images/s  peak %.0f MB  -> imgvec end to end is %.2fx", rate, peak, ours / rate))
        }
    }

    /// Recipes scripts/seed_loop_bench.py reproduces with Pillow.
    static let pythonRecipes = ["torchvision", "keras-vgg16"]

    /// The engine alone on one batch of already-preprocessed images, loaded once.
    private struct EngineOnly {
        let inference: InferenceModel
        let tensor: Tensor
        let images: Int

        init(model: String, files: [String], batch: Int, threads: Int, recipe: PreprocessingRecipe) throws {
            inference = try InferenceModel(contentsOf: URL(fileURLWithPath: model), options: SessionOptions(threadCount: threads))
            let recipe = EmbeddingPipeline.recipe(recipe, adaptedTo: inference)
            let decoder = ImageDecoder(applyEXIFOrientation: recipe.applyEXIFOrientation)
            var prepared: [Tensor] = []
            for path in files where prepared.count < batch {
                if let decoded = try? decoder.decode(contentsOf: URL(fileURLWithPath: path)), let t = try? recipe.apply(to: decoded.image) {
                    prepared.append(t)
                }
            }
            guard let first = prepared.first else { throw ValidationError("no decodable image") }
            tensor = Tensor(zeros: [prepared.count] + first.shape)
            for (row, image) in prepared.enumerated() {
                (tensor.floatPointer + row * first.count).update(from: image.floatPointer, count: first.count)
            }
            images = prepared.count
            _ = try inference.run(tensor)
        }

        /// Images per second: the batch size over the median time of at least 4 batches
        /// (and at least ~128 images).
        func rate() throws -> Double {
            var seconds: [Double] = []
            for _ in 0..<max(4, 128 / images) {
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try inference.run(tensor)
                seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
            return Double(images) / BenchSupport.median(seconds)
        }
    }

    private func endToEnd(files: [String], count: Int, threads: Int, fast: Bool) throws -> (rate: Double, peak: Double) {
        let list = FileManager.default.temporaryDirectory.appendingPathComponent("imgvec-bench-\(UUID().uuidString).txt")
        let entries = (0..<count).map { files[$0 % files.count] }
        try entries.joined(separator: "\n").write(to: list, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: list) }
        var arguments = ["bench-embed-worker", list.path, "--model", model, "--batch", "\(batch)", "--threads", "\(threads)",
                         "--recipe", recipe]
        if fast { arguments.append("--fast-jpeg") }
        let output = try BenchSupport.run(executable: BenchSupport.selfExecutable, arguments: arguments)
        let object = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
        return (object?["images_per_second"] as? Double ?? .nan, object?["peak_rss_mb"] as? Double ?? .nan)
    }
}

/// `imgvec bench-embed-worker LIST`: the pipeline over a list of paths (repeats allowed), null sink.
struct BenchEmbedWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench-embed-worker", shouldDisplay: false)
    @Argument var list: String
    @Option var model: String
    @Option var batch: Int
    @Option var threads: Int
    @Option var decodeThreads: Int?
    @Flag var fastJPEG = false
    @Option var recipe = "torchvision"

    func run() throws {
        let paths = try String(contentsOfFile: list, encoding: .utf8).split(separator: "\n").map(String.init)
        let inference = try InferenceModel(contentsOf: URL(fileURLWithPath: model), options: SessionOptions(threadCount: threads))
        let pipeline = EmbeddingPipeline(model: inference, options: EmbeddingOptions(recipe: try RecipeResolver.resolve(recipe), batchSize: batch,
            decodeThreads: decodeThreads ?? ProcessInfo.processInfo.activeProcessorCount, fastJPEG: fastJPEG))
        let start = DispatchTime.now().uptimeNanoseconds
        let progress = try pipeline.run(paths: paths, onBatch: { _ in })
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let object: [String: Any] = ["images_per_second": Double(progress.embedded) / seconds, "seconds": seconds,
                                     "embedded": progress.embedded, "peak_rss_mb": ResourceUsage.peakResidentMegabytes]
        print(String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self))
    }
}
