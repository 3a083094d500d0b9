import Foundation
import Testing
import Tensor
import TestSupport
@testable import Imaging

/// The seed recipes applied to reference decoded pixels must reproduce the reference tensors
/// bit for bit (decoder-independent: the inputs are Pillow's decoded uint8 pixels).
@Suite("Seed recipes are bit-exact")
struct PreprocessingSeedRecipeTests {
    /// The 9 lossy images whose Pillow decode is in ../shared/fixtures/reference/decoded.
    static let decodedStems = ["jpeg_baseline", "jpeg_progressive", "jpeg_gray", "jpeg_cmyk", "jpeg_420_odd",
                               "jpeg_444", "webp_lossy", "china", "flower"]

    @Test("torchvision and keras-vgg16 on every shared decoded image equal the reference tensors")
    func sharedReferenceTensors() throws {
        guard Fixtures.sharedFile("reference/decoded/china.rgb.npy") != nil else { return }
        for stem in Self.decodedStems {
            let input = try PreprocessingFixtures.image(at: try #require(Fixtures.sharedFile("reference/decoded/\(stem).rgb.npy")))
            for (preset, suffix) in [("torchvision", "torch"), ("keras-vgg16", "keras")] {
                let expected = try PreprocessingFixtures.floats(at: try #require(Fixtures.sharedFile("reference/tensors/\(stem).\(suffix).npy")))
                let actual = try PreprocessingRecipe.preset(named: preset).apply(to: input)
                #expect(actual.shape == expected.shape, "\(stem) \(preset)")
                let diff = PreprocessingFixtures.mismatches(actual.toFloats(), expected.values)
                #expect(diff.count == 0, "\(stem) \(preset): \(diff.count) elements differ (first at \(diff.first ?? -1))")
            }
        }
    }

    /// Committed inputs (work on a fresh clone): jpeg_420_odd (odd size, half-even crop), png_small_odd
    /// (upsampling 97×61 -> 407×256), tiny_1x1. The expected tensors are rebuilt from the expected uint8
    /// pixels with lookup tables that the generator verified against every reference tensor.
    @Test("committed seed inputs reproduce the committed expectations", arguments: ["jpeg_420_odd", "png_small_odd", "tiny_1x1"])
    func committedExpectations(stem: String) throws {
        let input = try PreprocessingFixtures.image(at: PreprocessingFixtures.url("seed/\(stem).rgb.npy"))
        let torchCrop = try PreprocessingFixtures.image(at: PreprocessingFixtures.url("seed/\(stem).torch_crop.npy"))
        let kerasPixels = try PreprocessingFixtures.image(at: PreprocessingFixtures.url("seed/\(stem).keras_pixels.npy"))
        let torchLUT = try PreprocessingFixtures.floats(at: PreprocessingFixtures.url("seed/torch_lut.npy")).values
        let kerasLUT = try PreprocessingFixtures.floats(at: PreprocessingFixtures.url("seed/keras_lut.npy")).values

        #expect(try PreprocessingRecipe.torchvision.preparedImage(input) == torchCrop, "\(stem): torchvision crop pixels")
        #expect(try PreprocessingRecipe.kerasVGG16.preparedImage(input) == kerasPixels, "\(stem): keras resized pixels")

        // Expected tensors from the pixels: torch CHW RGB, keras HWC BGR.
        var torchExpected = [Float](repeating: 0, count: 3 * 224 * 224)
        var kerasExpected = [Float](repeating: 0, count: 3 * 224 * 224)
        for i in 0..<(224 * 224) {
            for c in 0..<3 {
                torchExpected[c * 224 * 224 + i] = torchLUT[c * 256 + Int(torchCrop.pixels[i * 3 + c])]
                kerasExpected[i * 3 + c] = kerasLUT[c * 256 + Int(kerasPixels.pixels[i * 3 + (2 - c)])]
            }
        }
        let torch = try PreprocessingRecipe.torchvision.apply(to: input)
        let keras = try PreprocessingRecipe.kerasVGG16.apply(to: input)
        #expect(torch.shape == [3, 224, 224])
        #expect(keras.shape == [224, 224, 3])
        #expect(PreprocessingFixtures.mismatches(torch.toFloats(), torchExpected).count == 0, "\(stem) torch")
        #expect(PreprocessingFixtures.mismatches(keras.toFloats(), kerasExpected).count == 0, "\(stem) keras")

        if let reference = Fixtures.sharedFile("reference/tensors/\(stem).torch.npy") {
            let values = try PreprocessingFixtures.floats(at: reference).values
            #expect(PreprocessingFixtures.mismatches(torch.toFloats(), values).count == 0, "\(stem) torch vs shared")
        }
        if let reference = Fixtures.sharedFile("reference/tensors/\(stem).keras.npy") {
            let values = try PreprocessingFixtures.floats(at: reference).values
            #expect(PreprocessingFixtures.mismatches(keras.toFloats(), values).count == 0, "\(stem) keras vs shared")
        }
    }

    @Test("normalisation table equals the committed lookup tables")
    func lookupTables() throws {
        let torchLUT = try PreprocessingFixtures.floats(at: PreprocessingFixtures.url("seed/torch_lut.npy"))
        let kerasLUT = try PreprocessingFixtures.floats(at: PreprocessingFixtures.url("seed/keras_lut.npy"))
        #expect(torchLUT.shape == [3, 256])
        #expect(NormalizationTable(.torchvision).values.map(\.bitPattern) == PreprocessingFixtures.bits(torchLUT.values))
        #expect(NormalizationTable(.kerasVGG16).values.map(\.bitPattern) == PreprocessingFixtures.bits(kerasLUT.values))
    }
}
