import Foundation

/// JSON form of ``PreprocessingRecipe``:
///
/// ```json
/// {"resize": {"kind": "shorterSide", "size": 256},            // or {"kind": "exact", "width": 224, "height": 224}
///                                                               // or {"kind": "none"}; shorterSide may add "maxSize"
///  "interpolation": "bilinear", "centerCrop": {"width": 224, "height": 224},
///  "scale": 0.00392156862745098, "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225],
///  "channelOrder": "rgb", "layout": "chw", "applyEXIFOrientation": true, "cropRounding": "halfEven"}
/// ```
/// `centerCrop` (none), `channelOrder` (rgb), `layout` (chw), `applyEXIFOrientation` (true) and
/// `cropRounding` (halfEven) are optional.
extension PreprocessingRecipe {
    private enum CodingKeys: String, CodingKey {
        case resize, interpolation, centerCrop, cropRounding, scale, mean, std, channelOrder, layout,
             applyEXIFOrientation
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(resize: try c.decode(Resize.self, forKey: .resize),
                  interpolation: try c.decode(Interpolation.self, forKey: .interpolation),
                  centerCrop: try c.decodeIfPresent(CropSize.self, forKey: .centerCrop),
                  cropRounding: try c.decodeIfPresent(CropRounding.self, forKey: .cropRounding) ?? .halfEven,
                  scale: try c.decode(Double.self, forKey: .scale),
                  mean: try c.decode([Float].self, forKey: .mean),
                  std: try c.decode([Float].self, forKey: .std),
                  channelOrder: try c.decodeIfPresent(ChannelOrder.self, forKey: .channelOrder) ?? .rgb,
                  layout: try c.decodeIfPresent(Layout.self, forKey: .layout) ?? .chw,
                  applyEXIFOrientation: try c.decodeIfPresent(Bool.self, forKey: .applyEXIFOrientation) ?? true)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(resize, forKey: .resize)
        try c.encode(interpolation, forKey: .interpolation)
        try c.encodeIfPresent(centerCrop, forKey: .centerCrop)
        try c.encode(cropRounding, forKey: .cropRounding)
        try c.encode(scale, forKey: .scale)
        try c.encode(mean, forKey: .mean)
        try c.encode(std, forKey: .std)
        try c.encode(channelOrder, forKey: .channelOrder)
        try c.encode(layout, forKey: .layout)
        try c.encode(applyEXIFOrientation, forKey: .applyEXIFOrientation)
    }

    /// Pretty-printed, key-sorted JSON of this recipe.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// Decodes and validates a recipe from JSON bytes; `source` names the origin in errors.
    public static func fromJSON(_ data: Data, source: String = "<memory>") throws -> PreprocessingRecipe {
        let recipe: PreprocessingRecipe
        do {
            recipe = try JSONDecoder().decode(PreprocessingRecipe.self, from: data)
        } catch let error as DecodingError {
            throw PreprocessingError.unreadableFile(path: source, reason: describe(error))
        } catch {
            throw PreprocessingError.unreadableFile(path: source, reason: "\(error)")
        }
        try recipe.validate()
        return recipe
    }

    /// Reads, decodes and validates a recipe JSON file.
    public static func loadJSON(from url: URL) throws -> PreprocessingRecipe {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw PreprocessingError.unreadableFile(path: url.path, reason: "cannot read file (\(error.localizedDescription))")
        }
        return try fromJSON(data, source: url.path)
    }

    /// A one-line explanation of a decoding failure with the JSON path of the bad value.
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [CodingKey]) -> String {
            keys.isEmpty ? "top level" : keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case let .keyNotFound(key, context): return "missing key '\(path(context.codingPath + [key]))'"
        case let .typeMismatch(_, context): return "wrong type at \(path(context.codingPath)): \(context.debugDescription)"
        case let .valueNotFound(_, context): return "missing value at \(path(context.codingPath))"
        case let .dataCorrupted(context): return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

extension PreprocessingRecipe.Resize: Codable {
    private enum CodingKeys: String, CodingKey { case kind, size, maxSize, width, height }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try c.decode(String.self, forKey: .kind)
        switch kind {
        case "none": self = .none
        case "shorterSide":
            self = .shorterSide(try c.decode(Int.self, forKey: .size), maxSize: try c.decodeIfPresent(Int.self, forKey: .maxSize))
        case "exact":
            self = .exact(width: try c.decode(Int.self, forKey: .width), height: try c.decode(Int.self, forKey: .height))
        default:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c,
                debugDescription: "unknown resize kind '\(kind)' (expected none, shorterSide or exact)")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .none: try c.encode("none", forKey: .kind)
        case let .shorterSide(size, maxSize):
            try c.encode("shorterSide", forKey: .kind)
            try c.encode(size, forKey: .size)
            try c.encodeIfPresent(maxSize, forKey: .maxSize)
        case let .exact(width, height):
            try c.encode("exact", forKey: .kind)
            try c.encode(width, forKey: .width)
            try c.encode(height, forKey: .height)
        }
    }
}
