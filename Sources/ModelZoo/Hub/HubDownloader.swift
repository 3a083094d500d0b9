import Foundation

/// Fetches files of Hugging Face model repositories into the shared huggingface_hub cache
/// (see `HubCache`), the way `hf_hub_download` does: a HEAD on `{endpoint}/{repo}/resolve/{revision}/{filename}`
/// for the commit, ETag and size, then a GET (following the redirect to the CDN) into
/// `blobs/<etag>.incomplete`, resumed with `Range` after a dropped connection, checked against the SHA-256
/// and size, and renamed into place before the snapshot symlink and `refs/<revision>` are written.
///
/// All calls block the calling thread until the file is in place.
public final class HubDownloader: @unchecked Sendable {
    /// Where files go and are looked up.
    public let cache: HubCache
    /// The hub endpoint used when a call passes none.
    public let endpoint: URL
    /// When true, every network access throws `HubError.offline`; cached files still resolve.
    public let isOffline: Bool
    /// How many times a dropped connection is resumed (with `Range`) within one call before giving up.
    public let resumeAttempts: Int
    /// Seconds to wait before each resume attempt (doubled each time).
    public let retryDelay: TimeInterval
    private let client: HubHTTPClient
    private static let maxRedirects = 10

    /// A downloader with explicit settings; `environment` supplies what is not given
    /// (`HF_HUB_CACHE`/`HF_HOME`, `HF_ENDPOINT`, `HF_HUB_OFFLINE`, `HF_TOKEN`).
    public init(environment: HubEnvironment = HubEnvironment(), cache: HubCache? = nil, endpoint: URL? = nil,
                isOffline: Bool? = nil, token: String? = nil, timeout: TimeInterval = 60,
                resumeAttempts: Int = 3, retryDelay: TimeInterval = 1) {
        self.cache = cache ?? HubCache(environment: environment)
        self.endpoint = endpoint ?? environment.endpoint
        self.isOffline = isOffline ?? environment.isOffline
        self.resumeAttempts = max(0, resumeAttempts)
        self.retryDelay = retryDelay
        self.client = HubHTTPClient(timeout: timeout, token: token ?? environment.token,
                                    tokenHost: (endpoint ?? environment.endpoint).host)
    }

    /// The local path of `filename` from `repo` at `revision`, downloading it when it is not cached.
    ///
    /// - Parameters:
    ///   - endpoint: overrides the downloader's endpoint for this call.
    ///   - checkForUpdates: when false (the default) a cached file is returned without any network access;
    ///     when true the hub is asked which commit `revision` points to now (a blob already cached under
    ///     another commit is reused without download; offline or unreachable: the cached file is used).
    ///   - progress: called on a background thread as bytes arrive.
    /// - Returns: the snapshot path `…/snapshots/<commit>/<filename>` (a symlink to the blob).
    @discardableResult
    public func download(repo: String, revision: String = "main", filename: String, endpoint: URL? = nil,
                         checkForUpdates: Bool = false,
                         progress: ((HubProgress) -> Void)? = nil) throws -> URL {
        try HubNames.validateRepository(repo)
        try HubNames.validateRevision(revision)
        try HubNames.validateFilename(filename)
        let cached = try cache.cachedFile(repo: repo, revision: revision, filename: filename)
        if let cached, !checkForUpdates || isOffline { return cached }
        if isOffline {
            throw HubError.offline(repo: repo, revision: revision, filename: filename, cacheRoot: cache.root.path)
        }
        let metadata: HubFileMetadata
        do {
            metadata = try fileMetadata(repo: repo, revision: revision, filename: filename, endpoint: endpoint)
        } catch HubError.transport(let url, let reason) {
            // Like huggingface_hub: when the hub cannot be reached, a cached copy is good enough.
            if let cached { return cached }
            throw HubError.transport(url: url, reason: reason)
        }
        let snapshot = try cache.snapshotURL(repo: repo, commit: metadata.commit, filename: filename)
        let blob = try cache.blobURL(repo: repo, etag: metadata.etag)
        if !FileManager.default.fileExists(atPath: snapshot.path) {
            try HubFileLock.withLock(at: try cache.lockURL(repo: repo, etag: metadata.etag)) {
                if !FileManager.default.fileExists(atPath: blob.path) {
                    try fetchBlob(metadata, filename: filename, to: blob, progress: progress)
                }
            }
            try cache.linkSnapshot(repo: repo, commit: metadata.commit, filename: filename, etag: metadata.etag)
        }
        try cache.writeRef(repo: repo, revision: revision, commit: metadata.commit)
        return snapshot
    }

