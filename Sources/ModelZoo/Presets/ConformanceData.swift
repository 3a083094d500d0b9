import Foundation

/// The images and reference vectors that ship with imgvec for `imgvec verify`.
public enum ConformanceData {
    /// The folder holding `images/`, `references/<preset>/` and `tolerances.json`.
    public static var folder: URL? {
        Bundle.module.url(forResource: "Conformance", withExtension: nil)
    }

    /// The shipped images, sorted by name.
    public static func images() -> [URL] {
        guard let folder else { return [] }
        let images = folder.appendingPathComponent("images")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: images.path)) ?? []
        return names.sorted().map { images.appendingPathComponent($0) }
    }

    /// Presets with reference vectors.
    public static func verifiablePresets() -> [String] {
        guard let folder else { return [] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("references").path)) ?? []
        return names.sorted()
    }

    /// The reference vector file of `preset` for the image with stem `stem`.
    public static func reference(preset: String, stem: String) -> URL? {
        guard let url = folder?.appendingPathComponent("references/\(preset)/\(stem).npy"),
              FileManager.default.fileExists(atPath: url.path) else { return nil }
        return url
    }

    /// `(maxAbs, minCosine)` for `preset`.
    public static func tolerance(preset: String) -> (maxAbs: Float, minCosine: Double) {
        guard let url = folder?.appendingPathComponent("tolerances.json"), let data = try? Data(contentsOf: url),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: [String: Double]],
              let entry = object[preset] else { return (2e-4, 0.99999) }
        return (Float(entry["max_abs"] ?? 2e-4), entry["min_cosine"] ?? 0.99999)
    }
}
