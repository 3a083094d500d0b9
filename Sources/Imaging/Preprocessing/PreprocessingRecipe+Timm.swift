import Foundation

extension PreprocessingRecipe {
    /// The evaluation recipe of a timm `pretrained_cfg` (the object itself, or a Hugging Face
    /// hub `config.json` holding it under `"pretrained_cfg"`), following timm's
    /// `transforms_imagenet_eval`:
    ///
    /// - `input_size` `[3, H, W]` (required), `crop_pct` (default 0.875), `crop_mode`
    ///   (default `center`), `interpolation` (default `bicubic`), `mean` / `std` (default ImageNet).
    /// - `center`: shorter side to `floor(H / crop_pct)`, then centre crop H×W (square inputs;
    ///   timm's `ResizeKeepRatio` for non-square inputs is not supported).
    /// - `squash`: exact resize to `floor(W / crop_pct)`×`floor(H / crop_pct)`, then centre crop.
    /// - x / 255, RGB, CHW, torchvision crop rounding, EXIF applied.
    public init(timmPretrainedConfig data: Data, source: String = "pretrained_cfg") throws {
        var json = try ConfigurationJSON(data, source: source)
        if let nested = json.nested("pretrained_cfg") { json = nested }
        guard let inputSize = try json.ints("input_size"), inputSize.count == 3, inputSize[0] == 3,
              inputSize[1] > 0, inputSize[2] > 0 else {
            throw json.fail("input_size must be [3, height, width]")
        }
        let (height, width) = (inputSize[1], inputSize[2])
        let cropPct = try json.double("crop_pct") ?? 0.875
        guard cropPct > 0, cropPct.isFinite else { throw json.fail("crop_pct must be positive, got \(cropPct)") }
        let name = try json.string("interpolation") ?? "bicubic"
        guard let interpolation = Interpolation(name: name) else {
            throw json.fail("interpolation '\(name)' is not supported")
        }
        let scaledHeight = Int((Double(height) / cropPct).rounded(.down))
        let scaledWidth = Int((Double(width) / cropPct).rounded(.down))
        let resize: Resize
        switch try json.string("crop_mode") ?? "center" {
        case "center":
            guard scaledHeight == scaledWidth else {
                throw json.fail("crop_mode 'center' with a non-square input_size \(width)×\(height) is not supported")
            }
            resize = .shorterSide(scaledHeight)
        case "squash":
            resize = .exact(width: scaledWidth, height: scaledHeight)
        case let mode:
            throw json.fail("crop_mode '\(mode)' is not supported (center or squash)")
        }
        self.init(resize: resize, interpolation: interpolation, centerCrop: CropSize(width: width, height: height),
                  scale: 1.0 / 255.0, mean: try json.triple("mean") ?? Self.imageNetMean,
                  std: try json.triple("std") ?? Self.imageNetStd)
        do { try validate() } catch { throw json.fail("\(error)") }
    }
}
