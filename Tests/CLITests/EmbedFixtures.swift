import Foundation
import Imaging
import Tensor
import TestSupport

/// Images, model and reference embeddings for the end-to-end `embed` tests; all in the
/// repository, so these tests run on a fresh clone.
enum EmbedFixtures {
    static let images = Fixtures.repositoryRoot.appendingPathComponent("Tests/ImagingTests/Fixtures/images")
    static let subset = Fixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/shared-subset")
    static let model = subset.appendingPathComponent("models/mobilenet_v3_small_features.onnx").path
    static let corruptStems: Set<String> = ["corrupt_bad_crc", "corrupt_empty", "corrupt_random", "corrupt_truncated"]

    /// The fixture image files (valid and corrupt), top level only.
    static func imageFiles() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: images, includingPropertiesForKeys: [.isRegularFileKey])
            .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true && $0.pathExtension != "json" }
            .sorted { $0.path < $1.path }
    }

    /// A fresh folder holding copies of `files` (optionally renamed by `name`).
    static func folder(with files: [URL], name: (URL) -> String = { $0.lastPathComponent }) throws -> URL {
        let directory = try CommandRunner.temporaryDirectory()
        for file in files { try FileManager.default.copyItem(at: file, to: directory.appendingPathComponent(name(file))) }
        return directory
    }

    static func isCorrupt(_ url: URL) -> Bool {
        corruptStems.contains { url.lastPathComponent.hasPrefix($0) }
    }

    /// ONNX Runtime's embedding of the fixture image `stem` by the test model, with the
    /// tolerance that applies (imgvec decodes 16-bit gray by the high byte: the @msb reference).
    static func reference(for stem: String) throws -> (vector: [Float], tolerance: Float) {
        let folder = subset.appendingPathComponent("reference/embeddings/mobilenet_v3_small_features")
        let file = stem == "png_gray16" ? "png_gray16@msb.npy" : "\(stem).npy"
        let vector = try NumPyFile.read(folder.appendingPathComponent(file)).toFloats()
        return (vector, stem == "tiny_1x1" ? 2e-3 : 3e-5)
    }

    /// A resized copy of `source`, re-encoded as PNG (a near-duplicate for dedup tests).
    static func writeResizedCopy(of source: URL, to target: URL, scale: Double) throws {
        let image = try ImageDecoder().decode(contentsOf: source).image
        let resized = try PillowResampler.resize(image, width: Int(Double(image.width) * scale),
                                                 height: Int(Double(image.height) * scale), interpolation: .bilinear)
        try PNGEncoder.write(resized, to: target)
    }
}
