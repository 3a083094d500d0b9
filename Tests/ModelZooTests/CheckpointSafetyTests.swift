import Foundation
import Tensor
import Testing
import TestSupport
@testable import ModelZoo

@Suite("Checkpoint safety: refused globals, damaged files")
struct CheckpointSafetyTests {
    @Test("malicious.pth is refused at its os.system global, nothing executed")
    func maliciousRefused() throws {
        var urls = [CheckpointTestData.local("malicious.pth")]
        if let shared = Fixtures.sharedFile("checkpoints/malicious.pth") { urls.append(shared) }
        for url in urls {
            do {
                _ = try CheckpointReader.read(contentsOf: url)
                Issue.record("malicious.pth was accepted")
            } catch let error as CheckpointError {
                #expect(error == .forbiddenGlobal(path: url.path, global: "os.system"))
                #expect(error.description.contains("os.system"))
                #expect(error.description.contains(url.path))
            }
        }
    }

    @Test("truncated copies of a torch zip throw")
    func truncatedZip() throws {
        let original = try Data(contentsOf: CheckpointTestData.local("vit_tiny.pth"))
        let directory = try CheckpointTestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let n = original.count
        for length in [0, 1, 4, 21, 22, 100, 1000, n / 2, n - 5000, n - 100, n - 22, n - 1] {
            let url = directory.appendingPathComponent("cut\(length).pth")
            try original.prefix(length).write(to: url)
            #expect(throws: CheckpointError.self, "length \(length)") { try CheckpointReader.read(contentsOf: url) }
        }
    }

    @Test("bit flips in the pickle, a storage record or the directory throw; random flips never crash")
    func bitFlippedZip() throws {
        let original = try Data(contentsOf: CheckpointTestData.local("vit_tiny.pth"))
        let directory = try CheckpointTestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // Locate entries with the reader's own zip parser.
        let url0 = CheckpointTestData.local("vit_tiny.pth")
        let file = try MappedFile(path: url0.path)
        let archive = try ZipArchive(bytes: file.bytes, path: url0.path)
        func dataOffset(_ name: String) throws -> Int {
            let entry = try #require(archive.entry(named: name))
            let data = try archive.contents(of: entry, verifyChecksum: true)
            return data.baseAddress! - file.bytes.baseAddress! + data.count / 2
        }
        let targets = [try dataOffset("vit_tiny/data.pkl"), try dataOffset("vit_tiny/data/1"), original.count - 22]
        for (i, position) in targets.enumerated() {
            var damaged = original
            damaged[position] ^= 0x10
            let url = directory.appendingPathComponent("flip\(i).pth")
            try damaged.write(to: url)
            #expect(throws: CheckpointError.self, "flip at \(position)") { try CheckpointReader.read(contentsOf: url) }
        }
        var random = SeededGenerator(seed: 7)
        for i in 0..<30 {
            var damaged = original
            let position = i < 15 ? Int.random(in: 0..<4096, using: &random) : Int.random(in: 0..<original.count, using: &random)
            damaged[position] ^= UInt8(1 << Int.random(in: 0..<8, using: &random))
            let url = directory.appendingPathComponent("random\(i).pth")
            try damaged.write(to: url)
            _ = try? CheckpointReader.read(contentsOf: url)
        }
    }

    @Test("unrecognised and empty files throw with the file name")
    func unrecognised() throws {
        let directory = try CheckpointTestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, bytes) in [("empty.bin", [UInt8]()), ("text.bin", Array("hello world, not a model".utf8))] {
            let url = directory.appendingPathComponent(name)
            try Data(bytes).write(to: url)
            #expect(throws: CheckpointError.unrecognisedFormat(path: url.path, reason: bytes.isEmpty ? "the file is empty"
                : "the first bytes match neither a zip archive, a pickle nor a safetensors header")) {
                try CheckpointReader.read(contentsOf: url)
            }
        }
        let missing = directory.appendingPathComponent("missing.pth")
        #expect(throws: CheckpointError.self) { try CheckpointReader.read(contentsOf: missing) }
    }
}
