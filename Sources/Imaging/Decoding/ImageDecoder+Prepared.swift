import Foundation

/// A file decoded and prepared for a recipe in one step (see
/// ``ImageDecoder/decodePrepared(data:name:recipe:draftSize:)``).
public struct PreparedImage: Sendable, Equatable {
    /// The recipe's 8-bit pixels: resized and centre-cropped, not yet normalised.
    public var pixels: RGBImage
    public var format: ImageFormat
    /// The decoded image's size (after EXIF orientation and any JPEG draft scaling).
    public var decodedWidth: Int
    public var decodedHeight: Int
}

extension ImageDecoder {
    /// Decodes `data` and prepares it for `recipe`: the same pixels as
    /// `recipe.preparedImage(decode(data:name:).image)` (or with `draftSize`, as the draft
    /// decode), but JPEGs are streamed through the resize so that a large photo is never held
    /// whole. Errors name `name`, like ``decode(data:name:)``.
    public func decodePrepared(data: Data, name: String, recipe: PreprocessingRecipe,
                               draftSize: (width: Int, height: Int)? = nil) throws -> PreparedImage {
        let bytes = [UInt8](data)
        if let streamed = try namingFailures(name, {
            try StreamingJPEGPreparation.prepare(bytes, recipe: recipe, draft: draftSize, decoder: self)
        }) {
            return streamed
        }
        let decoded = try decode(bytes: bytes, name: name, draft: draftSize)
        return PreparedImage(pixels: try recipe.preparedImage(decoded.image), format: decoded.format,
                             decodedWidth: decoded.image.width, decodedHeight: decoded.image.height)
    }
}
