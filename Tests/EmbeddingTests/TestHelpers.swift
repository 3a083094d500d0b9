import Foundation
@testable import Embedding
import Tensor
import TestSupport

/// A fresh temporary folder, removed by the caller with `cleanUp()`.
struct TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("imgvec-embedding-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    func cleanUp() { try? FileManager.default.removeItem(at: url) }
}

enum Sample {
    static func provenance(dimension: Int = 4, modelSHA: String = String(repeating: "ab", count: 32),
                           modelName: String = "resnet18", recipe: String = "torchvision") -> CollectionProvenance {
        CollectionProvenance(modelSHA256: modelSHA, modelName: modelName, recipeName: recipe,
                             recipeJSON: #"{"name":"\#(recipe)","size":224}"#, outputNode: "pool",
                             pooling: "mean", normalized: true, dimension: dimension)
    }

    static func record(_ path: String, size: Int64 = 1000, mtime: Int64 = 1_700_000_000_000_000_000,
                       width: Int? = 640, height: Int? = 480) -> ImageRecord {
        ImageRecord(path: path, byteSize: size, modificationTimeNanoseconds: mtime,
                    contentSHA256: String(repeating: "0", count: 63) + "1", width: width, height: height)
    }

    /// `count` images "img/NNN.jpg" with random vectors of `dimension` floats.
    static func batch(_ count: Int, dimension: Int = 4, seed: UInt64 = 1, prefix: String = "img/") -> [EmbeddedImage] {
        var random = SeededGenerator(seed: seed)
        return (0..<count).map { i in
            EmbeddedImage(record: record(prefix + String(format: "%03d.jpg", i)),
                          vector: random.floats(dimension))
        }
    }
}
