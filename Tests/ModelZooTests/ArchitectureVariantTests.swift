import Foundation
import Graph
import ModelZoo
import Tensor
import TestSupport
import Testing

/// Every family and variant: parameter counts against torchvision's published numbers,
/// graphs built from weights generated from the builders' own specs, small ones run.
@Suite("Architecture variants")
struct ArchitectureVariantTests {
    /// Random weights for `specs`, scaled by fan-in so activations stay bounded;
    /// BatchNorm variances positive.
    static func randomWeights(_ specs: [ParameterSpec], seed: UInt64 = 7) -> [String: Tensor] {
        var generator = SeededGenerator(seed: seed)
        var tensors: [String: Tensor] = [:]
        for spec in specs {
            if spec.name.hasSuffix("running_var") {
                tensors[spec.name] = generator.tensor(spec.shape, in: 0.5...1.5)
            } else {
                let fanIn = spec.shape.count >= 2 ? spec.shape.dropFirst().reduce(1, *) : 1
                let bound = 1 / Float(fanIn).squareRoot()
                tensors[spec.name] = generator.tensor(spec.shape, in: -bound...bound)
            }
        }
        return tensors
    }

    /// Zero tensors for `specs` (cheap: for building the big variants without running them).
    static func zeroWeights(_ specs: [ParameterSpec]) -> WeightSource {
        let shapes = Dictionary(uniqueKeysWithValues: specs.map { ($0.name, $0.shape) })
        return WeightSource(names: specs.map(\.name)) { name in shapes[name].map { Tensor(zeros: $0) } }
    }

    static func run(_ graph: Graph, size: Int, batch: Int = 1) throws -> Tensor {
        var generator = SeededGenerator(seed: 3)
        return try Session(graph: graph).run(generator.tensor([batch, 3, size, size]))
    }

