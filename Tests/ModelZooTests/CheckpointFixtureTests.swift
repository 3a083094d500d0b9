import Foundation
import Tensor
import Testing
import TestSupport
@testable import ModelZoo

@Suite("Checkpoint fixtures")
struct CheckpointFixtureTests {
    @Test("vit_tiny.pth (committed copy) loads with the reference names, shapes and values")
    func vitTinyLocal() throws {
        let checkpoint = try CheckpointReader.read(contentsOf: CheckpointTestData.local("vit_tiny.pth"))
        #expect(checkpoint.format == .torchZip)
        #expect(checkpoint.count == 30)
        let expected = try #require(CheckpointTestData.references["vit_tiny.pth"])
        CheckpointTestData.expectMatches(checkpoint, expected)
        #expect(try checkpoint.tensor("encoder.pos_embedding").shape == [1, 197, 192])
        #expect(throws: CheckpointError.self) { try checkpoint.tensor("heads.head.weight") }
    }

    @Test("float32 storages in a torch zip are viewed in the mapped file, not copied")
    func zipViewsInPlace() throws {
        let checkpoint = try CheckpointReader.read(contentsOf: CheckpointTestData.local("vit_tiny.pth"))
        let first = try checkpoint.tensor("class_token"), second = try checkpoint.tensor("conv_proj.weight")
        // Both view the same mapping: their data lie within the file size of each other.
        let distance = abs(Int(bitPattern: second.rawPointer) - Int(bitPattern: first.rawPointer))
        #expect(distance < 4_314_797)
        #expect(Int(bitPattern: second.rawPointer) % 64 == 0)
    }

    @Test("every shared torch checkpoint matches manifest.json and the reference values")
    func sharedTorchCheckpoints() throws {
        for (key, file) in [("vit_tiny", "vit_tiny.pth"), ("mobilenet_v3_small", "mobilenet_v3_small.pth")] {
            guard let url = Fixtures.sharedFile("checkpoints/\(file)"),
                  let manifest = CheckpointTestData.manifestTensors(key) else { return }
            let checkpoint = try CheckpointReader.read(contentsOf: url)
            #expect(checkpoint.format == .torchZip)
            #expect(checkpoint.names == manifest.map(\.name))
            for entry in manifest {
                #expect(checkpoint[entry.name]?.shape == entry.shape, "\(entry.name)")
                #expect(checkpoint.storedDataTypes[entry.name]?.rawValue == entry.dtype, "\(entry.name)")
            }
            CheckpointTestData.expectMatches(checkpoint, try #require(CheckpointTestData.references[file]))
        }
    }

    @Test("resnet18_f16.safetensors: F16 converted exactly to float32, I64 kept")
    func resnet18Safetensors() throws {
        guard let url = Fixtures.sharedFile("checkpoints/resnet18_f16.safetensors"),
              let manifest = CheckpointTestData.manifestTensors("resnet18_f16") else { return }
        let checkpoint = try CheckpointReader.read(contentsOf: url)
        #expect(checkpoint.format == .safetensors)
        #expect(Set(checkpoint.names) == Set(manifest.map(\.name)))
        #expect(checkpoint.count == manifest.count)
        for entry in manifest {
            #expect(checkpoint[entry.name]?.shape == entry.shape, "\(entry.name)")
            let stored = try #require(checkpoint.storedDataTypes[entry.name])
            #expect(CheckpointTestData.manifestName(stored, format: .safetensors) == entry.dtype, "\(entry.name)")
        }
        #expect(try checkpoint.tensor("conv1.weight").dataType == .float32)
        #expect(try checkpoint.tensor("bn1.num_batches_tracked").dataType == .int64)
        CheckpointTestData.expectMatches(checkpoint, try #require(CheckpointTestData.references["resnet18_f16.safetensors"]))
    }
}
