import Foundation
import Testing
import TestSupport
@testable import ModelZoo

/// Downloads against the in-process `HubTestServer` on 127.0.0.1 (never the internet).
@Suite(.serialized)
struct HubDownloaderTests {
    static let repo = "test-org/tiny-model"
    static let commit = "0123456789abcdef0123456789abcdef01234567"

    /// A fresh cache folder, a server hosting a few files, and a downloader pointed at both.
    struct Fixture {
        let server: HubTestServer
        let root: URL
        let weights: [UInt8]
        let config: [UInt8]

        init() throws {
            server = try HubTestServer()
            root = FileManager.default.temporaryDirectory
                .appendingPathComponent("imgvec-hub-\(UUID().uuidString)", isDirectory: true)
            // Non-periodic bytes (a byte-swapped Weyl sequence) so misplaced ranges change the hash.
            weights = (0..<300_000).map { UInt8(truncatingIfNeeded: (UInt64($0) &* 0x9E37_79B9_7F4A_7C15).byteSwapped) }
            config = Array(#"{"hidden_size": 8}"#.utf8)
            server.host(repo: HubDownloaderTests.repo, filename: "onnx/model.onnx",
                        commit: HubDownloaderTests.commit, bytes: weights, lfs: true)
            server.host(repo: HubDownloaderTests.repo, filename: "config.json",
                        commit: HubDownloaderTests.commit, bytes: config, lfs: false)
        }

        func downloader(offline: Bool = false, resumeAttempts: Int = 0) -> HubDownloader {
            HubDownloader(environment: HubEnvironment(cacheRoot: root, endpoint: server.baseURL),
                          isOffline: offline, timeout: 10, resumeAttempts: resumeAttempts, retryDelay: 0)
        }

        var repoFolder: URL { root.appendingPathComponent("models--test-org--tiny-model") }
        var weightsBlob: URL { repoFolder.appendingPathComponent("blobs/" + HubTestServer.sha256Hex(weights)) }
        var cdnGets: [HubTestServer.Request] {
            server.requests.filter { $0.method == "GET" && $0.path.hasPrefix("/cdn/") }
        }

        func cleanUp() {
            server.stop()
            try? FileManager.default.removeItem(at: root)
        }
    }

    private func fileBytes(_ url: URL) throws -> [UInt8] { Array(try Data(contentsOf: url)) }

    @Test func cleanDownloadLandsInCacheLayoutAndSecondCallStaysOffline() throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        let downloader = fixture.downloader()
        var reports: [HubProgress] = []
        let path = try downloader.download(repo: Self.repo, filename: "onnx/model.onnx") { reports.append($0) }

        let snapshot = fixture.repoFolder.appendingPathComponent("snapshots/\(Self.commit)/onnx/model.onnx")
        #expect(path.path == snapshot.path)
        #expect(try fileBytes(path) == fixture.weights)
        let link = try FileManager.default.destinationOfSymbolicLink(atPath: snapshot.path)
        #expect(link == "../../../blobs/" + HubTestServer.sha256Hex(fixture.weights))
        #expect(try fileBytes(fixture.weightsBlob) == fixture.weights)
        let ref = try String(contentsOf: fixture.repoFolder.appendingPathComponent("refs/main"), encoding: .utf8)
        #expect(ref == Self.commit)
        #expect(!FileManager.default.fileExists(atPath: fixture.weightsBlob.path + ".incomplete"))
        #expect(reports.last == HubProgress(filename: "onnx/model.onnx", completedBytes: 300_000, totalBytes: 300_000))
        #expect(reports.map(\.completedBytes) == reports.map(\.completedBytes).sorted())

        // The HEAD is answered by the resolve URL itself (302, not followed); the GET goes via the CDN.
        let methods = fixture.server.requests.map { "\($0.method) \($0.path)" }
        #expect(methods.first == "HEAD /\(Self.repo)/resolve/main/onnx/model.onnx")
        #expect(fixture.cdnGets.count == 1)
        #expect(fixture.cdnGets.first?.headers["range"] == nil)

        // A non-LFS file: ETag (W/"git-sha") names the blob, Content-Length the size.
        let configPath = try downloader.download(repo: Self.repo, filename: "config.json")
        #expect(try fileBytes(configPath) == fixture.config)
        let configLink = try FileManager.default.destinationOfSymbolicLink(atPath: configPath.path)
        #expect(configLink == "../../blobs/" + HubTestServer.sha256Hex(fixture.config).prefix(40))

        // Second calls: served from the cache without any request.
        let count = fixture.server.requests.count
        #expect(try downloader.download(repo: Self.repo, filename: "onnx/model.onnx") == path)
        #expect(try downloader.download(repo: Self.repo, filename: "config.json") == configPath)
        #expect(fixture.server.requests.count == count)
        #expect(try downloader.cache.cachedFile(repo: Self.repo, filename: "config.json") == configPath)
    }

