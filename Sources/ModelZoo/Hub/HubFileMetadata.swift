import Foundation

/// What the hub tells about one file before its bytes are fetched (read from the first,
/// un-redirected answer, as huggingface_hub's `get_hf_file_metadata` does).
public struct HubFileMetadata: Sendable, Equatable {
    /// The commit the requested revision resolved to (`X-Repo-Commit`).
    public var commit: String
    /// The blob name: `X-Linked-Etag` (LFS files: the SHA-256) or `ETag` (git blob id), without quotes or `W/`.
    public var etag: String
    /// The file size (`X-Linked-Size`, else `Content-Length` of a non-redirect answer), when known.
    public var size: Int64?
    /// The resolve URL after relative (renamed-repository) redirects; the GET starts here.
    public var resolvedURL: URL

    /// The SHA-256 to verify against: the etag when it is 64 hex digits (an LFS file).
    public var sha256: String? { HubNames.isSHA256(etag) ? etag.lowercased() : nil }

    /// Reads the metadata from a response head; throws when the hub headers are missing.
    init(head: HubResponseHead, resolvedURL: URL) throws {
        let url = head.url.absoluteString
        guard let commit = head["X-Repo-Commit"]?.trimmingCharacters(in: .whitespaces), !commit.isEmpty else {
            throw HubError.missingHeader(url: url, header: "X-Repo-Commit")
        }
        guard let raw = head["X-Linked-Etag"] ?? head["ETag"], let etag = Self.normalizeETag(raw), !etag.isEmpty
        else { throw HubError.missingHeader(url: url, header: "ETag") }
        try HubNames.validateRevision(commit)
        try HubNames.validateETag(etag)
        self.commit = commit
        self.etag = etag
        let sizeText = head["X-Linked-Size"] ?? (head.isRedirect ? nil : head["Content-Length"])
        self.size = sizeText.flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
        self.resolvedURL = resolvedURL
    }

    /// `W/"abc"` → `abc`.
    static func normalizeETag(_ raw: String) -> String? {
        var text = raw.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("W/") { text.removeFirst(2) }
        text = text.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        return text.isEmpty ? nil : text
    }
}

/// One progress report of a download.
public struct HubProgress: Sendable, Equatable {
    /// The repository file being fetched.
    public var filename: String
    /// Bytes in the blob so far (including bytes of a resumed earlier attempt).
    public var completedBytes: Int64
    /// The expected size, when the hub announced it.
    public var totalBytes: Int64?
}
