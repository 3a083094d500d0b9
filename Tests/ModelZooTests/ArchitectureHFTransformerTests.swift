import Foundation
import Graph
import ModelZoo
import Tensor
import TestSupport
import Testing

/// DINOv2 and CLIP vision builders: tiny random checkpoints written with Hugging Face names,
/// read back by the real safetensors reader, built, run, and compared with
/// ``ReferenceHFTransformer``; the error report; the full-size presets' shapes and sizes.
@Suite("Hugging Face vision transformers")
struct ArchitectureHFTransformerTests {
    /// imageSize 42 / patch 14 -> a 3 x 3 token grid from a 5 x 5 position grid (bicubic downsampling).
    static let tinyDINOv2 = DINOv2.Config(imageSize: 42, patchSize: 14, layers: 2, heads: 4, hidden: 32, mlp: 64, positionGrid: 5)
    static let tinyCLIP = CLIPVision.Config(imageSize: 64, patchSize: 32, layers: 2, heads: 2, hidden: 32, mlp: 64, projection: 16)

    static func dinov2Weights(_ config: DINOv2.Config, seed: UInt64 = 21) -> [String: Tensor] {
        var weights = ArchitectureVariantTests.randomWeights(DINOv2.parameters(config: config), seed: seed)
        var generator = SeededGenerator(seed: seed + 1)
        // Large, distinct position embeddings and class token so the interpolation shows in the output.
        weights["embeddings.position_embeddings"] = generator.tensor([1, config.positionGrid * config.positionGrid + 1, config.hidden])
        weights["embeddings.cls_token"] = generator.tensor([1, 1, config.hidden])
        weights["embeddings.mask_token"] = Tensor(zeros: [1, config.hidden])
        return weights
    }

    static func clipWeights(_ config: CLIPVision.Config, seed: UInt64 = 31) -> [String: Tensor] {
        var weights = ArchitectureVariantTests.randomWeights(CLIPVision.parameters(config: config), seed: seed)
        var generator = SeededGenerator(seed: seed + 1)
        weights["vision_model.embeddings.position_embedding.weight"] = generator.tensor([config.tokens, config.hidden])
        weights["vision_model.embeddings.class_embedding"] = generator.tensor([config.hidden])
        return weights
    }

    /// The text half of a `CLIPModel` file and the position-id buffers the old exports carry.
    static func clipTextTower() -> [String: Tensor] {
        var generator = SeededGenerator(seed: 41)
        return [
            "text_model.embeddings.token_embedding.weight": generator.tensor([10, 8]),
            "text_model.encoder.layers.0.self_attn.q_proj.weight": generator.tensor([8, 8]),
            "text_model.final_layer_norm.weight": generator.tensor([8]),
            "text_projection.weight": generator.tensor([16, 8]),
            "logit_scale": Tensor(shape: [], floats: [2.6592]),
            "text_model.embeddings.position_ids": Tensor(shape: [1, 7], int64s: (0..<7).map(Int64.init)),
            "vision_model.embeddings.position_ids": Tensor(shape: [1, 5], int64s: (0..<5).map(Int64.init)),
        ]
    }

    /// Writes `tensors` as safetensors (the names in `bfloat16` as BF16) and reads them back with the real reader.
    static func roundTrip(_ tensors: [String: Tensor], bfloat16: Set<String> = []) throws -> WeightSource {
        let directory = try CheckpointTestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.safetensors")
        try SafetensorsTestWriter.write(tensors, to: url, bfloat16: bfloat16)
        let checkpoint = try CheckpointReader.read(contentsOf: url)
        #expect(checkpoint.format == .safetensors)
        return WeightSource(checkpoint.tensors)
    }

    static func images(_ count: Int, size: Int) -> Tensor {
        var generator = SeededGenerator(seed: 9)
        return generator.tensor([count, 3, size, size])
    }

    static func rows(_ tensor: Tensor) -> [[Float]] {
        let values = tensor.toFloats(), width = tensor.shape[1]
        return (0..<tensor.shape[0]).map { Array(values[$0 * width..<($0 + 1) * width]) }
    }

