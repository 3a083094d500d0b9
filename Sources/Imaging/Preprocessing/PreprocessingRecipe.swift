/// How an image becomes a model input tensor: resize, centre crop, scale, normalise, reorder.
///
/// Applied in this order (torchvision / Keras semantics, bit-exact with Pillow resampling):
/// 1. ``resize`` with ``interpolation`` (Pillow's resampler; no-op when the size already matches),
/// 2. ``centerCrop`` (zero padding when the image is smaller, as torchvision),
/// 3. per channel, in float32: `((x / (1 / scale)) - mean[c]) / std[c]` (true divisions, see ``scale``),
/// 4. ``channelOrder`` (`bgr` reverses channels; `mean`/`std` are given in the output order),
/// 5. ``layout``: `[3, H, W]` or `[H, W, 3]`.
///
/// The recipe is `Codable`; its JSON form is what `loadJSON(from:)` reads and `jsonData()` writes.
public struct PreprocessingRecipe: Codable, Equatable, Sendable {
    /// The resize step.
    public enum Resize: Equatable, Sendable {
        /// Keep the decoded size.
        case none
        /// torchvision `Resize(size, max_size:)`: shorter side to `size`, aspect kept.
        case shorterSide(Int, maxSize: Int? = nil)
        /// Exactly `width`×`height`, aspect not kept (Keras `target_size`, HF `{height, width}`).
        case exact(width: Int, height: Int)
    }

    /// A centre crop's output size.
    public struct CropSize: Codable, Equatable, Sendable {
        public var width: Int
        public var height: Int
        public init(width: Int, height: Int) { self.width = width; self.height = height }
        /// A square crop.
        public init(_ side: Int) { self.init(width: side, height: side) }
    }

    /// Channel order of the output tensor.
    public enum ChannelOrder: String, Codable, Sendable { case rgb, bgr }

    /// Memory layout of one image's tensor.
    public enum Layout: String, Codable, Sendable {
        /// `[3, H, W]` (PyTorch, ONNX vision models).
        case chw
        /// `[H, W, 3]` (Keras / TensorFlow).
        case hwc
    }

    public var resize: Resize
    public var interpolation: Interpolation
    public var centerCrop: CropSize?
    /// Rounding of an odd centre-crop margin (torchvision `halfEven`; HF processors `floor`).
    public var cropRounding: CropRounding
    /// Multiplier taking 0...255 to the model's range (1/255 for `ToTensor`, 1 for Keras caffe).
    /// When `1 / scale` is an integer (255, 1, 127.5 is not) the value is computed as a float32
    /// DIVISION `x / Float(1 / scale)`, exactly as `ToTensor` does; otherwise `x * Float(scale)`.
    public var scale: Double
    /// Per-channel mean subtracted after scaling, in the OUTPUT channel order.
    public var mean: [Float]
    /// Per-channel divisor applied after the mean (true float32 division), in output order.
    public var std: [Float]
    public var channelOrder: ChannelOrder
    public var layout: Layout
    /// Whether callers should apply the EXIF orientation when decoding (torchvision pipelines
    /// usually do via `ImageOps.exif_transpose`; Keras `load_img` does not). Not used by `apply`.
    public var applyEXIFOrientation: Bool

    public init(resize: Resize, interpolation: Interpolation, centerCrop: CropSize? = nil,
                cropRounding: CropRounding = .halfEven, scale: Double, mean: [Float], std: [Float],
                channelOrder: ChannelOrder = .rgb, layout: Layout = .chw, applyEXIFOrientation: Bool = true) {
        self.resize = resize
        self.interpolation = interpolation
        self.centerCrop = centerCrop
        self.cropRounding = cropRounding
        self.scale = scale
        self.mean = mean
        self.std = std
        self.channelOrder = channelOrder
        self.layout = layout
        self.applyEXIFOrientation = applyEXIFOrientation
    }

    /// Throws when a value cannot work (sizes, channel counts, zero std, bad scale).
    public func validate() throws {
        func fail(_ field: String, _ reason: String) -> PreprocessingError { .invalidRecipe(field: field, reason: reason) }
        switch resize {
        case .none: break
        case let .shorterSide(size, maxSize):
            guard size > 0 else { throw fail("resize.size", "must be positive, got \(size)") }
            if let maxSize, maxSize <= size {
                throw fail("resize.maxSize", "must be greater than size \(size), got \(maxSize)")
            }
        case let .exact(width, height):
            guard width > 0, height > 0 else { throw fail("resize", "exact size must be positive, got \(width)×\(height)") }
        }
        if let centerCrop, centerCrop.width <= 0 || centerCrop.height <= 0 {
            throw fail("centerCrop", "must be positive, got \(centerCrop.width)×\(centerCrop.height)")
        }
        guard scale.isFinite, scale > 0 else { throw fail("scale", "must be a positive number, got \(scale)") }
        guard mean.count == 3 else { throw fail("mean", "needs 3 values, got \(mean.count)") }
        guard std.count == 3 else { throw fail("std", "needs 3 values, got \(std.count)") }
        guard mean.allSatisfy(\.isFinite) else { throw fail("mean", "values must be finite") }
        guard std.allSatisfy({ $0.isFinite && $0 != 0 }) else { throw fail("std", "values must be finite and non-zero") }
    }

    /// The (width, height) after resizing an image of `width`×`height`.
    public func resizedSize(width: Int, height: Int) throws -> (width: Int, height: Int) {
        switch resize {
        case .none: return (width, height)
        case let .shorterSide(size, maxSize):
            return try ResizeGeometry.shorterSide(width: width, height: height, size: size, maxSize: maxSize)
        case let .exact(w, h): return (w, h)
        }
    }

    /// The (width, height) of the output for an input of `width`×`height`.
    public func outputSize(width: Int, height: Int) throws -> (width: Int, height: Int) {
        if let centerCrop { return (centerCrop.width, centerCrop.height) }
        return try resizedSize(width: width, height: height)
    }

    /// The output (width, height) when it does not depend on the input size, else `nil`.
    public var fixedOutputSize: (width: Int, height: Int)? {
        if let centerCrop { return (centerCrop.width, centerCrop.height) }
        if case let .exact(w, h) = resize { return (w, h) }
        return nil
    }

    /// The tensor shape for an output of `width`×`height`.
    public func tensorShape(width: Int, height: Int) -> [Int] {
        layout == .chw ? [3, height, width] : [height, width, 3]
    }
}
