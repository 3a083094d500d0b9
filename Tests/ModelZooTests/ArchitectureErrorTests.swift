import Foundation
import Graph
import ModelZoo
import Tensor
import TestSupport
import Testing

@Suite("Architecture weight errors")
struct ArchitectureErrorTests {
    static func zeros(_ specs: [ParameterSpec]) -> [String: Tensor] {
        Dictionary(uniqueKeysWithValues: specs.map { ($0.name, Tensor(zeros: $0.shape)) })
    }

    @Test func missingUnexpectedAndWrongShapeAreAllListed() throws {
        var weights = Self.zeros(MobileNetV3.parameters(variant: .small))
        weights["features.3.block.1.1.running_var"] = nil
        weights["features.12.0.weight"] = nil
        weights["features.99.weight"] = Tensor(zeros: [4])
        weights["features.0.0.weight"] = Tensor(zeros: [16, 3, 5, 5])
        let error = try #require(throws: ArchitectureError.self) {
            try MobileNetV3.build(variant: .small, weights: WeightSource(weights))
        }
        #expect(error.architecture == "mobilenet_v3_small")
        #expect(error.missing.sorted() == ["features.12.0.weight", "features.3.block.1.1.running_var"])
        #expect(error.unexpected == ["features.99.weight"])
        #expect(error.wrongShape == [.init(name: "features.0.0.weight", expected: [16, 3, 3, 3], found: [16, 3, 5, 5])])
        let message = error.description
        for name in ["features.12.0.weight", "features.99.weight", "features.0.0.weight", "[16, 3, 5, 5]"] {
            #expect(message.contains(name), "\(message)")
        }
    }

    @Test func unusedClassifierAndBatchCountersAreIgnored() throws {
        var weights = Self.zeros(ResNet.parameters(variant: .resnet18, head: .classifier))
        weights["bn1.num_batches_tracked"] = Tensor(shape: [], int64s: [0])
        let features = try ResNet.build(variant: .resnet18, weights: WeightSource(weights), head: .features)
        #expect(features.outputs[0].shape == [.symbolic("batch"), .fixed(512)])
        // A classifier head needs fc.*; without it both tensors are reported missing.
        weights["fc.weight"] = nil
        weights["fc.bias"] = nil
        let error = try #require(throws: ArchitectureError.self) {
            try ResNet.build(variant: .resnet18, weights: WeightSource(weights), head: .classifier)
        }
        #expect(error.missing == ["fc.weight", "fc.bias"])
        #expect(error.unexpected.isEmpty)
    }

    @Test func wrongArchitectureReportsEverything() throws {
        // ResNet-18 weights offered to ResNet-34: the extra blocks are missing, nothing unexpected.
        let weights = Self.zeros(ResNet.parameters(variant: .resnet18))
        let error = try #require(throws: ArchitectureError.self) {
            try ResNet.build(variant: .resnet34, weights: WeightSource(weights), head: .classifier)
        }
        #expect(error.missing.contains("layer3.5.conv2.weight"))
        #expect(error.missing.count == ResNet.parameters(variant: .resnet34).count - ResNet.parameters(variant: .resnet18).count)
    }

    @Test func prefixedCheckpointsCanBeStripped() throws {
        let specs = VisionTransformer.parameters(config: .tinyFixture, head: .features)
        let prefixed = Dictionary(uniqueKeysWithValues: specs.map { ("module.\($0.name)", Tensor(zeros: $0.shape)) })
        #expect(throws: ArchitectureError.self) {
            try VisionTransformer.build(config: .tinyFixture, weights: WeightSource(prefixed))
        }
        let graph = try VisionTransformer.build(config: .tinyFixture, weights: WeightSource(prefixed).strippingPrefix("module."))
        #expect(graph.outputs[0].name == "output")
    }
}