    /// `{endpoint}/{repo}/resolve/{revision}/{filename}` with the revision and each filename
    /// component percent-encoded (a revision like `refs/pr/1` becomes one segment).
    public func resolveURL(repo: String, revision: String, filename: String, endpoint: URL? = nil) -> URL {
        let base = (endpoint ?? self.endpoint).absoluteString
        let encodedFile = filename.split(separator: "/").map { Self.percentEncode(String($0)) }.joined(separator: "/")
        let text = (base.hasSuffix("/") ? String(base.dropLast()) : base)
            + "/\(repo)/resolve/\(Self.percentEncode(revision))/\(encodedFile)"
        return URL(string: text)!
    }

    /// Asks the hub (HEAD, following only relative redirects) for the file's commit, ETag and size.
    public func fileMetadata(repo: String, revision: String = "main", filename: String,
                             endpoint: URL? = nil) throws -> HubFileMetadata {
        if isOffline {
            throw HubError.offline(repo: repo, revision: revision, filename: filename, cacheRoot: cache.root.path)
        }
        var url = resolveURL(repo: repo, revision: revision, filename: filename, endpoint: endpoint)
        for _ in 0..<Self.maxRedirects {
            let head = try client.head(url)
            if head.isRedirect, let location = head["Location"], Self.isRelative(location) {
                url = try Self.redirectTarget(location, from: url)
                continue
            }
            guard (200...299).contains(head.status) || head.isRedirect else {
                throw HubError.httpStatus(url: url.absoluteString, status: head.status)
            }
            return try HubFileMetadata(head: head, resolvedURL: url)
        }
        throw HubError.badRedirect(url: url.absoluteString, reason: "more than \(Self.maxRedirects) redirects")
    }

    // MARK: Blob transfer

    /// Downloads into `<blob>.incomplete` (resuming what is there), verifies, renames to `blob`.
    private func fetchBlob(_ metadata: HubFileMetadata, filename: String, to blob: URL,
                           progress: ((HubProgress) -> Void)?) throws {
        let partial = URL(fileURLWithPath: blob.path + ".incomplete")
        try HubCache.createDirectory(blob.deletingLastPathComponent())
        var attempt = 0
        while true {
            do {
                let writer = try HubBlobWriter(url: partial, expectedSize: metadata.size,
                                               hashing: metadata.sha256 != nil)
                if !writer.isComplete {
                    try transfer(metadata.resolvedURL, into: writer, filename: filename, progress: progress)
                }
                try writer.finish(filename: filename, expectedSHA256: metadata.sha256)
                break
            } catch let error as HubError {
                guard case .transport = error, attempt < resumeAttempts else { throw error }
                attempt += 1
                Thread.sleep(forTimeInterval: retryDelay * Double(1 << min(attempt - 1, 6)))
            }
        }
        try HubCache.replace(blob, with: partial)
    }

    /// One GET, following every redirect (the CDN hop), appending the 2xx body to `writer`.
    private func transfer(_ start: URL, into writer: HubBlobWriter, filename: String,
                          progress: ((HubProgress) -> Void)?) throws {
        var url = start
        for _ in 0..<Self.maxRedirects {
            let offset = writer.size
            let head = try client.get(url, rangeStart: offset,
                                      onResponse: { try writer.begin(response: $0, requestedOffset: offset) },
                                      onData: { data in
                                          try writer.append(data)
                                          progress?(HubProgress(filename: filename, completedBytes: writer.size,
                                                                totalBytes: writer.expectedSize))
                                      })
            if head.isRedirect {
                guard let location = head["Location"] else {
                    throw HubError.badRedirect(url: url.absoluteString, reason: "no Location header")
                }
                url = try Self.redirectTarget(location, from: url)
                continue
            }
            if head.status == 416 {
                writer.discard()  // our partial file is not a prefix the server knows: start over
                throw HubError.transport(url: url.absoluteString, reason: "range not satisfiable; restarting")
            }
            guard (200...299).contains(head.status) else {
                throw HubError.httpStatus(url: url.absoluteString, status: head.status)
            }
            return
        }
        throw HubError.badRedirect(url: url.absoluteString, reason: "more than \(Self.maxRedirects) redirects")
    }

    // MARK: URL helpers

    private static func isRelative(_ location: String) -> Bool {
        URL(string: location)?.host == nil
    }

    private static func redirectTarget(_ location: String, from url: URL) throws -> URL {
        guard let target = URL(string: location, relativeTo: url)?.absoluteURL,
              let scheme = target.scheme?.lowercased(), scheme == "http" || scheme == "https"
        else { throw HubError.badRedirect(url: url.absoluteString, reason: "unusable Location '\(location)'") }
        return target
    }

    private static func percentEncode(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn:
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
