import Foundation
import Testing
import TestSupport

/// The fixture models and their tolerances, read from the shared manifest (or the
/// repository's copy of it for the small models when ../shared is absent).
struct ReferenceModel: CustomTestStringConvertible, Sendable {
    let name: String
    let modelURL: URL
    let atolRandomBatch: Float
    let atolImages: Float
    let atolDegenerate: Float
    var testDescription: String { name }

    /// Every model listed in the manifest whose file can be found.
    static let all: [ReferenceModel] = {
        guard let manifest = Manifest.load(), let models = manifest["models"] as? [String: [String: Any]] else { return [] }
        return models.keys.sorted().compactMap { name in
            guard let entry = models[name], let file = entry["file"] as? String,
                  let diffs = entry["observed_diffs"] as? [String: Any],
                  let url = Manifest.locate(file) else { return nil }
            func number(_ key: String) -> Float { Float((diffs[key] as? Double) ?? 0) }
            return ReferenceModel(name: name, modelURL: url,
                                  atolRandomBatch: number("suggested_atol_random_batch"),
                                  atolImages: number("suggested_atol_images"),
                                  atolDegenerate: number("suggested_atol_degenerate_images"))
        }
    }()
}

/// Access to manifest.json and the files it names.
enum Manifest {
    /// The shared manifest, else the repository's copy.
    static func load() -> [String: Any]? {
        let candidates = [Fixtures.shared?.appendingPathComponent("manifest.json"),
                          Fixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/shared-subset/manifest.json")]
        for case let url? in candidates {
            if let data = try? Data(contentsOf: url),
               let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] { return object }
        }
        return nil
    }

    /// A fixture file under ../shared/fixtures, else under the repository's subset copy.
    static func locate(_ relative: String) -> URL? {
        if let shared = Fixtures.shared {
            let url = shared.appendingPathComponent(relative)
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        let local = Fixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/shared-subset").appendingPathComponent(relative)
        return FileManager.default.fileExists(atPath: local.path) ? local : nil
    }

    /// The images the manifest flags as degenerate (constant content).
    static let degenerateStems: Set<String> = {
        guard let images = load()?["images"] as? [[String: Any]] else { return ["tiny_1x1", "png_gray16"] }
        // `degenerate` holds a reason (a string) when set; it applies to the image's main tensor only.
        return Set(images.compactMap { entry in
            guard let flag = entry["degenerate"], !(flag is NSNull), (flag as? Bool) != false else { return nil }
            return entry["stem"] as? String
        })
    }()
}
