import Foundation
import Testing
@testable import Imaging

/// Presets, JSON round-trips and Hugging Face / timm configuration mapping.
@Suite("Recipe presets and configurations")
struct PreprocessingRecipeConfigTests {
    @Test("every preset survives a JSON round-trip", arguments: PreprocessingRecipe.presetNames)
    func roundTrip(name: String) throws {
        let recipe = try PreprocessingRecipe.preset(named: name)
        let decoded = try PreprocessingRecipe.fromJSON(try recipe.jsonData())
        #expect(decoded == recipe)
        // Same tensors, bit for bit, after the round-trip.
        #expect(decoded.scale.bitPattern == recipe.scale.bitPattern)
    }

    @Test("preset table")
    func presets() throws {
        #expect(PreprocessingRecipe.presetNames.count == 13)
        let tv = try PreprocessingRecipe.preset(named: "torchvision")
        #expect(tv.resize == .shorterSide(256) && tv.interpolation == .bilinear && tv.centerCrop == .init(224))
        #expect(tv.layout == .chw && tv.channelOrder == .rgb && tv.applyEXIFOrientation)
        let keras = try PreprocessingRecipe.preset(named: "Keras-VGG16")
        #expect(keras.resize == .exact(width: 224, height: 224) && keras.interpolation == .nearest)
        #expect(keras.channelOrder == .bgr && keras.layout == .hwc && !keras.applyEXIFOrientation && keras.scale == 1)
        let expected: [(Int, Int, Interpolation)] = [(256, 224, .bicubic), (255, 240, .bilinear), (288, 288, .bicubic),
            (320, 300, .bicubic), (384, 380, .bicubic), (456, 456, .bicubic), (528, 528, .bicubic), (600, 600, .bicubic)]
        for (n, row) in expected.enumerated() {
            let r = try PreprocessingRecipe.preset(named: "efficientnet-b\(n)")
            #expect(r.resize == .shorterSide(row.0) && r.centerCrop == .init(row.1) && r.interpolation == row.2, "b\(n)")
            #expect(r.mean == PreprocessingRecipe.imageNetMean && r.std == PreprocessingRecipe.imageNetStd)
        }
        #expect(try PreprocessingRecipe.preset(named: "efficientnet-lite") == .torchvision)
        #expect(try PreprocessingRecipe.preset(named: "dinov2").interpolation == .bicubic)
        #expect(throws: PreprocessingError.self) { try PreprocessingRecipe.preset(named: "resnet-9000") }
        #expect(throws: PreprocessingError.self) { try PreprocessingRecipe.preset(named: "efficientnet-b8") }
    }

