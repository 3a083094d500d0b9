import Foundation
import Imaging
import ModelZoo
import Testing

/// The DINOv2 and CLIP presets: catalogue entries, their architectures, and the hub-cache lookup.
@Suite struct PresetHuggingFaceTests {
    @Test func catalogueEntries() throws {
        let expected: [(name: String, architecture: String, repo: String, recipe: String, dimension: Int, license: String)] = [
            ("dinov2-small", "dinov2_small", "facebook/dinov2-small", "dinov2", 384, "Apache-2.0"),
            ("dinov2-base", "dinov2_base", "facebook/dinov2-base", "dinov2", 768, "Apache-2.0"),
            ("clip-vit-b32", "clip_vit_b_32", "openai/clip-vit-base-patch32", "clip", 512, "MIT"),
        ]
        for item in expected {
            let preset = try #require(ModelPreset.named(item.name))
            #expect(preset.architecture == item.architecture)
            #expect(preset.weights == [.huggingFace(repo: item.repo, filename: "model.safetensors")])
            #expect(preset.recipe == item.recipe && preset.dimension == item.dimension && preset.license == item.license)
            #expect(preset.pooling == "none")   // the graph output is already the pooled vector
            _ = try PreprocessingRecipe.preset(named: preset.recipe)
            // The architecture exists; the last tensor it reads (final LayerNorm bias / visual projection)
            // has the preset's dimension as its first axis. (Full builds: ArchitectureHFTransformerTests.)
            let specs = try ArchitecturePreset(named: preset.architecture).parameters()
            #expect(specs.last?.shape.first == item.dimension, "\(item.name)")
        }
        #expect(ModelPreset.named("DINOv2_Small")?.name == "dinov2-small")
    }

    @Test func locatorFindsTheWeightsInTheHubCache() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("imgvec-hf-locator-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let cache = HubCache(root: root.appendingPathComponent("hf/hub"))
        let commit = String(repeating: "1f", count: 20), etag = String(repeating: "e", count: 64)
        let repo = "openai/clip-vit-base-patch32"
        let blob = try cache.blobURL(repo: repo, etag: etag)
        try FileManager.default.createDirectory(at: blob.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data([1]).write(to: blob)
        try cache.linkSnapshot(repo: repo, commit: commit, filename: "model.safetensors", etag: etag)
        let refs = root.appendingPathComponent("hf/hub/models--openai--clip-vit-base-patch32/refs")
        try FileManager.default.createDirectory(at: refs, withIntermediateDirectories: true)
        try commit.write(to: refs.appendingPathComponent("main"), atomically: true, encoding: .utf8)

        let locator = WeightsLocator(environment: ["HF_HOME": root.appendingPathComponent("hf").path,
                                                  "IMGVEC_HOME": root.appendingPathComponent("imgvec").path],
                                     home: root.appendingPathComponent("home").path)
        let found = locator.locate(ModelPreset.named("clip-vit-b32")!)
        #expect(found?.path.hasSuffix("models--openai--clip-vit-base-patch32/snapshots/\(commit)/model.safetensors") == true)
        #expect(locator.locate(ModelPreset.named("dinov2-small")!) == nil)
    }
}