    // MARK: DINOv2

    @Test(arguments: DINOv2.Pooling.allCases)
    func dinov2MatchesDirectComputation(pooling: DINOv2.Pooling) throws {
        let config = Self.tinyDINOv2
        var weights = Self.dinov2Weights(config)
        // Some tensors stored as BF16 (as some hub exports are); the reference sees the same rounded values.
        let bf16: Set = ["encoder.layer.0.mlp.fc1.weight", "encoder.layer.1.layer_scale2.lambda1"]
        for name in bf16 { weights[name] = SafetensorsTestWriter.bfloat16Rounded(weights[name]!) }
        let graph = try DINOv2.build(config: config, weights: Self.roundTrip(weights, bfloat16: bf16), pooling: pooling)
        #expect(graph.outputs[0].shape == [.symbolic("batch"), .fixed(32)])
        let input = Self.images(2, size: config.imageSize)
        let output = try Session(graph: graph).run(input)
        #expect(output.shape == [2, 32])
        let reference = ReferenceHFTransformer(weights: weights, epsilon: 1e-6)
        let pixels = input.toFloats(), perImage = 3 * config.imageSize * config.imageSize
        for (index, row) in Self.rows(output).enumerated() {
            let expected = reference.dinov2(Array(pixels[index * perImage..<(index + 1) * perImage]), config: config, pooling: pooling)
            #expect(Comparison.maxAbsDifference(row, expected) <= 2e-5, "image \(index)")
        }
    }

    /// Upsampling (3 x 3 checkpoint grid -> 4 x 4 tokens), and the older `scale_factor` sampling
    /// giving a measurably different (so: checked) result.
    @Test func dinov2PositionGridUpsamplingAndSamplingModes() throws {
        var config = DINOv2.Config(imageSize: 56, patchSize: 14, layers: 1, heads: 2, hidden: 16, mlp: 32, positionGrid: 3)
        let weights = Self.dinov2Weights(config, seed: 5)
        let input = Self.images(1, size: 56)
        let output = try Session(graph: DINOv2.build(config: config, weights: WeightSource(weights))).run(input)
        let expected = ReferenceHFTransformer(weights: weights, epsilon: 1e-6).dinov2(input.toFloats(), config: config, pooling: .cls)
        #expect(Comparison.maxAbsDifference(output.toFloats(), expected) <= 2e-5)

        config.sampling = .scaleFactor(offset: 0.1)
        let older = try Session(graph: DINOv2.build(config: config, weights: WeightSource(weights))).run(input)
        #expect(Comparison.maxAbsDifference(older.toFloats(), expected) > 1e-4)
    }

    // MARK: CLIP

    @Test func clipImageFeaturesMatchDirectComputationAndTheTextTowerIsIgnored() throws {
        let config = Self.tinyCLIP
        let weights = Self.clipWeights(config)
        let file = weights.merging(Self.clipTextTower()) { a, _ in a }
        let graph = try CLIPVision.build(config: config, weights: Self.roundTrip(file))
        #expect(graph.outputs[0].shape == [.symbolic("batch"), .fixed(16)])
        #expect(!graph.initializers.keys.contains { $0.hasPrefix("text_") || $0 == "logit_scale" })
        let input = Self.images(2, size: config.imageSize)
        let output = try Session(graph: graph).run(input)
        let reference = ReferenceHFTransformer(weights: weights, epsilon: 1e-5)
        let pixels = input.toFloats(), perImage = 3 * config.imageSize * config.imageSize
        for (index, row) in Self.rows(output).enumerated() {
            let expected = reference.clipImageFeatures(Array(pixels[index * perImage..<(index + 1) * perImage]), config: config)
            #expect(Comparison.maxAbsDifference(row, expected) <= 2e-5, "image \(index)")
        }
    }

    // MARK: Errors

