/// Validation of the names that become cache paths, so no repository id, revision, filename or
/// server-supplied ETag can point outside the cache folder.
enum HubNames {
    /// `name` or `org/name`; letters, digits, `-`, `_`, `.`; no `--` or `..` (huggingface_hub's rules).
    static func validateRepository(_ repo: String) throws {
        let parts = repo.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !repo.contains("--"), !repo.contains(".."),
              parts.allSatisfy({ !$0.isEmpty && $0.count <= 96 && $0.allSatisfy(isNameCharacter) }),
              !parts.contains(where: { $0.hasPrefix(".") || $0.hasPrefix("-") })
        else { throw HubError.invalidRepository(repo) }
    }

    /// A relative path inside the repository: no empty, `.` or `..` component, no backslash or NUL.
    static func validateFilename(_ filename: String) throws {
        guard isSafeRelativePath(filename) else { throw HubError.invalidFilename(filename) }
    }

    /// A branch, tag, `refs/pr/N` or commit hash.
    static func validateRevision(_ revision: String) throws {
        guard isSafeRelativePath(revision) else { throw HubError.invalidFilename("revision '\(revision)'") }
    }

    /// A blob name: the server's ETag after normalisation (hex for the real hub).
    static func validateETag(_ etag: String) throws {
        guard !etag.isEmpty, etag.count <= 200,
              etag.allSatisfy({ isNameCharacter($0) || $0 == "=" || $0 == "+" }), !etag.hasPrefix(".")
        else { throw HubError.invalidFilename("blob name '\(etag)'") }
    }

    /// 40 lowercase hex digits.
    static func isCommitHash(_ text: String) -> Bool {
        text.utf8.count == 40 && text.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    /// 64 hex digits (any case): an LFS SHA-256.
    static func isSHA256(_ text: String) -> Bool {
        text.utf8.count == 64 && text.allSatisfy(\.isHexDigit)
    }

    private static func isNameCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "-" || c == "_" || c == ".")
    }

    private static func isSafeRelativePath(_ path: String) -> Bool {
        guard !path.isEmpty, !path.hasPrefix("/"), !path.contains("\\"), !path.contains("\0") else {
            return false
        }
        return path.split(separator: "/", omittingEmptySubsequences: false)
            .allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    }
}
