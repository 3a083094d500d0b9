import Foundation
import Testing
@testable import ModelZoo

@Suite struct HubCacheTests {
    @Test func cacheRootFollowsHuggingFaceVariables() {
        #expect(HubEnvironment(["HF_HUB_CACHE": "/data/hub", "HF_HOME": "/hf", "HOME": "/home/u"]).cacheRoot.path
                == "/data/hub")
        #expect(HubEnvironment(["HF_HOME": "/hf", "HOME": "/home/u"]).cacheRoot.path == "/hf/hub")
        #expect(HubEnvironment(["HOME": "/home/u"]).cacheRoot.path == "/home/u/.cache/huggingface/hub")
        #expect(HubEnvironment(["HOME": "/home/u", "XDG_CACHE_HOME": "/xdg"]).cacheRoot.path == "/xdg/huggingface/hub")
        #expect(HubEnvironment(["HOME": "/home/u", "HF_HOME": "~/hf"]).cacheRoot.path == "/home/u/hf/hub")
        #expect(HubEnvironment(["HF_HUB_CACHE": "", "HF_HOME": "/hf"]).cacheRoot.path == "/hf/hub")
        #expect(HubCache(environment: HubEnvironment(["HF_HUB_CACHE": "/c"])).root.path == "/c")
        #expect(HubEnvironment(["HUGGINGFACE_HUB_CACHE": "/old", "HF_HOME": "/hf"]).cacheRoot.path == "/old")
    }

    @Test func endpointOfflineAndTokenVariables() {
        #expect(HubEnvironment([:]).endpoint.absoluteString == "https://huggingface.co")
        #expect(HubEnvironment(["HF_ENDPOINT": "https://mirror.test/"]).endpoint.absoluteString == "https://mirror.test")
        #expect(HubEnvironment(["HF_HUB_OFFLINE": "True"]).isOffline)
        #expect(!HubEnvironment(["HF_HUB_OFFLINE": "no"]).isOffline)
        #expect(!HubEnvironment([:]).isOffline)
        #expect(HubEnvironment(["HF_TOKEN": "hf_abc", "HF_HOME": "/nonexistent"]).token == "hf_abc")
    }

    @Test func lookupUsesRefsAndSnapshotsWithoutNetwork() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("imgvec-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let cache = HubCache(root: root)
        let commit = String(repeating: "ab", count: 20)
        let etag = String(repeating: "c", count: 64)
        #expect(try cache.cachedFile(repo: "org/m", filename: "model.onnx") == nil)

        let blob = try cache.blobURL(repo: "org/m", etag: etag)
        try FileManager.default.createDirectory(at: blob.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data([1, 2, 3]).write(to: blob)
        try cache.linkSnapshot(repo: "org/m", commit: commit, filename: "model.onnx", etag: etag)
        // Known by commit hash, not yet by branch name (no refs/main).
        #expect(try cache.cachedFile(repo: "org/m", revision: commit, filename: "model.onnx") != nil)
        #expect(try cache.cachedFile(repo: "org/m", filename: "model.onnx") == nil)
        try cache.writeRef(repo: "org/m", revision: "main", commit: commit)
        let found = try #require(try cache.cachedFile(repo: "org/m", filename: "model.onnx"))
        #expect(found.path == root.path + "/models--org--m/snapshots/\(commit)/model.onnx")
        #expect(try Data(contentsOf: found) == Data([1, 2, 3]))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: found.path) == "../../blobs/\(etag)")
        // Re-linking replaces the entry; a dangling link (blob removed) counts as not cached.
        try cache.linkSnapshot(repo: "org/m", commit: commit, filename: "model.onnx", etag: etag)
        try FileManager.default.removeItem(at: blob)
        #expect(try cache.cachedFile(repo: "org/m", filename: "model.onnx") == nil)
        // Legacy single-name repositories.
        #expect(try cache.repositoryFolder(repo: "gpt2").lastPathComponent == "models--gpt2")
    }

    @Test func unsafeNamesAreRejected() {
        let cache = HubCache(root: URL(fileURLWithPath: "/tmp/c"))
        for repo in ["", "a/b/c", "../x", "a/..", "a--b/c", "a b/c", "/abs"] {
            #expect(throws: HubError.invalidRepository(repo)) { try cache.repositoryFolder(repo: repo) }
        }
        for name in ["", "/etc/passwd", "a/../../b", "a//b", "./a", "a\\b"] {
            #expect(throws: HubError.self) { try cache.cachedFile(repo: "org/m", filename: name) }
        }
        #expect(throws: HubError.self) { try cache.blobURL(repo: "org/m", etag: "../../x") }
        #expect(HubFileMetadata.normalizeETag("W/\"abc\"") == "abc")
        #expect(HubFileMetadata.normalizeETag("\"abc\"") == "abc")
    }

    @Test func progressBarLine() {
        let bar = HubProgressBar(width: 10)
        #expect(bar.line(for: HubProgress(filename: "m.onnx", completedBytes: 4_200_000, totalBytes: 10_000_000))
                == "m.onnx  42% [####      ] 4.2 MB / 10.0 MB")
        #expect(bar.line(for: HubProgress(filename: "m.onnx", completedBytes: 10, totalBytes: 10))
                == "m.onnx 100% [##########] 10 B / 10 B")
        #expect(bar.line(for: HubProgress(filename: "c.json", completedBytes: 1500, totalBytes: nil)) == "c.json  1.5 kB")
        #expect(HubProgressBar.formatBytes(999_960) == "1.0 MB")
        #expect(HubProgressBar.formatBytes(1_234_567_890) == "1.2 GB")
    }
}
