import Foundation

/// Why a hub lookup or download failed. Every case names the repository file or URL involved.
public enum HubError: Error, Equatable, CustomStringConvertible {
    /// A repository id that is not `name` or `org/name` with safe characters.
    case invalidRepository(String)
    /// A filename that is empty, absolute, or climbs out of the repository (`..`).
    case invalidFilename(String)
    /// `HF_HUB_OFFLINE` is set and the file is not in the cache.
    case offline(repo: String, revision: String, filename: String, cacheRoot: String)
    /// The server answered with an unexpected HTTP status.
    case httpStatus(url: String, status: Int)
    /// The server's answer lacked a header the cache layout needs.
    case missingHeader(url: String, header: String)
    /// The connection failed or dropped (after any automatic resume attempts).
    case transport(url: String, reason: String)
    /// More redirects than allowed, or a redirect without a usable `Location`.
    case badRedirect(url: String, reason: String)
    /// The downloaded bytes do not hash to the SHA-256 the hub announced.
    case checksumMismatch(file: String, expected: String, actual: String)
    /// The downloaded size differs from the size the hub announced.
    case sizeMismatch(file: String, expected: Int64, actual: Int64)
    /// A cache file or folder could not be read, written or linked.
    case fileSystem(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidRepository(let repo):
            return "invalid repository id '\(repo)': expected 'name' or 'org/name'"
        case .invalidFilename(let name):
            return "invalid repository filename '\(name)'"
        case let .offline(repo, revision, filename, root):
            return "offline mode (HF_HUB_OFFLINE) is on and \(repo)/\(filename) at revision '\(revision)'"
                + " is not in the cache \(root)"
        case let .httpStatus(url, status):
            return "HTTP \(status) (\(Self.meaning(of: status))) from \(url)"
        case let .missingHeader(url, header):
            return "the answer from \(url) has no \(header) header; is this a Hugging Face hub endpoint?"
        case let .transport(url, reason):
            return "download of \(url) failed: \(reason)"
        case let .badRedirect(url, reason):
            return "redirect from \(url) failed: \(reason)"
        case let .checksumMismatch(file, expected, actual):
            return "checksum mismatch for \(file): expected sha256 \(expected), got \(actual)"
        case let .sizeMismatch(file, expected, actual):
            return "size mismatch for \(file): expected \(expected) bytes, got \(actual)"
        case let .fileSystem(path, reason):
            return "cache file \(path): \(reason)"
        }
    }

    private static func meaning(of status: Int) -> String {
        switch status {
        case 401: return "unauthorized: the repository is private or gated; set HF_TOKEN"
        case 403: return "forbidden: accept the model's terms on the hub or check HF_TOKEN"
        case 404: return "not found: check the repository, revision and filename"
        case 416: return "range not satisfiable"
        case 429: return "rate limited: retry later"
        case 500...599: return "server error"
        default: return "unexpected status"
        }
    }
}
