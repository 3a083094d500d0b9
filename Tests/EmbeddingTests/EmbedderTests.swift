import Embedding
import Foundation
import Tensor
import Testing
import TestSupport

/// The async library API on real files: vectors match ONNX Runtime, bad files fail alone.
@Suite struct EmbedderTests {
    static let subset = Fixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/shared-subset")
    static let images = Fixtures.repositoryRoot.appendingPathComponent("Tests/ImagingTests/Fixtures/images")

    @Test func embedsURLsInOrderAndReportsBadFilesAlone() async throws {
        let embedder = try Embedder(model: Self.subset.appendingPathComponent("models/mobilenet_v3_small_features.onnx"),
                                    options: EmbeddingOptions(batchSize: 2), threads: 2)
        #expect(try embedder.dimension() == 576)
        let names = ["png_rgb.png", "corrupt_truncated.jpg", "jpeg_baseline.jpg", "does_not_exist.png", "gif_2frames.gif"]
        let results = try await embedder.embed(names.map { Self.images.appendingPathComponent($0) })
        #expect(results.map(\.url.lastPathComponent) == names)
        #expect(results[1].vector == nil && results[3].vector == nil)
        if case let .failure(failure) = results[1].outcome { #expect(failure.description.contains("corrupt_truncated.jpg: ")) }
        for index in [0, 2, 4] {
            let stem = URL(fileURLWithPath: names[index]).deletingPathExtension().lastPathComponent
            let expected = try NumPyFile.read(Self.subset.appendingPathComponent(
                "reference/embeddings/mobilenet_v3_small_features/\(stem).npy")).toFloats()
            let vector = try #require(results[index].vector)
            #expect(Comparison.maxAbsDifference(vector, expected) <= 3e-5, "\(stem)")
        }
    }
}