    @Test func parameterCountsMatchTorchvision() {
        let resnet: [ResNet.Variant: Int] = [.resnet18: 11_689_512, .resnet34: 21_797_672, .resnet50: 25_557_032,
                                             .resnet101: 44_549_160, .resnet152: 60_192_808]
        for (variant, count) in resnet { #expect(ResNet.parameters(variant: variant).parameterCount == count, "\(variant)") }
        #expect(VGG.parameters(variant: .vgg16).parameterCount == 138_357_544)
        #expect(VGG.parameters(variant: .vgg19).parameterCount == 143_667_240)
        let efficientnet: [EfficientNet.Variant: Int] = [.b0: 5_288_548, .b1: 7_794_184, .b2: 9_109_994, .b3: 12_233_232,
                                                         .b4: 19_341_616, .b5: 30_389_784, .b6: 43_040_704, .b7: 66_347_960]
        for (variant, count) in efficientnet {
            #expect(EfficientNet.parameters(variant: variant).parameterCount == count, "\(variant)")
        }
        #expect(MobileNetV3.parameters(variant: .small).parameterCount == 2_542_856)
        #expect(MobileNetV3.parameters(variant: .large).parameterCount == 5_483_032)
        #expect(VisionTransformer.parameters(config: .b16).parameterCount == 86_567_656)
        #expect(VisionTransformer.parameters(config: .b32).parameterCount == 88_224_232)
        #expect(VisionTransformer.parameters(config: .l16).parameterCount == 304_326_632)
        // Lite: the TF repository's rounded sizes (4.7M, 5.4M, 6.1M, 8.2M, 13.0M); lite0 exactly.
        #expect(EfficientNetLite.parameters(variant: .lite0).parameterCount == 4_652_008)
        let lite: [EfficientNetLite.Variant: Double] = [.lite1: 5.4e6, .lite2: 6.1e6, .lite3: 8.2e6, .lite4: 13.0e6]
        for (variant, approximate) in lite {
            let count = Double(EfficientNetLite.parameters(variant: variant).parameterCount)
            #expect(abs(count - approximate) / approximate < 0.01, "\(variant): \(count)")
        }
        // Feature heads drop exactly the classifier.
        #expect(ResNet.parameters(variant: .resnet50, head: .features).parameterCount == 25_557_032 - 2048 * 1000 - 1000)
    }

    @Test func bigVariantsBuildWithTheRightOutputs() throws {
        let resnet = try ResNet.build(variant: .resnet152, weights: Self.zeroWeights(ResNet.parameters(variant: .resnet152)))
        #expect(resnet.outputs[0].shape == [.symbolic("batch"), .fixed(2048)])
        let b7 = try EfficientNet.build(variant: .b7, weights: Self.zeroWeights(EfficientNet.parameters(variant: .b7)),
                                        head: .classifier)
        #expect(b7.outputs[0].shape == [.symbolic("batch"), .fixed(1000)])
        #expect(EfficientNet.Variant.b7.featureCount == 2560)
        let vgg = try VGG.build(variant: .vgg19, weights: Self.zeroWeights(VGG.parameters(variant: .vgg19)), output: .flattenedFeatures)
        #expect(vgg.outputs[0].shape == [.symbolic("batch"), .fixed(25088)])
        #expect(vgg.inputs[0].shape == [.symbolic("batch"), .fixed(3), .fixed(224), .fixed(224)])
        let vit = try VisionTransformer.build(config: .b16, weights: Self.zeroWeights(VisionTransformer.parameters(config: .b16)))
        #expect(vit.outputs[0].shape == [.symbolic("batch"), .fixed(768)])
        // Every family's graph is supported by the engine.
        for graph in [resnet, b7, vgg, vit] { _ = try Session(graph: graph) }
    }

    @Test func smallVariantsRunWithRandomWeights() throws {
        let resnet = try ResNet.build(variant: .resnet50, weights: WeightSource(Self.randomWeights(ResNet.parameters(variant: .resnet50))),
                                      head: .classifier)
        #expect(try Self.run(resnet, size: 64, batch: 2).shape == [2, 1000])

        let mobile = try MobileNetV3.build(variant: .large, weights: WeightSource(Self.randomWeights(MobileNetV3.parameters(variant: .large))),
                                           head: .classifier)
        #expect(try Self.run(mobile, size: 64).shape == [1, 1000])
        let mobileFeatures = try MobileNetV3.build(variant: .large,
                                                   weights: WeightSource(Self.randomWeights(MobileNetV3.parameters(variant: .large))))
        #expect(try Self.run(mobileFeatures, size: 64).shape == [1, 960])

        let b1 = try EfficientNet.build(variant: .b1, weights: WeightSource(Self.randomWeights(EfficientNet.parameters(variant: .b1))))
        let b1Output = try Self.run(b1, size: 64)
        #expect(b1Output.shape == [1, 1280])
        let finite = b1Output.toFloats().allSatisfy { $0.isFinite }
        #expect(finite)

        let lite2 = try EfficientNetLite.build(variant: .lite2, weights: WeightSource(Self.randomWeights(EfficientNetLite.parameters(variant: .lite2))),
                                               imageSize: 65)
        #expect(try Self.run(lite2, size: 65).shape == [1, 1280])

        let vggSpecs = VGG.parameters(variant: .vgg16, output: .pooledFeatures)
        let vgg = try VGG.build(variant: .vgg16, weights: WeightSource(Self.randomWeights(vggSpecs)), output: .pooledFeatures)
        #expect(try Self.run(vgg, size: 32).shape == [1, 512])

        let small = VisionTransformer.Config(imageSize: 32, patchSize: 8, layers: 2, heads: 4, hidden: 64, mlp: 128)
        let vit = try VisionTransformer.build(config: small, weights: WeightSource(Self.randomWeights(VisionTransformer.parameters(config: small, classes: 10))),
                                              head: .classifier, classes: 10)
        #expect(try Self.run(vit, size: 32, batch: 3).shape == [3, 10])
    }

    /// The ViT graph against a direct implementation of the same maths (tiny config).
    @Test func visionTransformerMatchesDirectComputation() throws {
        let config = VisionTransformer.Config(imageSize: 8, patchSize: 4, layers: 1, heads: 2, hidden: 8, mlp: 16)
        let weights = Self.randomWeights(VisionTransformer.parameters(config: config, head: .features), seed: 11)
        var generator = SeededGenerator(seed: 5)
        let input = generator.tensor([1, 3, 8, 8])
        let output = try Session(graph: VisionTransformer.build(config: config, weights: WeightSource(weights))).run(input)
        let expected = ReferenceViT(weights: weights, config: config).classToken(input.toFloats())
        #expect(Comparison.maxAbsDifference(output.toFloats(), expected) <= 1e-5)
    }

    @Test func vggFlattenedFeaturesAtLargerImageSizes() throws {
        let specs = VGG.parameters(variant: .vgg16, output: .flattenedFeatures)
        let graph = try VGG.build(variant: .vgg16, weights: Self.zeroWeights(specs), output: .flattenedFeatures, imageSize: 448)
        #expect(graph.nodes.contains { $0.opType == "AveragePool" })
        #expect(throws: ArchitectureError.self) {
            try VGG.build(variant: .vgg16, weights: Self.zeroWeights(specs), output: .flattenedFeatures, imageSize: 300)
        }
    }

    @Test func presetsAreNamedAndBuildable() throws {
        #expect(Set(ArchitecturePreset.all.map(\.name)).count == ArchitecturePreset.all.count)
        for preset in ArchitecturePreset.all {
            #expect(try ArchitecturePreset(named: preset.name) == preset)
            #expect(!preset.parameters().isEmpty)
        }
        #expect(try ArchitecturePreset(named: "vgg16_flatten") == .vgg(.vgg16, flattened: true))
        #expect(throws: ArchitectureError.self) { try ArchitecturePreset(named: "resnet19") }
        let preset = try ArchitecturePreset(named: "mobilenet_v3_small")
        let graph = try preset.build(weights: Self.zeroWeights(preset.parameters()))
        #expect(graph.outputs[0].shape == [.symbolic("batch"), .fixed(576)])
    }
}
