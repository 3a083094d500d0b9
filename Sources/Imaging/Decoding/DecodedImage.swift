/// The result of decoding one file.
public struct DecodedImage: Sendable, Equatable {
    /// The pixels as Pillow's `convert('RGB')` gives them, after the EXIF orientation
    /// when the decoder applied it.
    public var image: RGBImage
    public var format: ImageFormat
    /// Pillow's mode name for the stored pixels: "RGB", "L", "P", "RGBA", "LA", "CMYK", "I;16", "1".
    public var mode: String
    /// The EXIF Orientation tag (1-8); 1 when there is none or it is invalid.
    public var exifOrientation: Int
    /// The size as stored in the file (before any orientation or draft scaling).
    public var storedWidth: Int
    public var storedHeight: Int
}

/// What a format decoder hands back before orientation is applied.
struct RawDecode {
    var image: RGBImage
    var mode: String
    var storedWidth: Int
    var storedHeight: Int
}
