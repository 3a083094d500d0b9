import ArgumentParser
import Foundation
import ImgVec

/// `imgvec preprocess IMAGE... --recipe NAME --output T.npy`: the exact tensor a model would see.
struct PreprocessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preprocess",
        abstract: "Decode and preprocess images into the batch tensor a model would receive.",
        discussion: """
        Writes float32 [N, ...] in the recipe's layout (CHW or HWC), rows in argument order, as
        NumPy .npy, so imgvec's preprocessing can be diffed against any other framework.
        Recipes: \(PreprocessingRecipe.presetNames.joined(separator: ", ")), or a JSON file
        (a saved recipe, a Hugging Face preprocessor_config.json or a timm pretrained_cfg).
        Example: imgvec preprocess cat.jpg dog.png --recipe torchvision --output batch.npy
        """
    )

    @Argument(help: "Image files (JPEG, PNG, WebP, GIF, BMP, TIFF).")
    var images: [String]

    @Option(help: "Recipe preset name or JSON file.")
    var recipe = "torchvision"

    @Option(help: "Where to write the batch tensor (.npy).")
    var output: String

    @Option(help: "Decoding threads (default: one per core).")
    var threads: Int?

    @Flag(inversion: .prefixedNo, help: "Apply EXIF orientation (default: as the recipe says).")
    var exif: Bool?

    @Flag(help: "Reproduce Pillow's 16-bit grayscale quirk (clip to 255) instead of using the high byte.")
    var pillow16BitClip = false

    @Flag(help: "Decode large JPEGs at a reduced DCT scale (faster, slightly different pixels).")
    var fastJPEG = false

    func validate() throws {
        guard !images.isEmpty else { throw ValidationError("give at least one image") }
    }

    func run() throws {
        var resolved = try RecipeResolver.resolve(recipe)
        if let exif { resolved.applyEXIFOrientation = exif }
        let decoder = ImageDecoder(applyEXIFOrientation: resolved.applyEXIFOrientation,
                                   sixteenBitGray: pillow16BitClip ? .pillowClip : .highByte)
        let draft = fastJPEG ? resolved.minimumDecodeSize : nil
        let builder = BatchPreprocessor(recipe: resolved, threads: threads ?? ProcessInfo.processInfo.activeProcessorCount)
        let batch: Tensor
        do {
            batch = try builder.makeBatch(count: images.count) { index in
                let url = URL(fileURLWithPath: images[index])
                if let draft { return try decoder.decode(contentsOf: url, draftSize: draft).image }
                return try decoder.decode(contentsOf: url).image
            }
        } catch let error as BatchPreprocessingError {
            if error.underlying is ImageDecodingError { throw CLIError(String(describing: error.underlying)) }
            throw CLIError("\(images[error.index]): \(error.underlying)")
        }
        try NumPyFile.write(batch, to: URL(fileURLWithPath: output))
    }
}
