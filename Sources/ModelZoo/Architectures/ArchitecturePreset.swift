import Graph

/// Named architecture variants, so callers (CLI, presets) can build any of them by name.
///
/// ```swift
/// let preset = try ArchitecturePreset(named: "resnet50")
/// let graph = try preset.build(weights: source)            // pooled features
/// let logits = try preset.build(weights: source, head: .classifier)
/// ```
public enum ArchitecturePreset: Sendable, Hashable {
    case resnet(ResNet.Variant)
    /// VGG with its flattened 25088-d (224x224) or global-average 512-d features.
    case vgg(VGG.Variant, flattened: Bool)
    case efficientNet(EfficientNet.Variant)
    case efficientNetLite(EfficientNetLite.Variant)
    case mobileNetV3(MobileNetV3.Variant)
    case visionTransformer(name: String, VisionTransformer.Config)
    /// Hugging Face `Dinov2Model` (`dinov2_small`, `dinov2_base`; `_patchmean` variants average the patch tokens).
    case dinov2(name: String, DINOv2.Config, DINOv2.Pooling)
    /// Hugging Face `CLIPModel` image tower with its projection (`clip_vit_b_32`).
    case clipVision(name: String, CLIPVision.Config)

    /// Every preset, in a stable order.
    public static let all: [ArchitecturePreset] = {
        var presets: [ArchitecturePreset] = ResNet.Variant.allCases.map { .resnet($0) }
        for variant in VGG.Variant.allCases {
            presets += [.vgg(variant, flattened: true), .vgg(variant, flattened: false)]
        }
        presets += EfficientNet.Variant.allCases.map { .efficientNet($0) }
        presets += EfficientNetLite.Variant.allCases.map { .efficientNetLite($0) }
        presets += MobileNetV3.Variant.allCases.map { .mobileNetV3($0) }
        let transformers: [(String, VisionTransformer.Config)] = [
            ("vit_tiny-fixture", .tinyFixture), ("vit_b_16", .b16), ("vit_b_32", .b32), ("vit_l_16", .l16), ("vit_l_32", .l32),
        ]
        presets += transformers.map { .visionTransformer(name: $0.0, $0.1) }
        for (name, config) in [("dinov2_small", DINOv2.Config.small), ("dinov2_base", .base)] {
            presets += [.dinov2(name: name, config, .cls), .dinov2(name: name + "_patchmean", config, .meanPatches)]
        }
        presets.append(.clipVision(name: "clip_vit_b_32", .b32))
        return presets
    }()

    /// The preset's name: `resnet50`, `vgg16_flatten`, `vgg16_gap`, `efficientnet_b0`,
    /// `efficientnet_lite0`, `mobilenet_v3_small`, `vit_b_16`, `vit_tiny-fixture`, `dinov2_small`,
    /// `dinov2_base_patchmean`, `clip_vit_b_32`, ...
    public var name: String {
        switch self {
        case let .resnet(variant): return variant.rawValue
        case let .vgg(variant, flattened): return variant.rawValue + (flattened ? "_flatten" : "_gap")
        case let .efficientNet(variant): return variant.name
        case let .efficientNetLite(variant): return variant.name
        case let .mobileNetV3(variant): return variant.name
        case let .visionTransformer(name, _), let .dinov2(name, _, _), let .clipVision(name, _): return name
        }
    }

    /// The preset called `name`.
    public init(named name: String) throws {
        guard let preset = Self.all.first(where: { $0.name == name }) else {
            throw ArchitectureError(architecture: name, other: [
                "unknown architecture; known: " + Self.all.map(\.name).joined(separator: ", "),
            ])
        }
        self = preset
    }

    /// Builds the preset's graph (`input` -> `output`) from a state dict. The DINOv2 and CLIP
    /// presets are feature extractors only (`.classifier` throws).
    public func build(weights: WeightSource, head: ArchitectureHead = .features, classes: Int = 1000) throws -> Graph {
        switch self {
        case let .resnet(variant): return try ResNet.build(variant: variant, weights: weights, head: head, classes: classes)
        case let .vgg(variant, flattened):
            let output: VGG.Output = head == .classifier ? .classifier : flattened ? .flattenedFeatures : .pooledFeatures
            return try VGG.build(variant: variant, weights: weights, output: output, classes: classes)
        case let .efficientNet(variant): return try EfficientNet.build(variant: variant, weights: weights, head: head, classes: classes)
        case let .efficientNetLite(variant):
            return try EfficientNetLite.build(variant: variant, weights: weights, head: head, classes: classes)
        case let .mobileNetV3(variant): return try MobileNetV3.build(variant: variant, weights: weights, head: head, classes: classes)
        case let .visionTransformer(name, config):
            return try VisionTransformer.build(config: config, weights: weights, head: head, classes: classes, name: name)
        case let .dinov2(name, config, pooling):
            try Self.requireFeatures(head, name)
            return try DINOv2.build(config: config, weights: weights, pooling: pooling, name: name)
        case let .clipVision(name, config):
            try Self.requireFeatures(head, name)
            return try CLIPVision.build(config: config, weights: weights, name: name)
        }
    }

    private static func requireFeatures(_ head: ArchitectureHead, _ name: String) throws {
        if head == .classifier {
            throw ArchitectureError(architecture: name, other: ["\(name) has no classifier head; build it with .features"])
        }
    }

    /// Every tensor the preset reads (classifier included for `.classifier`).
    public func parameters(head: ArchitectureHead = .classifier, classes: Int = 1000) -> [ParameterSpec] {
        switch self {
        case let .resnet(variant): return ResNet.parameters(variant: variant, head: head, classes: classes)
        case let .vgg(variant, _): return VGG.parameters(variant: variant, output: head == .classifier ? .classifier : .pooledFeatures, classes: classes)
        case let .efficientNet(variant): return EfficientNet.parameters(variant: variant, head: head, classes: classes)
        case let .efficientNetLite(variant): return EfficientNetLite.parameters(variant: variant, head: head, classes: classes)
        case let .mobileNetV3(variant): return MobileNetV3.parameters(variant: variant, head: head, classes: classes)
        case let .visionTransformer(_, config): return VisionTransformer.parameters(config: config, head: head, classes: classes)
        case let .dinov2(_, config, _): return DINOv2.parameters(config: config)
        case let .clipVision(_, config): return CLIPVision.parameters(config: config)
        }
    }
}
