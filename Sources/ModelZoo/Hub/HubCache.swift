import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The huggingface_hub cache layout, shared with Python tools:
///
///     <root>/models--{org}--{name}/blobs/<etag>                  file contents (etag = sha256 for LFS files)
///     <root>/models--{org}--{name}/snapshots/<commit>/<filename> relative symlink to ../../blobs/<etag>
///     <root>/models--{org}--{name}/refs/<revision>               the commit hash the revision pointed to
///
/// Lookups here never touch the network.
public struct HubCache: Sendable, Equatable {
    /// The cache root folder (`$HF_HUB_CACHE` by default, see `HubEnvironment`).
    public let root: URL

    /// A cache at `root`.
    public init(root: URL) {
        self.root = root.standardizedFileURL
    }

    /// The cache that `environment` names.
    public init(environment: HubEnvironment = HubEnvironment()) {
        self.init(root: environment.cacheRoot)
    }

    // MARK: Paths

    /// `<root>/models--{org}--{name}`.
    public func repositoryFolder(repo: String) throws -> URL {
        try HubNames.validateRepository(repo)
        return root.appendingPathComponent("models--" + repo.replacingOccurrences(of: "/", with: "--"),
                                           isDirectory: true)
    }

    /// `blobs/<etag>` of `repo`.
    public func blobURL(repo: String, etag: String) throws -> URL {
        try HubNames.validateETag(etag)
        return try repositoryFolder(repo: repo).appendingPathComponent("blobs/" + etag)
    }

    /// `snapshots/<commit>/<filename>` of `repo`.
    public func snapshotURL(repo: String, commit: String, filename: String) throws -> URL {
        try HubNames.validateFilename(filename)
        try HubNames.validateRevision(commit)
        return try repositoryFolder(repo: repo).appendingPathComponent("snapshots/\(commit)/\(filename)")
    }

    /// `refs/<revision>` of `repo` (a text file holding a commit hash).
    public func refURL(repo: String, revision: String) throws -> URL {
        try HubNames.validateRevision(revision)
        return try repositoryFolder(repo: repo).appendingPathComponent("refs/" + revision)
    }

    /// The lock file that serialises downloads of one blob across processes:
    /// `<root>/.locks/models--{org}--{name}/<etag>.lock` (as huggingface_hub does).
    func lockURL(repo: String, etag: String) throws -> URL {
        try HubNames.validateETag(etag)
        let folder = try repositoryFolder(repo: repo).lastPathComponent
        return root.appendingPathComponent(".locks/\(folder)/\(etag).lock")
    }

    // MARK: Lookup

    /// The commit `revision` stands for: the revision itself when it is a 40-hex commit hash,
    /// else the contents of `refs/<revision>`; nil when the cache does not know it.
    public func commit(repo: String, revision: String) throws -> String? {
        if HubNames.isCommitHash(revision) { return revision }
        let ref = try refURL(repo: repo, revision: revision)
        guard let text = try? String(contentsOf: ref, encoding: .utf8) else { return nil }
        let commit = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return HubNames.isCommitHash(commit) ? commit : nil
    }

    /// The cached copy of `filename` at `revision`, or nil when it is not (completely) cached.
    /// The URL is the snapshot path (a symlink into `blobs/`), which is what Python tools return too.
    public func cachedFile(repo: String, revision: String = "main", filename: String) throws -> URL? {
        try HubNames.validateFilename(filename)
        guard let commit = try commit(repo: repo, revision: revision) else { return nil }
        let snapshot = try snapshotURL(repo: repo, commit: commit, filename: filename)
        // fileExists follows the symlink: a dangling link (blob deleted) counts as missing.
        return FileManager.default.fileExists(atPath: snapshot.path) ? snapshot : nil
    }

    // MARK: Writing

    /// Points `snapshots/<commit>/<filename>` at `blobs/<etag>` with a relative symlink, replacing any
    /// previous entry atomically (a new link is made beside it and renamed over it).
    public func linkSnapshot(repo: String, commit: String, filename: String, etag: String) throws {
        let snapshot = try snapshotURL(repo: repo, commit: commit, filename: filename)
        _ = try blobURL(repo: repo, etag: etag)
        let depth = filename.split(separator: "/").count + 1  // <commit>/ plus each folder of filename
        let target = String(repeating: "../", count: depth) + "blobs/" + etag
        try Self.createDirectory(snapshot.deletingLastPathComponent())
        let temporary = snapshot.deletingLastPathComponent()
            .appendingPathComponent(".\(snapshot.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try FileManager.default.createSymbolicLink(atPath: temporary.path, withDestinationPath: target)
        } catch {
            throw HubError.fileSystem(path: temporary.path, reason: "cannot create symlink: \(error)")
        }
        try Self.replace(snapshot, with: temporary)
    }

    /// Writes `refs/<revision>` = `commit` atomically. Does nothing when `revision` is the commit itself.
    public func writeRef(repo: String, revision: String, commit: String) throws {
        guard revision != commit else { return }
        let ref = try refURL(repo: repo, revision: revision)
        if (try? String(contentsOf: ref, encoding: .utf8)) == commit { return }
        try Self.createDirectory(ref.deletingLastPathComponent())
        let temporary = ref.deletingLastPathComponent()
            .appendingPathComponent(".\(ref.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try Data(commit.utf8).write(to: temporary)
        } catch {
            throw HubError.fileSystem(path: temporary.path, reason: "cannot write: \(error)")
        }
        try Self.replace(ref, with: temporary)
    }

    // MARK: Helpers

    static func createDirectory(_ url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw HubError.fileSystem(path: url.path, reason: "cannot create folder: \(error)")
        }
    }

    /// rename(2): atomic replacement of `destination` (file or symlink) by `source`.
    static func replace(_ destination: URL, with source: URL) throws {
        if rename(source.path, destination.path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(source.path)
            throw HubError.fileSystem(path: destination.path, reason: "cannot rename into place: \(reason)")
        }
    }
}
