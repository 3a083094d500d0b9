import Dispatch
import Foundation
import Tensor

/// A failure while building a batch: which image (0-based) and why.
public struct BatchPreprocessingError: Error, CustomStringConvertible {
    /// Index of the image that failed.
    public let index: Int
    /// What went wrong (the loader's error or a ``PreprocessingError``).
    public let underlying: Error

    public var description: String { "image \(index): \(underlying)" }
}

/// Preprocesses many images in parallel straight into one contiguous `[N, ...]` tensor.
public struct BatchPreprocessor: Sendable {
    public let recipe: PreprocessingRecipe
    /// Number of images processed concurrently (at least 1).
    public let threads: Int

    /// `threads` defaults to the number of active processors.
    public init(recipe: PreprocessingRecipe, threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.recipe = recipe
        self.threads = max(1, threads)
    }

    /// Loads image `i` with `load(i)` for `i` in `0..<count` (called concurrently from up to
    /// ``threads`` threads) and writes its tensor into row `i` of a float32 batch of shape
    /// `[count] + recipe's tensor shape`.
    ///
    /// The recipe must have a fixed output size (a centre crop or an exact resize). On failure
    /// throws a ``BatchPreprocessingError`` naming the lowest failing index.
    public func makeBatch(count: Int, load: (Int) throws -> RGBImage) throws -> Tensor {
        try recipe.validate()
        guard count >= 0 else { throw PreprocessingError.invalidSize("batch of \(count) images") }
        guard let size = recipe.fixedOutputSize else {
            throw PreprocessingError.invalidRecipe(field: "centerCrop",
                reason: "a batch needs a fixed output size: add a centre crop or an exact resize")
        }
        let itemShape = recipe.tensorShape(width: size.width, height: size.height)
        let batch = Tensor(zeros: [count] + itemShape)
        let itemCount = itemShape.reduce(1, *)
        let table = NormalizationTable(recipe)
        let base = batch.floatPointer
        let lock = NSLock()
        var failures: [(Int, Error)] = []
        let workers = min(threads, max(count, 1))

        withoutActuallyEscaping(load) { load in
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                var index = worker
                while index < count {
                    lock.lock(); let stop = !failures.isEmpty; lock.unlock()
                    if stop { return }
                    do {
                        let prepared = try recipe.preparedImage(try load(index))
                        guard prepared.width == size.width, prepared.height == size.height else {
                            throw PreprocessingError.invalidSize(
                                "produced \(prepared.width)×\(prepared.height), expected \(size.width)×\(size.height)")
                        }
                        table.write(prepared, into: base + index * itemCount, layout: recipe.layout)
                    } catch {
                        lock.lock(); failures.append((index, error)); lock.unlock()
                        return
                    }
                    index += workers
                }
            }
        }
        if let first = failures.min(by: { $0.0 < $1.0 }) {
            throw BatchPreprocessingError(index: first.0, underlying: first.1)
        }
        return batch
    }
}
