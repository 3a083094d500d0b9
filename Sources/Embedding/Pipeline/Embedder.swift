import Foundation
import Graph
import Imaging

/// The library entry point for Swift programs: URLs in, vectors out, batched.
///
/// ```swift
/// let embedder = try Embedder(model: URL(fileURLWithPath: "resnet18.onnx"),
///                             options: EmbeddingOptions(pooling: .avg, normalize: true))
/// for result in try await embedder.embed([photoA, photoB]) {
///     switch result.outcome {
///     case .success(let vector): print(result.url.lastPathComponent, vector.count)
///     case .failure(let error): print(error) // "path: reason"; the other files still embed
///     }
/// }
/// ```
/// Files are decoded in parallel and run through the model in batches of
/// ``EmbeddingOptions/batchSize``; a file that cannot be read or decoded fails alone.
/// Calls are serialised: one batch job at a time per embedder.
public final class Embedder: @unchecked Sendable {
    /// One input's result, in input order.
    public struct Result: Sendable {
        public let url: URL
        public let outcome: Swift.Result<[Float], EmbeddingFailure>
        /// The vector, or `nil` when the file failed.
        public var vector: [Float]? { try? outcome.get() }
    }

    public let model: InferenceModel
    public let options: EmbeddingOptions
    private let pipeline: EmbeddingPipeline
    private let queue = DispatchQueue(label: "imgvec.Embedder")

    /// Loads `model` (an ONNX file) for embedding with `options`.
    public init(model url: URL, options: EmbeddingOptions = EmbeddingOptions(), threads: Int? = nil) throws {
        self.model = try InferenceModel(contentsOf: url, options: SessionOptions(threadCount: threads))
        self.options = options
        self.pipeline = EmbeddingPipeline(model: model, options: options)
    }

    /// Uses an already loaded model.
    public init(model: InferenceModel, options: EmbeddingOptions = EmbeddingOptions()) {
        self.model = model
        self.options = options
        self.pipeline = EmbeddingPipeline(model: model, options: options)
    }

    /// The length of the vectors this embedder produces.
    public func dimension() throws -> Int { try pipeline.probeDimension() }

    /// Embeds `urls` (off the caller's thread) and returns one result per URL, in order.
    /// Throws only for failures of the model itself, never for a bad image.
    public func embed(_ urls: [URL]) async throws -> [Result] {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { [self] in
                continuation.resume(with: Swift.Result { try embedSynchronously(urls) })
            }
        }
    }

    /// The blocking form of ``embed(_:)``.
    public func embedSynchronously(_ urls: [URL]) throws -> [Result] {
        var outcomes: [String: Swift.Result<[Float], EmbeddingFailure>] = [:]
        let paths = urls.map(\.path)
        try pipeline.run(paths: paths,
                         onBatch: { batch in for item in batch { outcomes[item.record.path] = .success(item.vector) } },
                         onFailure: { failure in outcomes[failure.path] = .failure(failure) })
        return urls.map { url in
            Result(url: url, outcome: outcomes[url.path] ?? .failure(EmbeddingFailure(path: url.path, reason: "not processed")))
        }
    }
}