    @Test func checksumMismatchLeavesNoBlobAndNoSnapshot() throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        var wrong = fixture.weights
        wrong[1234] ^= 0xFF
        fixture.server.host(repo: Self.repo, filename: "onnx/model.onnx", commit: Self.commit,
                            bytes: fixture.weights, lfs: true, servedBytes: wrong)
        let error = #expect(throws: HubError.self) {
            try fixture.downloader().download(repo: Self.repo, filename: "onnx/model.onnx")
        }
        #expect(error == .checksumMismatch(file: "onnx/model.onnx", expected: HubTestServer.sha256Hex(fixture.weights),
                                           actual: HubTestServer.sha256Hex(wrong)))
        #expect(error?.description.contains(HubTestServer.sha256Hex(wrong)) == true)
        #expect(!FileManager.default.fileExists(atPath: fixture.weightsBlob.path))
        #expect(!FileManager.default.fileExists(atPath: fixture.weightsBlob.path + ".incomplete"))
        let snapshot = fixture.repoFolder.appendingPathComponent("snapshots/\(Self.commit)/onnx/model.onnx")
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: snapshot.path)) == nil)
        #expect(try fixture.downloader().cache.cachedFile(repo: Self.repo, filename: "onnx/model.onnx") == nil)
    }

    @Test func interruptedDownloadResumesWithRange() throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        fixture.server.dropConnection(pathPrefix: "/cdn/", afterBytes: 100_000)
        let error = #expect(throws: HubError.self) {
            try fixture.downloader(resumeAttempts: 0).download(repo: Self.repo, filename: "onnx/model.onnx")
        }
        guard case .transport(let url, _) = error else {
            Issue.record("expected a transport error, got \(String(describing: error))")
            return
        }
        #expect(url.contains("/cdn/"))
        let partial = fixture.weightsBlob.path + ".incomplete"
        #expect(try fileBytes(URL(fileURLWithPath: partial)) == Array(fixture.weights[..<100_000]))
        #expect(!FileManager.default.fileExists(atPath: fixture.weightsBlob.path))
        #expect(try fixture.downloader().cache.cachedFile(repo: Self.repo, filename: "onnx/model.onnx") == nil)

        let path = try fixture.downloader(resumeAttempts: 0).download(repo: Self.repo, filename: "onnx/model.onnx")
        #expect(fixture.cdnGets.last?.headers["range"] == "bytes=100000-")
        #expect(try fileBytes(path) == fixture.weights)
        #expect(HubTestServer.sha256Hex(try fileBytes(fixture.weightsBlob)) == HubTestServer.sha256Hex(fixture.weights))
        #expect(!FileManager.default.fileExists(atPath: partial))
    }

    @Test func droppedConnectionIsResumedWithinOneCall() throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        fixture.server.dropConnection(pathPrefix: "/cdn/", afterBytes: 70_000)
        fixture.server.dropConnection(pathPrefix: "/cdn/", afterBytes: 50_000)
        let path = try fixture.downloader(resumeAttempts: 2).download(repo: Self.repo, filename: "onnx/model.onnx")
        #expect(fixture.cdnGets.map { $0.headers["range"] } == [nil, "bytes=70000-", "bytes=120000-"])
        #expect(try fileBytes(path) == fixture.weights)
    }

    @Test func serverIgnoringRangeRestartsFromZero() throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        fixture.server.dropConnection(pathPrefix: "/cdn/", afterBytes: 10_000)
        #expect(throws: HubError.self) {
            try fixture.downloader().download(repo: Self.repo, filename: "onnx/model.onnx")
        }
        fixture.server.setIgnoresRange(true)
        let path = try fixture.downloader().download(repo: Self.repo, filename: "onnx/model.onnx")
        #expect(fixture.cdnGets.last?.headers["range"] == "bytes=10000-")
        #expect(try fileBytes(path) == fixture.weights)
    }

    @Test func offlineModeNamesTheMissingFileAndServesCachedOnes() throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        let cached = try fixture.downloader().download(repo: Self.repo, filename: "config.json")
        let count = fixture.server.requests.count

        let offline = fixture.downloader(offline: true)
        #expect(try offline.download(repo: Self.repo, filename: "config.json") == cached)
        #expect(try offline.download(repo: Self.repo, filename: "config.json", checkForUpdates: true) == cached)
        let error = #expect(throws: HubError.self) {
            try offline.download(repo: Self.repo, filename: "onnx/model.onnx")
        }
        #expect(error == .offline(repo: Self.repo, revision: "main", filename: "onnx/model.onnx",
                                  cacheRoot: fixture.root.standardizedFileURL.path))
        #expect(error?.description.contains("test-org/tiny-model/onnx/model.onnx") == true)
        #expect(error?.description.contains("HF_HUB_OFFLINE") == true)
        #expect(throws: HubError.self) { try offline.fileMetadata(repo: Self.repo, filename: "config.json") }
        #expect(fixture.server.requests.count == count)

        // The environment switch, spelled the ways huggingface_hub accepts.
        for value in ["1", "true", "YES", "on"] {
            let environment = HubEnvironment(["HF_HUB_OFFLINE": value, "HF_HUB_CACHE": fixture.root.path])
            #expect(HubDownloader(environment: environment).isOffline)
        }
        #expect(!HubDownloader(environment: HubEnvironment(["HF_HUB_OFFLINE": "0"])).isOffline)
    }

    @Test func renamedRepositoryRelativeRedirectIsFollowed() throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        fixture.server.rename(repository: "old-org/tiny-model", to: Self.repo)
        let downloader = fixture.downloader()
        let metadata = try downloader.fileMetadata(repo: "old-org/tiny-model", filename: "onnx/model.onnx")
        #expect(metadata.commit == Self.commit)
        #expect(metadata.sha256 == HubTestServer.sha256Hex(fixture.weights))
        #expect(metadata.size == 300_000)
        #expect(metadata.resolvedURL.path == "/\(Self.repo)/resolve/main/onnx/model.onnx")

        let path = try downloader.download(repo: "old-org/tiny-model", filename: "onnx/model.onnx")
        #expect(path.path.contains("/models--old-org--tiny-model/snapshots/\(Self.commit)/onnx/model.onnx"))
        #expect(try fileBytes(path) == fixture.weights)
    }

    @Test func checkForUpdatesReusesBlobOfAnotherCommit() throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        let downloader = fixture.downloader()
        let first = try downloader.download(repo: Self.repo, filename: "onnx/model.onnx")
        // Same commit: one HEAD, no GET.
        let before = fixture.server.requests.count
        #expect(try downloader.download(repo: Self.repo, filename: "onnx/model.onnx", checkForUpdates: true) == first)
        #expect(fixture.server.requests.dropFirst(before).map(\.method) == ["HEAD"])

        // main moves to a new commit with the same file: new snapshot, same blob, refs/main updated, no GET.
        let newCommit = String(repeating: "f", count: 40)
        fixture.server.host(repo: Self.repo, filename: "onnx/model.onnx", commit: newCommit,
                            bytes: fixture.weights, lfs: true)
        let gets = fixture.cdnGets.count
        let second = try downloader.download(repo: Self.repo, filename: "onnx/model.onnx", checkForUpdates: true)
        #expect(second.path.contains("/snapshots/\(newCommit)/onnx/model.onnx"))
        #expect(fixture.cdnGets.count == gets)
        #expect(try fileBytes(second) == fixture.weights)
        let ref = try String(contentsOf: fixture.repoFolder.appendingPathComponent("refs/main"), encoding: .utf8)
        #expect(ref == newCommit)
        // The old snapshot still resolves by its commit.
        #expect(try downloader.cache.cachedFile(repo: Self.repo, revision: Self.commit, filename: "onnx/model.onnx")
                == first)

        // Hub unreachable: the cached copy is returned.
        fixture.server.stop()
        Thread.sleep(forTimeInterval: 0.2)
        #expect(try downloader.download(repo: Self.repo, filename: "onnx/model.onnx", checkForUpdates: true) == second)
    }

    @Test func slowButSteadyTransferOutlivesTheIdleTimeout() throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        fixture.server.setPacing(chunk: 40_000, delay: 0.2)  // ~1.6 s in total, never idle for 1 s
        let downloader = HubDownloader(environment: HubEnvironment(cacheRoot: fixture.root,
                                                                   endpoint: fixture.server.baseURL),
                                       timeout: 1, resumeAttempts: 0, retryDelay: 0)
        let start = Date()
        let path = try downloader.download(repo: Self.repo, filename: "onnx/model.onnx")
        #expect(Date().timeIntervalSince(start) > 1.2)
        #expect(try fileBytes(path) == fixture.weights)
    }

    @Test func httpErrorsNameTheURL() throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        let error = #expect(throws: HubError.self) {
            try fixture.downloader().download(repo: Self.repo, filename: "missing.bin")
        }
        guard case .httpStatus(let url, let status) = error else {
            Issue.record("expected an HTTP status error, got \(String(describing: error))")
            return
        }
        #expect(status == 404)
        #expect(url.hasSuffix("/\(Self.repo)/resolve/main/missing.bin"))
        #expect(error?.description.contains("not found") == true)
        #expect(!FileManager.default.fileExists(atPath: fixture.repoFolder.appendingPathComponent("snapshots").path))
    }

    @Test func revisionsAndFilenamesArePercentEncoded() throws {
        let downloader = HubDownloader(environment: HubEnvironment(cacheRoot: URL(fileURLWithPath: "/tmp/x"),
                                                                   endpoint: URL(string: "https://hub.test/")!))
        let url = downloader.resolveURL(repo: "org/m", revision: "refs/pr/1", filename: "dir/a b+c.onnx")
        #expect(url.absoluteString == "https://hub.test/org/m/resolve/refs%2Fpr%2F1/dir/a%20b%2Bc.onnx")
    }
}
