import Foundation

extension PreprocessingRecipe {
    /// The smallest decoded size this recipe can start from without changing what its
    /// resize step sees in detail: the target of a JPEG draft decode (`nil` without a resize).
    public var minimumDecodeSize: (width: Int, height: Int)? {
        switch resize {
        case .none: return nil
        case let .shorterSide(side, _): return (side, side)
        case let .exact(width, height): return (width, height)
        }
    }

    /// Loads a recipe from any JSON form imgvec understands, recognised by its keys:
    /// a recipe saved by imgvec, a Hugging Face `preprocessor_config.json`, or a timm
    /// `pretrained_cfg` (`input_size`, `crop_pct`, ...).
    public static func loadAnyJSON(from url: URL) throws -> PreprocessingRecipe {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw PreprocessingError.invalidRecipe(field: url.path, reason: "cannot read file")
        }
        let keys = (try? JSONSerialization.jsonObject(with: data) as? [String: Any]).map { Set($0.keys) } ?? []
        if keys.contains("image_mean") || keys.contains("do_resize") || keys.contains("image_processor_type") {
            return try PreprocessingRecipe(huggingFacePreprocessorConfig: data, source: url.path)
        }
        if keys.contains("input_size") || keys.contains("crop_pct") {
            return try PreprocessingRecipe(timmPretrainedConfig: data, source: url.path)
        }
        return try fromJSON(data, source: url.path)
    }
}

extension PreprocessingRecipe {
    /// The recipe as JSON with sorted keys: a stable text for provenance comparisons.
    public func canonicalJSON() throws -> String {
        let object = try JSONSerialization.jsonObject(with: jsonData())
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}
