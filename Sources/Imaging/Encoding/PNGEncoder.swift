import CPNG
import Foundation

/// Writes RGB images as 8-bit PNG files (libpng's simplified API), for contact sheets
/// and other pictures imgvec makes for people to look at.
public enum PNGEncoder {
    /// Writes `image` to `url` as an 8-bit RGB PNG.
    public static func write(_ image: RGBImage, to url: URL) throws {
        guard image.width > 0, image.height > 0 else {
            throw ImageEncodingError(path: url.path, reason: "cannot write an empty image")
        }
        var png = png_image()
        png.version = png_uint_32(PNG_IMAGE_VERSION)
        png.width = png_uint_32(image.width)
        png.height = png_uint_32(image.height)
        png.format = png_uint_32(PNG_FORMAT_RGB)
        let ok = image.pixels.withUnsafeBytes { pixels in
            png_image_write_to_file(&png, url.path, 0, pixels.baseAddress, png_int_32(image.width * 3), nil)
        }
        defer { png_image_free(&png) }
        guard ok != 0 else {
            let message = withUnsafeBytes(of: png.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            throw ImageEncodingError(path: url.path, reason: message.isEmpty ? "libpng could not write the file" : message)
        }
    }
}

/// An image could not be written.
public struct ImageEncodingError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
}
