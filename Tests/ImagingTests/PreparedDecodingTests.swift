import Foundation
import Imaging
import Testing

/// `decodePrepared` (JPEGs streamed through the resize) must give exactly the pixels, sizes and
/// errors of decoding fully and then calling `preparedImage`.
@Suite struct PreparedDecodingTests {
    static let recipes: [(String, PreprocessingRecipe)] = [
        ("torchvision bilinear 256/224", .torchvision),
        ("clip bicubic 224/224", .clip),
        ("exact 97x61 lanczos, no crop", PreprocessingRecipe(resize: .exact(width: 97, height: 61), interpolation: .lanczos,
                                                              scale: 1.0 / 255, mean: [0, 0, 0], std: [1, 1, 1])),
        ("width kept, height changed", PreprocessingRecipe(resize: .exact(width: 640, height: 100), interpolation: .bilinear,
                                                           scale: 1.0 / 255, mean: [0, 0, 0], std: [1, 1, 1])),
        ("no resize, crop 64", PreprocessingRecipe(resize: .none, interpolation: .bilinear, centerCrop: .init(64),
                                                   scale: 1.0 / 255, mean: [0, 0, 0], std: [1, 1, 1])),
        ("crop larger than the image", PreprocessingRecipe(resize: .shorterSide(40), interpolation: .box, centerCrop: .init(80),
                                                           scale: 1.0 / 255, mean: [0, 0, 0], std: [1, 1, 1])),
        // Nearest: only the sampled source rows are reconstructed (the others skipped).
        ("keras nearest 224x224", .kerasVGG16),
        ("nearest upscale, repeated rows", PreprocessingRecipe(resize: .exact(width: 500, height: 900), interpolation: .nearest,
                                                              scale: 1.0 / 255, mean: [0, 0, 0], std: [1, 1, 1])),
        ("nearest shorter side 50, crop 40", PreprocessingRecipe(resize: .shorterSide(50), interpolation: .nearest,
                                                                 centerCrop: .init(40), scale: 1.0 / 255, mean: [0, 0, 0],
                                                                 std: [1, 1, 1])),
    ]

    static var files: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: DecodingFixtures.directory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") && !["decoded", "synthetic", "expected.json"].contains($0) }.sorted()
    }

    @Test(arguments: [false, true])
    func matchesDecodeThenPrepare(draft: Bool) throws {
        #expect(Self.files.count >= 25)
        var streamedJPEGs = 0
        for name in Self.files {
            let data = try Data(contentsOf: DecodingFixtures.url(name))
            for (label, recipe) in Self.recipes {
                for exif in [true, false] {
                    let decoder = ImageDecoder(applyEXIFOrientation: exif)
                    let draftSize = draft ? recipe.minimumDecodeSize : nil
                    let expected: Result<(RGBImage, Int, Int), Error> = Result {
                        let decoded = try draftSize.map { try decoder.decode(data: data, name: name, draftSize: $0) }
                            ?? decoder.decode(data: data, name: name)
                        return (try recipe.preparedImage(decoded.image), decoded.image.width, decoded.image.height)
                    }
                    let actual = Result { try decoder.decodePrepared(data: data, name: name, recipe: recipe, draftSize: draftSize) }
                    switch (expected, actual) {
                    case let (.success(want), .success(got)):
                        #expect(got.pixels == want.0, "\(name), \(label), exif \(exif), draft \(draft)")
                        #expect(got.decodedWidth == want.1 && got.decodedHeight == want.2, "\(name), \(label)")
                        if name.hasSuffix(".jpg") { streamedJPEGs += 1 }
                    case let (.failure(want as ImageDecodingError), .failure(got as ImageDecodingError)):
                        #expect(got.kind == want.kind && got.path == name, "\(name): \(got) vs \(want)")
                    case let (.failure(want), .failure(got)):
                        #expect("\(type(of: got))" == "\(type(of: want))", "\(name): \(got) vs \(want)")
                    default:
                        Issue.record("\(name), \(label), exif \(exif): expected \(expected), got \(actual)")
                    }
                }
            }
        }
        #expect(streamedJPEGs > 50)
    }
}
