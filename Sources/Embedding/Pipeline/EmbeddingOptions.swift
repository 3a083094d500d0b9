import Foundation
import Imaging

/// How `imgvec embed` (and ``Embedder``) turns images into vectors.
public struct EmbeddingOptions: Sendable {
    /// The preprocessing recipe (its layout is adapted to the model's input layout).
    public var recipe: PreprocessingRecipe
    /// The value to take from the model (default: its first output).
    public var outputNode: String?
    /// How the output becomes one vector per image.
    public var pooling: Pooling
    /// Scale each vector to unit L2 length.
    public var normalize: Bool
    /// Images per inference batch.
    public var batchSize: Int
    /// Threads decoding and preprocessing images (alongside the engine's threads).
    public var decodeThreads: Int
    /// Decode large JPEGs at a reduced DCT scale no smaller than the resize target
    /// (Pillow's `draft()`): much faster, slightly different pixels. Off by default.
    public var fastJPEG: Bool
    /// Decoder pixel limit (decompression-bomb guard).
    public var maxPixels: Int

    public static let defaultBatchSize = 16

    public init(recipe: PreprocessingRecipe = .torchvision, outputNode: String? = nil, pooling: Pooling = .none,
                normalize: Bool = false, batchSize: Int = EmbeddingOptions.defaultBatchSize,
                decodeThreads: Int = ProcessInfo.processInfo.activeProcessorCount, fastJPEG: Bool = false,
                maxPixels: Int = ImageDecoder.defaultMaxPixels) {
        self.recipe = recipe
        self.outputNode = outputNode
        self.pooling = pooling
        self.normalize = normalize
        self.batchSize = max(1, batchSize)
        self.decodeThreads = max(1, decodeThreads)
        self.fastJPEG = fastJPEG
        self.maxPixels = maxPixels
    }
}

/// A file that could not be embedded, and why.
public struct EmbeddingFailure: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
}

/// Counts of a pipeline run.
public struct EmbeddingProgress: Sendable {
    public var total: Int
    public var embedded: Int
    public var failed: Int
    public var elapsedSeconds: Double
    public var done: Int { embedded + failed }
    /// Files per second so far.
    public var rate: Double { elapsedSeconds > 0 ? Double(done) / elapsedSeconds : 0 }
}
