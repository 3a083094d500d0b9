import Foundation

/// Decodes image files (JPEG, PNG, WebP, GIF, BMP, TIFF) into `RGBImage`s with
/// Pillow's `convert('RGB')` colour rules, using the system codec libraries.
///
/// ```swift
/// let decoded = try ImageDecoder().decode(contentsOf: url)
/// decoded.image   // RGBImage, EXIF orientation applied
/// ```
public struct ImageDecoder: Sendable {
    /// How 16-bit grayscale (Pillow mode "I;16") becomes 8-bit.
    public enum SixteenBitGray: Sendable {
        /// value >> 8: the sane choice (the fixtures' `*_msb` references).
        case highByte
        /// min(value, 255): Pillow's `I;16 -> RGB` conversion quirk, to reproduce it exactly.
        case pillowClip
    }

    /// Images with more pixels than this are refused from their header, before any pixel
    /// memory is allocated. Default: 2 x Pillow's `MAX_IMAGE_PIXELS` (its
    /// `DecompressionBombError` threshold).
    public var maxPixels: Int
    /// Rotate/flip by the EXIF Orientation tag, like `PIL.ImageOps.exif_transpose`.
    /// (TIFF files are always turned upright: Pillow applies their Orientation tag on load.)
    public var applyEXIFOrientation: Bool
    public var sixteenBitGray: SixteenBitGray

    public static let defaultMaxPixels = 178_956_970

    public init(maxPixels: Int = ImageDecoder.defaultMaxPixels, applyEXIFOrientation: Bool = true,
                sixteenBitGray: SixteenBitGray = .highByte) {
        self.maxPixels = maxPixels
        self.applyEXIFOrientation = applyEXIFOrientation
        self.sixteenBitGray = sixteenBitGray
    }

    /// Decodes the file at `url`; errors name its path.
    public func decode(contentsOf url: URL) throws -> DecodedImage {
        try decode(contentsOf: url, draft: nil)
    }

    /// Decodes the bytes of a file; `name` stands for the path in errors.
    public func decode(data: Data, name: String) throws -> DecodedImage {
        try decode(data: data, name: name, draft: nil)
    }

    /// Like `decode(contentsOf:)`, but lets JPEG decoding shrink by 1/2, 1/4 or 1/8 in
    /// the DCT (Pillow's `Image.draft`): the largest reduction that keeps both stored
    /// dimensions >= `draftSize`. Other formats decode at full size.
    public func decode(contentsOf url: URL, draftSize: (width: Int, height: Int)) throws -> DecodedImage {
        try decode(contentsOf: url, draft: draftSize)
    }

    /// `decode(data:name:)` with a JPEG draft size (see `decode(contentsOf:draftSize:)`).
    public func decode(data: Data, name: String, draftSize: (width: Int, height: Int)) throws -> DecodedImage {
        try decode(data: data, name: name, draft: draftSize)
    }

    private func decode(contentsOf url: URL, draft: (width: Int, height: Int)?) throws -> DecodedImage {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ImageDecodingError(path: url.path, kind: .unreadable,
                                     reason: "cannot read file (\(error.localizedDescription))")
        }
        return try decode(data: data, name: url.path, draft: draft)
    }

    private func decode(data: Data, name: String, draft: (width: Int, height: Int)?) throws -> DecodedImage {
        try decode(bytes: [UInt8](data), name: name, draft: draft)
    }

    /// Decodes a file's bytes; errors name `name`.
    func decode(bytes: [UInt8], name: String, draft: (width: Int, height: Int)?) throws -> DecodedImage {
        try namingFailures(name) { try decodeBytes(bytes, draft: draft) }
    }

    /// Runs `body`, turning a format decoder's failure into an ``ImageDecodingError`` naming `name`.
    func namingFailures<R>(_ name: String, _ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let failure as DecodingFailure {
            throw ImageDecodingError(path: name, kind: failure.kind, reason: failure.reason)
        }
    }

    private func decodeBytes(_ bytes: [UInt8], draft: (width: Int, height: Int)?) throws -> DecodedImage {
        guard !bytes.isEmpty else { throw DecodingFailure(.empty, "empty file: not a recognised image format") }
        guard let format = ImageFormat.sniff(bytes) else {
            throw DecodingFailure(.unknownFormat, "not a recognised image format")
        }
        let limits = DecodeLimits(maxPixels: maxPixels)
        let raw: RawDecode
        switch format {
        case .jpeg: raw = try JPEGDecoder.decode(bytes, limits: limits, draft: draft)
        case .png: raw = try PNGDecoder.decode(bytes, limits: limits, sixteenBitGray: sixteenBitGray)
        case .webp: raw = try WebPDecoder.decode(bytes, limits: limits)
        case .gif: raw = try GIFDecoder.decode(bytes, limits: limits)
        case .bmp: raw = try BMPDecoder.decode(bytes, limits: limits)
        case .tiff: raw = try TIFFDecoder.decode(bytes, limits: limits)
        }
        let orientation = EXIFLocator.orientation(in: bytes, format: format)
        var image = raw.image
        // Pillow (>= 11) applies a TIFF's own Orientation tag while loading, EXIF or not.
        if applyEXIFOrientation || format == .tiff, let value = orientation { image = image.oriented(byEXIF: value) }
        return DecodedImage(image: image, format: format, mode: raw.mode, exifOrientation: orientation ?? 1,
                            storedWidth: raw.storedWidth, storedHeight: raw.storedHeight)
    }
}

/// The header-time checks every format decoder runs before allocating pixels.
struct DecodeLimits {
    let maxPixels: Int

    func check(width: Int, height: Int) throws {
        guard width > 0, height > 0 else { throw DecodingFailure(.corrupt, "invalid image size \(width)x\(height)") }
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, pixels <= maxPixels else {
            throw DecodingFailure(.tooManyPixels,
                                  "image size \(width)x\(height) exceeds the limit of \(maxPixels) pixels (decompression bomb?)")
        }
    }
}
