import Foundation
import Graph
import Imaging
import Tensor

/// The folder-to-vectors pipeline: parallel decoding and preprocessing (bounded,
/// in order) feeding batched inference, pooling and a sink, with per-file errors.
///
/// Decoding runs on `decodeThreads` worker threads while the engine runs the
/// previous batch, so decoding overlaps inference; at most two batches of
/// preprocessed images wait in memory, so memory stays flat for any number of files.
public final class EmbeddingPipeline: @unchecked Sendable {
    public let model: InferenceModel
    public let options: EmbeddingOptions
    private let recipe: PreprocessingRecipe
    private let decoder: ImageDecoder

    /// `recipe` with its tensor layout (CHW or HWC) set to what `model`'s 4-D input takes.
    public static func recipe(_ recipe: PreprocessingRecipe, adaptedTo model: InferenceModel) -> PreprocessingRecipe {
        var recipe = recipe
        if let shape = model.graph.inputs.first?.shape, shape.count == 4 {
            if shape[1].value == 3 { recipe.layout = .chw } else if shape[3].value == 3 { recipe.layout = .hwc }
        }
        return recipe
    }

    /// Prepares a pipeline for `model`, adapting the recipe's layout to the model input.
    public init(model: InferenceModel, options: EmbeddingOptions) {
        self.model = model
        self.options = options
        let recipe = Self.recipe(options.recipe, adaptedTo: model)
        self.recipe = recipe
        self.decoder = ImageDecoder(maxPixels: options.maxPixels, applyEXIFOrientation: recipe.applyEXIFOrientation)
    }

    /// How much lower the decoding threads' priority is than the engine's (Linux nice values):
    /// `IMGVEC_DECODE_NICE`, else 10. When decoding and inference share the cores, the engine's
    /// threads are the critical path (a preempted one stalls its batch); decoding, two batches
    /// ahead, runs in the engine's gaps and still keeps up. VGG16 at batch 16 on 2 cores with the
    /// Keras recipe, 6 alternating runs of 400 photos: 15.2 images/s at equal priority, 16.8 at 10.
    static let decodeNiceness: Int32 = ProcessInfo.processInfo.environment["IMGVEC_DECODE_NICE"].flatMap { Int32($0) } ?? 10

    private enum Prepared {
        case ready(record: ImageRecord, tensor: Tensor)
        case failed(EmbeddingFailure)
    }

    /// Embeds `paths` in order. `onBatch` receives each batch's results (in order);
    /// `onFailure` each file that could not be embedded; `shouldStop` is polled
    /// between files (a stop abandons the unfinished batch). Errors thrown by the
    /// model or a sink end the run.
    @discardableResult
    public func run(paths: [String],
                    onBatch: ([EmbeddedImage]) throws -> Void,
                    onFailure: (EmbeddingFailure) -> Void = { _ in },
                    onProgress: (EmbeddingProgress) -> Void = { _ in },
                    shouldStop: () -> Bool = { false }) throws -> EmbeddingProgress {
        let start = Date()
        var progress = EmbeddingProgress(total: paths.count, embedded: 0, failed: 0, elapsedSeconds: 0)
        let queue = OrderedWorkQueue<Prepared>(count: paths.count, workers: options.decodeThreads,
                                               window: 2 * options.batchSize, workerNiceness: Self.decodeNiceness) { [self] index in
            prepare(paths[index])
        }
        defer { queue.cancel() }
        var pending: [(ImageRecord, Tensor)] = []
        func flush() throws {
            guard !pending.isEmpty else { return }
            let items = try embed(pending)
            pending.removeAll(keepingCapacity: true)
            try onBatch(items)
            progress.embedded += items.count
        }
        while let item = queue.next() {
            if shouldStop() { break }
            switch item {
            case let .failed(failure):
                progress.failed += 1
                onFailure(failure)
            case let .ready(record, tensor):
                pending.append((record, tensor))
                if pending.count == options.batchSize { try flush() }
            }
            progress.elapsedSeconds = Date().timeIntervalSince(start)
            onProgress(progress)
        }
        if !shouldStop() { try flush() }
        progress.elapsedSeconds = Date().timeIntervalSince(start)
        onProgress(progress)
        return progress
    }

    /// Reads, fingerprints, decodes and preprocesses one file (runs on a worker thread).
    private func prepare(_ path: String) -> Prepared {
        let url = URL(fileURLWithPath: path)
        let data: Data
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot read file" : "no such file"
            return .failed(EmbeddingFailure(path: path, reason: reason))
        }
        do {
            let draft = options.fastJPEG ? recipe.minimumDecodeSize : nil
            let prepared = try decoder.decodePrepared(data: data, name: path, recipe: recipe, draftSize: draft)
            let tensor = try recipe.tensor(fromPrepared: prepared.pixels)
            let stat = FileStat.of(path) ?? FileStat(byteSize: Int64(data.count), modificationTimeNanoseconds: 0)
            let record = ImageRecord(path: path, byteSize: stat.byteSize,
                                     modificationTimeNanoseconds: stat.modificationTimeNanoseconds,
                                     contentSHA256: ContentHash.hexDigest(of: data),
                                     width: prepared.decodedWidth, height: prepared.decodedHeight)
            return .ready(record: record, tensor: tensor)
        } catch let error as ImageDecodingError {
            return .failed(EmbeddingFailure(path: path, reason: error.reason))
        } catch {
            return .failed(EmbeddingFailure(path: path, reason: "\(error)"))
        }
    }

    /// Runs one batch through the model, pooling and normalisation.
    private func embed(_ items: [(ImageRecord, Tensor)]) throws -> [EmbeddedImage] {
        let itemShape = items[0].1.shape
        let batch = Tensor(zeros: [items.count] + itemShape)
        let stride = items[0].1.count
        for (row, item) in items.enumerated() {
            (batch.floatPointer + row * stride).update(from: item.1.floatPointer, count: stride)
        }
        var vectors = try options.pooling.apply(to: model.run(batch, output: options.outputNode))
        if options.normalize { vectors = VectorNormalization.l2Normalize(vectors) }
        let width = vectors.count / items.count
        let values = vectors.toFloats()
        return items.enumerated().map { row, item in
            EmbeddedImage(record: item.0, vector: Array(values[row * width..<(row + 1) * width]))
        }
    }
}

extension EmbeddingPipeline {
    /// Runs one blank image through the model and pooling to learn the vector length
    /// (and to fail fast on a bad `--node` or pooling before any file is decoded).
    public func probeDimension() throws -> Int {
        guard let declared = model.graph.inputs.first, let dims = declared.shape else {
            throw GraphError.malformed("the model declares no input shape")
        }
        let crop = recipe.centerCrop
        let shape = dims.enumerated().map { index, dim -> Int in
            if index == 0 { return 1 }
            if let value = dim.value { return value }
            // Symbolic spatial size: take it from the recipe's crop.
            let spatial = recipe.layout == .chw ? index - 2 : index - 1
            return spatial == 0 ? (crop?.height ?? 224) : (crop?.width ?? 224)
        }
        var vectors = try options.pooling.apply(to: model.run(Tensor(zeros: shape), output: options.outputNode))
        if options.normalize { vectors = VectorNormalization.l2Normalize(vectors) }
        return vectors.count
    }
}
