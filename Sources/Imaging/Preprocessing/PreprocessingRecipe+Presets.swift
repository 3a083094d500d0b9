/// Named recipes of well-known pipelines.
extension PreprocessingRecipe {
    /// ImageNet channel means (RGB) used by torchvision, timm and most ImageNet models.
    public static let imageNetMean: [Float] = [0.485, 0.456, 0.406]
    /// ImageNet channel standard deviations (RGB).
    public static let imageNetStd: [Float] = [0.229, 0.224, 0.225]
    /// OpenAI CLIP channel means (RGB).
    public static let clipMean: [Float] = [0.48145466, 0.4578275, 0.40821073]
    /// OpenAI CLIP channel standard deviations (RGB).
    public static let clipStd: [Float] = [0.26862954, 0.26130258, 0.27577711]

    /// torchvision ImageNet evaluation: `Resize(resize, interpolation)`, `CenterCrop(crop)`,
    /// `ToTensor()` (x / 255), `Normalize(ImageNet mean, std)`; RGB, CHW, EXIF orientation applied.
    public static func torchvisionImageNet(resize: Int, crop: Int, interpolation: Interpolation) -> PreprocessingRecipe {
        PreprocessingRecipe(resize: .shorterSide(resize), interpolation: interpolation, centerCrop: CropSize(crop),
                            scale: 1.0 / 255.0, mean: imageNetMean, std: imageNetStd)
    }

    /// The seed project's PyTorch recipe (`*.torch.npy` fixtures): Resize(256) bilinear,
    /// CenterCrop(224), /255, ImageNet mean/std, RGB, CHW, EXIF applied.
    public static let torchvision = torchvisionImageNet(resize: 256, crop: 224, interpolation: .bilinear)

    /// Keras `load_img(target_size=(224, 224))` + `vgg16.preprocess_input` (caffe mode): exact
    /// 224×224 nearest resize (aspect not kept, no crop), no scaling, RGB->BGR, subtract the
    /// BGR means [103.939, 116.779, 123.68], HWC; `load_img` ignores EXIF orientation.
    public static let kerasVGG16 = PreprocessingRecipe(
        resize: .exact(width: 224, height: 224), interpolation: .nearest, centerCrop: nil,
        scale: 1, mean: [103.939, 116.779, 123.68], std: [1, 1, 1],
        channelOrder: .bgr, layout: .hwc, applyEXIFOrientation: false)

    /// OpenAI CLIP (ViT-B/32 etc.): Resize(224) bicubic, CenterCrop(224), /255, CLIP mean/std.
    public static let clip = PreprocessingRecipe(
        resize: .shorterSide(224), interpolation: .bicubic, centerCrop: CropSize(224),
        scale: 1.0 / 255.0, mean: clipMean, std: clipStd)

    /// DINOv2 evaluation: Resize(256) bicubic, CenterCrop(224), /255, ImageNet mean/std.
    public static let dinov2 = torchvisionImageNet(resize: 256, crop: 224, interpolation: .bicubic)

    /// torchvision `EfficientNet_B<n>_Weights.DEFAULT.transforms()` for n in 0...7
    /// (B0 256/224 bicubic, B1 255/240 bilinear (IMAGENET1K_V2), B2 288/288, B3 320/300,
    /// B4 384/380, B5 456/456, B6 528/528, B7 600/600 bicubic), ImageNet mean/std.
    public static func efficientNet(_ variant: Int) -> PreprocessingRecipe? {
        let table: [(resize: Int, crop: Int, interpolation: Interpolation)] = [
            (256, 224, .bicubic), (255, 240, .bilinear), (288, 288, .bicubic), (320, 300, .bicubic),
            (384, 380, .bicubic), (456, 456, .bicubic), (528, 528, .bicubic), (600, 600, .bicubic),
        ]
        guard table.indices.contains(variant) else { return nil }
        let row = table[variant]
        return torchvisionImageNet(resize: row.resize, crop: row.crop, interpolation: row.interpolation)
    }

    /// All preset names, in a stable order.
    public static var presetNames: [String] {
        ["torchvision", "keras-vgg16", "clip", "dinov2"] + (0...7).map { "efficientnet-b\($0)" } + ["efficientnet-lite"]
    }

    /// The preset called `name` (case-insensitive): `torchvision`, `keras-vgg16`, `clip`, `dinov2`,
    /// `efficientnet-b0` ... `efficientnet-b7`, `efficientnet-lite` (= the seed torchvision recipe,
    /// used by the efficientnet_lite0 fixtures; `efficientnet-lite0` is accepted too).
    public static func preset(named name: String) throws -> PreprocessingRecipe {
        let key = name.lowercased()
        switch key {
        case "torchvision": return torchvision
        case "keras-vgg16": return kerasVGG16
        case "clip": return clip
        case "dinov2": return dinov2
        case "efficientnet-lite", "efficientnet-lite0": return torchvision
        default:
            if key.hasPrefix("efficientnet-b"), let n = Int(key.dropFirst("efficientnet-b".count)),
               let recipe = efficientNet(n) {
                return recipe
            }
            throw PreprocessingError.unknownPreset(name: name, known: presetNames)
        }
    }
}
