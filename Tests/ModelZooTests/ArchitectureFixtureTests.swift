import Foundation
import Graph
import ModelZoo
import Tensor
import TestSupport
import Testing

/// Builders with real fixture weights against the reference outputs.
@Suite("Architecture builders on fixture checkpoints")
struct ArchitectureFixtureTests {
    static func run(_ graph: Graph, _ input: Tensor) throws -> Tensor {
        try Session(graph: graph).run(input)
    }

    /// The first `rows` items of the shared random batch `[4, 3, 224, 224]`.
    static func randomBatch(rows: Int) throws -> Tensor? {
        guard let url = Fixtures.sharedFile("reference/random_batch/input.npy") else { return nil }
        return try NumPyFile.read(url).slice(rows: 0..<rows).copy()
    }

    static func reference(_ path: String, rows: Int) throws -> [Float]? {
        guard let url = Fixtures.sharedFile(path) else { return nil }
        return Array(try NumPyFile.read(url).slice(rows: 0..<rows).toFloats())
    }

    @Test func resnet18FromF16SafetensorsMatchesReferences() throws {
        guard let checkpoint = Fixtures.sharedFile("checkpoints/resnet18_f16.safetensors"),
              let input = try Self.randomBatch(rows: 2),
              let expected = try Self.reference("checkpoints/reference/resnet18_f16.random_batch.npy", rows: 2) else { return }
        let graph = try ResNet.build(variant: .resnet18, weights: WeightSource(ArchitectureTestReaders.safetensors(checkpoint)))
        let session = try Session(graph: graph)
        let output = try session.run(input)
        #expect(output.shape == [2, 512])
        #expect(Comparison.maxAbsDifference(output.toFloats(), expected) <= 1e-4)

        for stem in ["flower", "china"] {
            guard let tensorURL = Fixtures.sharedFile("reference/tensors/\(stem).torch.npy"),
                  let referenceURL = Fixtures.sharedFile("checkpoints/reference/resnet18_f16/\(stem).npy") else { continue }
            let image = try NumPyFile.read(tensorURL)
            let result = try session.run(image.reshaped([1] + image.shape))
            let difference = Comparison.maxAbsDifference(result.toFloats(), try NumPyFile.read(referenceURL).toFloats())
            #expect(difference <= 2e-4, "\(stem): \(difference)")
        }
    }

    @Test func mobileNetV3SmallFromPthMatchesReference() throws {
        guard let checkpoint = Fixtures.sharedFile("checkpoints/mobilenet_v3_small.pth"),
              let input = try Self.randomBatch(rows: 2),
              let expected = try Self.reference("reference/random_batch/mobilenet_v3_small_features.npy", rows: 2) else { return }
        let weights = try ArchitectureTestReaders.torchZip(checkpoint, manifestKey: "mobilenet_v3_small")
        let output = try Self.run(MobileNetV3.build(variant: .small, weights: WeightSource(weights)), input)
        #expect(output.shape == [2, 576])
        #expect(Comparison.maxAbsDifference(output.toFloats(), expected) <= 2e-4)
    }

    @Test func vitTinyFromPthMatchesReference() throws {
        guard let checkpoint = Fixtures.sharedFile("checkpoints/vit_tiny.pth"),
              let input = try Self.randomBatch(rows: 2),
              let expected = try Self.reference("reference/random_batch/vit_tiny_cls.npy", rows: 2) else { return }
        let weights = try ArchitectureTestReaders.torchZip(checkpoint, manifestKey: "vit_tiny")
        let graph = try VisionTransformer.build(config: .tinyFixture, weights: WeightSource(weights))
        let output = try Self.run(graph, input)
        #expect(output.shape == [2, 192])
        #expect(Comparison.maxAbsDifference(output.toFloats(), expected) <= 3e-5)
    }

    /// The builders' tensor lists equal the checkpoints' state dicts (names, order, shapes).
    @Test func parameterSpecsMatchFixtureStateDicts() throws {
        guard let url = Fixtures.sharedFile("manifest.json"),
              let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any],
              let files = (manifest["checkpoints"] as? [String: Any])?["files"] as? [String: Any] else { return }
        func stateDict(_ key: String) -> [String] {
            let list = (files[key] as? [String: Any])?["tensors"] as? [[Any]] ?? []
            return list.compactMap { item in
                guard let name = item[0] as? String, !name.hasSuffix("num_batches_tracked") else { return nil }
                return "\(name) \(item[2] as? [Int] ?? [])"
            }
        }
        #expect(MobileNetV3.parameters(variant: .small).map(\.description) == stateDict("mobilenet_v3_small"))
        #expect(VisionTransformer.parameters(config: .tinyFixture, head: .features).map(\.description) == stateDict("vit_tiny"))
        #expect(ResNet.parameters(variant: .resnet18).map(\.description) == stateDict("resnet18_f16"))

        // The legacy lite0 checkpoint (not shipped): 4,694,073 values = parameters + running stats + 49 counters.
        let lite = EfficientNetLite.parameters(variant: .lite0)
        #expect(lite.reduce(0) { $0 + $1.count } + 49 == 4_694_073)
        #expect(lite.prefix(6).map(\.description) == [
            "_conv_stem.weight [32, 3, 3, 3]", "_bn0.weight [32]", "_bn0.bias [32]", "_bn0.running_mean [32]",
            "_bn0.running_var [32]", "_blocks.0._depthwise_conv.weight [32, 1, 3, 3]",
        ])
        #expect(lite.suffix(4).map(\.description) == [
            "_bn1.running_mean [1280]", "_bn1.running_var [1280]", "_fc.weight [1000, 1280]", "_fc.bias [1000]",
        ])
    }
}
