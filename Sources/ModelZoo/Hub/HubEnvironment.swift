import Foundation

/// The Hugging Face settings that come from environment variables, resolved the way
/// `huggingface_hub` resolves them so that Python tools and imgvec share one cache.
///
/// Built from a dictionary so tests (and callers) never have to mutate the process environment.
public struct HubEnvironment: Sendable, Equatable {
    /// The cache root: `$HF_HUB_CACHE` (or the older `$HUGGINGFACE_HUB_CACHE`), else `$HF_HOME/hub`, else `~/.cache/huggingface/hub`
    /// (with `$XDG_CACHE_HOME` standing in for `~/.cache` when set, as huggingface_hub does).
    public var cacheRoot: URL
    /// The hub endpoint: `$HF_ENDPOINT`, else `https://huggingface.co`.
    public var endpoint: URL
    /// True when `HF_HUB_OFFLINE` is `1`, `true`, `yes` or `on` (any case).
    public var isOffline: Bool
    /// An access token for gated/private repositories: `$HF_TOKEN`, else the `token` file in `$HF_HOME`.
    public var token: String?

    /// The public hub.
    public static let defaultEndpoint = URL(string: "https://huggingface.co")!

    /// Resolves the settings from `variables` (the process environment by default).
    public init(_ variables: [String: String] = ProcessInfo.processInfo.environment) {
        let home = Self.nonEmpty(variables["HOME"]) ?? NSHomeDirectory()
        let cacheHome = Self.nonEmpty(variables["XDG_CACHE_HOME"]).map(Self.expandTilde(home: home))
            ?? home + "/.cache"
        let hfHome = Self.nonEmpty(variables["HF_HOME"]).map(Self.expandTilde(home: home))
            ?? cacheHome + "/huggingface"
        let hubCache = (Self.nonEmpty(variables["HF_HUB_CACHE"]) ?? Self.nonEmpty(variables["HUGGINGFACE_HUB_CACHE"]))
            .map(Self.expandTilde(home: home))
            ?? hfHome + "/hub"
        cacheRoot = URL(fileURLWithPath: hubCache, isDirectory: true)

        if let text = Self.nonEmpty(variables["HF_ENDPOINT"]),
           let url = URL(string: text.hasSuffix("/") ? String(text.dropLast()) : text), url.scheme != nil {
            endpoint = url
        } else {
            endpoint = Self.defaultEndpoint
        }
        isOffline = Self.isTrue(variables["HF_HUB_OFFLINE"])
        if let value = Self.nonEmpty(variables["HF_TOKEN"]) {
            token = value
        } else if let text = try? String(contentsOfFile: hfHome + "/token", encoding: .utf8) {
            token = Self.nonEmpty(text.trimmingCharacters(in: .whitespacesAndNewlines))
        } else {
            token = nil
        }
    }

    /// Explicit settings (no environment involved).
    public init(cacheRoot: URL, endpoint: URL = HubEnvironment.defaultEndpoint,
                isOffline: Bool = false, token: String? = nil) {
        self.cacheRoot = cacheRoot
        self.endpoint = endpoint
        self.isOffline = isOffline
        self.token = token
    }

    /// huggingface_hub's truthy spellings for boolean environment variables.
    static func isTrue(_ value: String?) -> Bool {
        guard let value else { return false }
        return ["1", "true", "yes", "on", "y", "t"].contains(value.trimmingCharacters(in: .whitespaces).lowercased())
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }

    private static func expandTilde(home: String) -> (String) -> String {
        { path in
            if path == "~" { return home }
            if path.hasPrefix("~/") { return home + path.dropFirst() }
            return path
        }
    }
}
