import Foundation
import Tensor
import Testing
import TestSupport

/// `imgvec preprocess` writes exactly the seed recipes' tensors.
@Suite struct PreprocessCommandTests {
    static let images = Fixtures.repositoryRoot.appendingPathComponent("Tests/ImagingTests/Fixtures/images")
    static let seed = Fixtures.repositoryRoot.appendingPathComponent("Tests/ImagingTests/Fixtures/preprocessing/seed")
    let stems = ["jpeg_420_odd", "png_small_odd", "tiny_1x1"]
    let files = ["jpeg_420_odd.jpg", "png_small_odd.png", "tiny_1x1.png"]

    @Test func torchvisionTensorsAreTheSeedRecipe() throws {
        let output = try CommandRunner.temporaryDirectory().appendingPathComponent("t.npy")
        let result = try CommandRunner.run(["preprocess"] + files.map { Self.images.appendingPathComponent($0).path }
                                           + ["--recipe", "torchvision", "--output", output.path])
        #expect(result.status == 0, "\(result.stderr)")
        let batch = try NumPyFile.read(output)
        #expect(batch.shape == [3, 3, 224, 224])
        let values = batch.toFloats()
        let mean: [Float] = [0.485, 0.456, 0.406], std: [Float] = [0.229, 0.224, 0.225]
        for (row, stem) in stems.enumerated() {
            // Always (fresh clone): the committed 224x224 uint8 crop through ToTensor + Normalize.
            let crop = try NumPyFile.read(Self.seed.appendingPathComponent("\(stem).torch_crop.npy")).toFloats()
            var expected = [Float](repeating: 0, count: 3 * 224 * 224)
            for y in 0..<224 { for x in 0..<224 { for c in 0..<3 {
                expected[c * 224 * 224 + y * 224 + x] = (crop[(y * 224 + x) * 3 + c] / 255 - mean[c]) / std[c]
            } } }
            let got = Array(values[row * 150_528..<(row + 1) * 150_528])
            #expect(got == expected, "\(stem) differs from the seed recipe")
            // With the shared fixtures: the reference tensor itself, bit for bit.
            if let reference = Fixtures.sharedFile("reference/tensors/\(stem).torch.npy") {
                #expect(got == (try NumPyFile.read(reference).toFloats()), "\(stem) differs from reference/tensors")
            }
        }
    }

    @Test func kerasTensorsAreHWCAndBGR() throws {
        let output = try CommandRunner.temporaryDirectory().appendingPathComponent("k.npy")
        let result = try CommandRunner.run(["preprocess"] + files.map { Self.images.appendingPathComponent($0).path }
                                           + ["--recipe", "keras-vgg16", "--output", output.path])
        #expect(result.status == 0, "\(result.stderr)")
        let batch = try NumPyFile.read(output)
        #expect(batch.shape == [3, 224, 224, 3])
        let values = batch.toFloats()
        for (row, stem) in stems.enumerated() {
            let pixels = try NumPyFile.read(Self.seed.appendingPathComponent("\(stem).keras_pixels.npy")).toFloats()
            let means: [Float] = [103.939, 116.779, 123.68]
            var expected = [Float](repeating: 0, count: 150_528)
            for i in 0..<224 * 224 { for c in 0..<3 { expected[i * 3 + c] = pixels[i * 3 + (2 - c)] - means[c] } }
            #expect(Array(values[row * 150_528..<(row + 1) * 150_528]) == expected, "\(stem)")
        }
    }

    @Test func anUnreadableImageIsAnErrorNamingTheFile() throws {
        let output = try CommandRunner.temporaryDirectory().appendingPathComponent("x.npy")
        let bad = Self.images.appendingPathComponent("corrupt_truncated.png").path
        let result = try CommandRunner.run(["preprocess", Self.images.appendingPathComponent("png_rgb.png").path, bad,
                                            "--output", output.path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("corrupt_truncated.png"))
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }
}
