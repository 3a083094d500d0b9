import Foundation
import Tensor

/// Locates test data: the repository's own small fixtures and the shared
/// reference fixtures (`../shared/fixtures` next to the checkout).
public enum Fixtures {
    /// The repository root (found from this source file's location).
    public static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    /// `../shared/fixtures`, or `IMGVEC_SHARED_FIXTURES` when set; `nil` when absent.
    public static let shared: URL? = {
        if let override = ProcessInfo.processInfo.environment["IMGVEC_SHARED_FIXTURES"] {
            return URL(fileURLWithPath: override)
        }
        let url = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures")
        return FileManager.default.fileExists(atPath: url.appendingPathComponent("manifest.json").path) ? url : nil
    }()

    /// A file under the shared fixtures, or `nil` (with a note on stderr) when they are absent.
    public static func sharedFile(_ relativePath: String) -> URL? {
        guard let shared else {
            FileHandle.standardError.write(Data("note: ../shared/fixtures not found; skipping checks that need \(relativePath)\n".utf8))
            return nil
        }
        let url = shared.appendingPathComponent(relativePath)
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }
}
