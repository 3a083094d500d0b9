import Foundation
import Testing
import TestSupport

/// `imgvec models pull/info/list` for the Hugging Face presets, through the real binary, against
/// the in-process `HubTestServer` (HF_ENDPOINT) with a throw-away HF_HOME: never the internet.
///
/// The server hosts a tiny stand-in file under the preset's real repository and file name
/// (`facebook/dinov2-small` / `model.safetensors`), so the test exercises the real preset, the
/// real download path and the real cache lookup; `pull` does not parse the weights.
@Suite(.serialized)
struct ModelsPullCommandTests {
    static let commit = "fedcba9876543210fedcba9876543210fedcba98"
    /// The smallest valid safetensors file: an empty header (`{}` padded to 8 bytes), no tensors.
    static let tinyWeights: [UInt8] = [8, 0, 0, 0, 0, 0, 0, 0] + Array("{}      ".utf8)

    /// A clean environment: HOME and every cache in `root`, the hub at `endpoint`.
    static func environment(root: URL, endpoint: URL?, offline: Bool = false) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("HF_") && !$0.key.hasPrefix("HUGGINGFACE_") && $0.key != "XDG_CACHE_HOME"
        }
        environment["HOME"] = root.appendingPathComponent("home").path
        environment["HF_HOME"] = root.appendingPathComponent("hf").path
        environment["IMGVEC_HOME"] = root.appendingPathComponent("imgvec").path
        environment["TORCH_HOME"] = root.appendingPathComponent("torch").path
        if let endpoint { environment["HF_ENDPOINT"] = endpoint.absoluteString }
        if offline { environment["HF_HUB_OFFLINE"] = "1" }
        return environment
    }

    @Test func pullPutsThePresetFileInTheHubCacheWhereInfoAndListFindIt() throws {
        let server = try HubTestServer()
        defer { server.stop() }
        server.host(repo: "facebook/dinov2-small", filename: "model.safetensors", commit: Self.commit,
                    bytes: Self.tinyWeights, lfs: true)
        let root = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let environment = Self.environment(root: root, endpoint: server.baseURL)

        let before = try CommandRunner.run(["models", "info", "dinov2-small"], environment: environment)
        #expect(before.status == 0, "\(before.stderr)")
        #expect(before.stdout.contains("local file:   not found"))
        #expect(before.stdout.contains("Hugging Face: facebook/dinov2-small / model.safetensors"))
        #expect(before.stdout.contains("licence:      Apache-2.0"))

        let pull = try CommandRunner.run(["models", "pull", "dinov2-small"], environment: environment)
        #expect(pull.status == 0, "\(pull.stderr)")
        let repo = root.appendingPathComponent("hf/hub/models--facebook--dinov2-small")
        let snapshot = repo.appendingPathComponent("snapshots/\(Self.commit)/model.safetensors")
        #expect(pull.stdout == "dinov2-small: \(snapshot.path)\n")
        #expect(Array(try Data(contentsOf: snapshot)) == Self.tinyWeights)
        let link = try FileManager.default.destinationOfSymbolicLink(atPath: snapshot.path)
        #expect(link == "../../blobs/" + HubTestServer.sha256Hex(Self.tinyWeights))
        #expect(try String(contentsOf: repo.appendingPathComponent("refs/main"), encoding: .utf8) == Self.commit)
        #expect(server.requests.contains { $0.path == "/facebook/dinov2-small/resolve/main/model.safetensors" })

        // The locator finds the pulled file, also with the hub switched off.
        let offline = Self.environment(root: root, endpoint: nil, offline: true)
        let info = try CommandRunner.run(["models", "info", "dinov2-small"], environment: offline)
        #expect(info.stdout.contains("local file:   \(snapshot.path)"), "\(info.stdout)")
        let list = try CommandRunner.run(["models", "list"], environment: offline)
        let line = list.stdout.split(separator: "\n").first { $0.hasPrefix("dinov2-small ") }
        #expect(line.map { $0.contains(" yes ") && $0.contains(" 384 ") && $0.contains("dinov2") } == true, "\(list.stdout)")
        #expect(list.stdout.contains("clip-vit-b32") && list.stdout.contains("dinov2-base"))
        // Pulling again offline is answered from the cache.
        let again = try CommandRunner.run(["models", "pull", "dinov2-small"], environment: offline)
        #expect(again.status == 0, "\(again.stderr)")
    }

    @Test func offlinePullOfAMissingFileFailsNamingIt() throws {
        let server = try HubTestServer()
        defer { server.stop() }
        server.host(repo: "openai/clip-vit-base-patch32", filename: "model.safetensors", commit: Self.commit,
                    bytes: Self.tinyWeights, lfs: true)
        let root = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }

        let result = try CommandRunner.run(["models", "pull", "clip-vit-b32"],
                                           environment: Self.environment(root: root, endpoint: server.baseURL, offline: true))
        #expect(result.status != 0)
        #expect(result.stderr.contains("openai/clip-vit-base-patch32/model.safetensors"), "\(result.stderr)")
        #expect(result.stderr.contains("HF_HUB_OFFLINE"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(server.requests.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("hf/hub/models--openai--clip-vit-base-patch32/snapshots").path))
    }

    @Test func aMissingFileOnTheHubFailsWithTheHTTPStatus() throws {
        let server = try HubTestServer()
        defer { server.stop() }
        let root = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try CommandRunner.run(["models", "pull", "dinov2-base"],
                                           environment: Self.environment(root: root, endpoint: server.baseURL))
        #expect(result.status != 0)
        #expect(result.stderr.contains("404"), "\(result.stderr)")
        #expect(result.stderr.contains("facebook/dinov2-base"), "\(result.stderr)")
    }
}
