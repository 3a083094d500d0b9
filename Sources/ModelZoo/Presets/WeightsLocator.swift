import Foundation

/// Finds a preset's weights where users already have them: files registered with
/// `imgvec models add`, the torch hub checkpoint cache, Python packages' site-packages
/// folders (and, once downloaded, the Hugging Face hub cache).
public struct WeightsLocator: Sendable {
    public var environment: [String: String]
    public var home: String

    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                home: String = NSHomeDirectory()) {
        self.environment = environment
        self.home = home
    }

    /// Where `imgvec models add` records files: `$IMGVEC_HOME/models.json`, else
    /// `~/.config/imgvec/models.json`.
    public var registryURL: URL {
        let base = environment["IMGVEC_HOME"] ?? (environment["XDG_CONFIG_HOME"].map { $0 + "/imgvec" } ?? home + "/.config/imgvec")
        return URL(fileURLWithPath: base).appendingPathComponent("models.json")
    }

    /// The torch hub checkpoint folder: `$TORCH_HOME/hub/checkpoints`, else
    /// `$XDG_CACHE_HOME/torch/hub/checkpoints`, else `~/.cache/torch/hub/checkpoints`.
    public var torchHubCheckpoints: URL {
        let torchHome = environment["TORCH_HOME"]
            ?? (environment["XDG_CACHE_HOME"].map { $0 + "/torch" } ?? home + "/.cache/torch")
        return URL(fileURLWithPath: torchHome).appendingPathComponent("hub/checkpoints")
    }

    /// Files registered by name.
    public func registeredFiles() -> [String: String] {
        guard let data = try? Data(contentsOf: registryURL),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: String] else { return [:] }
        return object
    }

    /// Records `file` as the weights of preset `name`.
    public func register(name: String, file: String) throws {
        var files = registeredFiles()
        files[name] = URL(fileURLWithPath: file).standardizedFileURL.path
        try FileManager.default.createDirectory(at: registryURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        let data = try JSONSerialization.data(withJSONObject: files, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try data.write(to: registryURL, options: .atomic)
    }

    /// The weights file for `preset`, or `nil` when none is found locally.
    public func locate(_ preset: ModelPreset) -> URL? {
        if let registered = registeredFiles()[preset.name], FileManager.default.fileExists(atPath: registered) {
            return URL(fileURLWithPath: registered)
        }
        for source in preset.weights {
            switch source {
            case let .torchHub(prefix, _):
                let folder = torchHubCheckpoints
                let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
                if let match = names.filter({ $0.hasPrefix(prefix) && ($0.hasSuffix(".pth") || $0.hasSuffix(".pt")) }).sorted().last {
                    return folder.appendingPathComponent(match)
                }
            case let .pythonPackage(package, relativePath):
                for folder in sitePackages() {
                    let candidate = folder.appendingPathComponent(package).appendingPathComponent(relativePath)
                    if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
                }
            case let .huggingFace(repo, filename):
                let cache = HubCache(environment: HubEnvironment(environment))
                if let cached = try? cache.cachedFile(repo: repo, filename: filename) { return cached }
            }
        }
        return nil
    }

    /// Python site-packages folders, without running Python: virtual environments,
    /// pyenv versions, user and system installs.
    public func sitePackages() -> [URL] {
        var roots: [String] = []
        if let venv = environment["VIRTUAL_ENV"] { roots.append(venv + "/lib") }
        if let conda = environment["CONDA_PREFIX"] { roots.append(conda + "/lib") }
        let pyenv = environment["PYENV_ROOT"] ?? home + "/.pyenv"
        if let versions = try? FileManager.default.contentsOfDirectory(atPath: pyenv + "/versions") {
            roots += versions.sorted().map { pyenv + "/versions/" + $0 + "/lib" }
        }
        roots += [home + "/.local/lib", "/usr/local/lib", "/usr/lib", "/opt/homebrew/lib"]
        var result: [URL] = []
        for root in roots {
            guard let pythons = try? FileManager.default.contentsOfDirectory(atPath: root) else { continue }
            for python in pythons.sorted() where python.hasPrefix("python3") {
                for leaf in ["site-packages", "dist-packages"] {
                    let url = URL(fileURLWithPath: root).appendingPathComponent(python).appendingPathComponent(leaf)
                    if FileManager.default.fileExists(atPath: url.path) { result.append(url) }
                }
            }
        }
        return result
    }
}
