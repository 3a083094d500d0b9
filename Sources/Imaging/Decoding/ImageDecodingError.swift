/// Why an image could not be decoded. `description` is `"<path>: <reason>"`.
public struct ImageDecodingError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What kind of failure this is, for callers that branch on it.
    public enum Kind: String, Sendable {
        case unreadable, empty, unknownFormat, tooManyPixels, truncated, corrupt, unsupported
    }

    /// The file path or name the caller gave.
    public let path: String
    public let kind: Kind
    /// A human-readable reason (without the path).
    public let reason: String

    public init(path: String, kind: Kind, reason: String) {
        self.path = path
        self.kind = kind
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}

/// Thrown by the per-format decoders, which do not know the path; `ImageDecoder`
/// attaches it.
struct DecodingFailure: Error {
    let kind: ImageDecodingError.Kind
    let reason: String

    init(_ kind: ImageDecodingError.Kind, _ reason: String) {
        self.kind = kind
        self.reason = reason
    }

    /// A failure reported by a C library: its message decides truncated vs corrupt.
    static func library(_ format: ImageFormat, _ message: String) -> DecodingFailure {
        let text = message.isEmpty ? "corrupt \(format) data" : message
        let truncated = text.lowercased().contains("truncated") || text.contains("premature end")
        return DecodingFailure(truncated ? .truncated : .corrupt, "\(format): \(text)")
    }
}