    @Test("JSON errors name the problem")
    func jsonErrors() throws {
        func message(_ json: String) -> String {
            do { _ = try PreprocessingRecipe.fromJSON(Data(json.utf8), source: "r.json"); return "" } catch { return "\(error)" }
        }
        #expect(message("{").contains("r.json"))
        #expect(message(#"{"interpolation":"bilinear","scale":1,"mean":[0,0,0],"std":[1,1,1]}"#).contains("resize"))
        #expect(message(#"{"resize":{"kind":"huge"},"interpolation":"bilinear","scale":1,"mean":[0,0,0],"std":[1,1,1]}"#).contains("huge"))
        #expect(message(#"{"resize":{"kind":"none"},"interpolation":"bilinear","scale":1,"mean":[0,0],"std":[1,1,1]}"#).contains("mean"))
        #expect(message(#"{"resize":{"kind":"none"},"interpolation":"bilinear","scale":1,"mean":[0,0,0],"std":[1,0,1]}"#).contains("std"))
        let minimal = try PreprocessingRecipe.fromJSON(Data(#"{"resize":{"kind":"shorterSide","size":224,"maxSize":300},"interpolation":"lanczos","scale":0.00392156862745098,"mean":[0.5,0.5,0.5],"std":[0.5,0.5,0.5]}"#.utf8))
        #expect(minimal.resize == .shorterSide(224, maxSize: 300) && minimal.layout == .chw && minimal.centerCrop == nil)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("imgvec-recipe-\(UUID()).json")
        try PreprocessingRecipe.clip.jsonData().write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(try PreprocessingRecipe.loadJSON(from: file) == .clip)
        #expect(throws: PreprocessingError.self) { try PreprocessingRecipe.loadJSON(from: file.appendingPathExtension("missing")) }
    }

    /// openai/clip-vit-base-patch32 preprocessor_config.json.
    static let clipConfig = #"""
    {"crop_size": 224, "do_center_crop": true, "do_normalize": true, "do_resize": true,
     "feature_extractor_type": "CLIPFeatureExtractor",
     "image_mean": [0.48145466, 0.4578275, 0.40821073], "image_std": [0.26862954, 0.26130258, 0.27577711],
     "resample": 3, "size": 224}
    """#
    static let clipConfigNewStyle = #"""
    {"crop_size": {"height": 224, "width": 224}, "do_center_crop": true, "do_convert_rgb": true,
     "do_normalize": true, "do_rescale": true, "do_resize": true,
     "image_mean": [0.48145466, 0.4578275, 0.40821073], "image_processor_type": "CLIPImageProcessor",
     "image_std": [0.26862954, 0.26130258, 0.27577711], "resample": 3, "rescale_factor": 0.00392156862745098,
     "size": {"shortest_edge": 224}}
    """#

    @Test("Hugging Face CLIP ViT-B/32 config maps to the CLIP recipe", arguments: [clipConfig, clipConfigNewStyle])
    func huggingFaceCLIP(config: String) throws {
        let recipe = try PreprocessingRecipe(huggingFacePreprocessorConfig: Data(config.utf8))
        var expected = PreprocessingRecipe.clip
        expected.cropRounding = .floor
        #expect(recipe == expected)
        // And back.
        let again = try PreprocessingRecipe(huggingFacePreprocessorConfig: try recipe.huggingFacePreprocessorConfig())
        #expect(again == recipe)
    }

    @Test("Hugging Face ViT (height/width, bilinear) and errors")
    func huggingFaceOther() throws {
        let vit = try PreprocessingRecipe(huggingFacePreprocessorConfig: Data(#"""
        {"do_normalize": true, "do_rescale": true, "do_resize": true, "image_mean": [0.5, 0.5, 0.5],
         "image_std": [0.5, 0.5, 0.5], "resample": 2, "rescale_factor": 0.00392156862745098,
         "size": {"height": 224, "width": 224}}
        """#.utf8))
        #expect(vit.resize == .exact(width: 224, height: 224) && vit.centerCrop == nil && vit.interpolation == .bilinear)
        #expect(vit.mean == [0.5, 0.5, 0.5])
        #expect(throws: PreprocessingError.self) {
            try PreprocessingRecipe(huggingFacePreprocessorConfig: Data(#"{"resample": 9, "size": 224, "image_mean": [0,0,0], "image_std": [1,1,1]}"#.utf8))
        }
        #expect(throws: PreprocessingError.self) {
            try PreprocessingRecipe(huggingFacePreprocessorConfig: Data(#"{"size": {"shortest_edge": 224}}"#.utf8))
        }
        #expect(throws: PreprocessingError.self) { try PreprocessingRecipe(huggingFacePreprocessorConfig: Data("[1]".utf8)) }
    }

    @Test("timm efficientnet pretrained_cfg maps to resize floor(size / crop_pct) + crop")
    func timm() throws {
        // timm efficientnet_b0.ra_in1k: input 224, crop_pct 0.875, bicubic, ImageNet mean/std.
        let b0 = try PreprocessingRecipe(timmPretrainedConfig: Data(#"""
        {"architecture": "efficientnet_b0", "num_classes": 1000,
         "pretrained_cfg": {"tag": "ra_in1k", "input_size": [3, 224, 224], "test_input_size": [3, 256, 256],
          "interpolation": "bicubic", "crop_pct": 0.875, "crop_mode": "center",
          "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225], "num_classes": 1000}}
        """#.utf8))
        #expect(b0 == PreprocessingRecipe.efficientNet(0))
        // tf_efficientnet_b3: 300, crop_pct 0.904 -> floor(331.858...) = 331.
        let b3 = try PreprocessingRecipe(timmPretrainedConfig: Data(#"""
        {"input_size": [3, 300, 300], "interpolation": "bicubic", "crop_pct": 0.904,
         "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}
        """#.utf8))
        #expect(b3.resize == .shorterSide(331) && b3.centerCrop == .init(300) && b3.cropRounding == .halfEven)
        let squash = try PreprocessingRecipe(timmPretrainedConfig: Data(#"{"input_size": [3, 224, 224], "crop_pct": 1.0, "crop_mode": "squash", "interpolation": "bilinear"}"#.utf8))
        #expect(squash.resize == .exact(width: 224, height: 224) && squash.mean == PreprocessingRecipe.imageNetMean)
        #expect(throws: PreprocessingError.self) { try PreprocessingRecipe(timmPretrainedConfig: Data(#"{"crop_pct": 0.9}"#.utf8)) }
        #expect(throws: PreprocessingError.self) {
            try PreprocessingRecipe(timmPretrainedConfig: Data(#"{"input_size": [3, 224, 224], "crop_mode": "border"}"#.utf8))
        }
    }
}