    @Test func missingUnexpectedAndMisshapedTensorsAreReportedTogether() throws {
        var clip = Self.clipWeights(Self.tinyCLIP).merging(Self.clipTextTower()) { a, _ in a }
        clip["vision_model.encoder.layers.1.self_attn.k_proj.bias"] = nil
        clip["vision_model.encoder.layers.2.mlp.fc1.weight"] = Tensor(zeros: [64, 32])   // a third layer the config lacks
        clip["visual_projection.weight"] = Tensor(zeros: [16, 31])
        do {
            _ = try CLIPVision.build(config: Self.tinyCLIP, weights: WeightSource(clip), name: "clip_tiny")
            Issue.record("built from damaged weights")
        } catch let error as ArchitectureError {
            #expect(error.architecture == "clip_tiny")
            #expect(error.missing == ["vision_model.encoder.layers.1.self_attn.k_proj.bias"])
            #expect(error.unexpected == ["vision_model.encoder.layers.2.mlp.fc1.weight"])
            #expect(error.wrongShape == [.init(name: "visual_projection.weight", expected: [16, 32], found: [16, 31])])
            #expect(error.other.isEmpty)
            #expect(error.description.contains("missing (1)") && error.description.contains("found [16, 31]"))
        }

        var dino = Self.dinov2Weights(Self.tinyDINOv2)
        dino["encoder.layer.0.layer_scale1.lambda1"] = nil
        dino["embeddings.position_embeddings"] = Tensor(zeros: [1, 37 * 37 + 1, 32])
        dino["embeddings.register_tokens"] = Tensor(zeros: [1, 4, 32])
        let error = try #require(throws: ArchitectureError.self) {
            try DINOv2.build(config: Self.tinyDINOv2, weights: WeightSource(dino))
        }
        #expect(error.missing == ["encoder.layer.0.layer_scale1.lambda1"])
        #expect(error.unexpected == ["embeddings.register_tokens"])
        #expect(error.wrongShape.map(\.name) == ["embeddings.position_embeddings"])
        // The mask token is optional: its absence is no error.
        var withoutMask = Self.dinov2Weights(Self.tinyDINOv2)
        withoutMask["embeddings.mask_token"] = nil
        _ = try DINOv2.build(config: Self.tinyDINOv2, weights: WeightSource(withoutMask))
    }

    @Test func thePresetsHaveNoClassifier() throws {
        let preset = try ArchitecturePreset(named: "dinov2_small")
        #expect(throws: ArchitectureError.self) {
            try preset.build(weights: ArchitectureVariantTests.zeroWeights(preset.parameters()), head: .classifier)
        }
    }

    // MARK: Full-size presets

    @Test func fullSizeParameterCounts() {
        // Hugging Face counts the (unused here) mask token: dinov2-small 22,056,576 parameters.
        #expect(DINOv2.parameters(config: .small).parameterCount + 384 == 22_056_576)
        #expect(DINOv2.parameters(config: .base).parameterCount + 768 == 86_580_480)
        // CLIPVisionModel ViT-B/32 (87,456,000) plus visual_projection (512 x 768).
        #expect(CLIPVision.parameters(config: .b32).parameterCount == 87_456_000 + 512 * 768)
        #expect(DINOv2.parameters(config: .small).contains(ParameterSpec(name: "embeddings.position_embeddings",
                                                                          shape: [1, 1370, 384], isBuffer: false)))
    }

    @Test func fullSizePresetsBuildWithTheRightShapes() throws {
        for (name, width) in [("dinov2_small", 384), ("dinov2_base_patchmean", 768), ("clip_vit_b_32", 512)] {
            let preset = try ArchitecturePreset(named: name)
            let graph = try preset.build(weights: ArchitectureVariantTests.zeroWeights(preset.parameters()))
            #expect(graph.inputs[0].shape == [.symbolic("batch"), .fixed(3), .fixed(224), .fixed(224)], "\(name)")
            #expect(graph.outputs[0].shape == [.symbolic("batch"), .fixed(width)], "\(name)")
            if name == "dinov2_small" {
                #expect(graph.initializers["embeddings.position_embeddings.resized_16x16"]?.shape == [1, 257, 384])
            }
        }
    }
}
