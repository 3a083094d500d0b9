import ArgumentParser
import Foundation
import ImgVec

/// `imgvec verify [NAME]`: proves this installation reproduces the reference framework.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-run a preset on images shipped with imgvec and compare with the reference vectors.",
        discussion: """
        The references are ONNX Runtime's outputs for the same images with the reference
        framework's exact preprocessing. Prints the worst cosine and max-abs difference and exits
        non-zero past the tolerance. Without NAME, verifies every preset that has references.
        """
    )

    @Argument(help: "Preset name (default: all verifiable presets).")
    var name: String?

    func run() throws {
        let presets = name.map { [$0] } ?? ConformanceData.verifiablePresets()
        var failed = false
        for presetName in presets {
            guard let preset = ModelPreset.named(presetName) else { throw CLIError("no preset named '\(presetName)'") }
            guard ConformanceData.verifiablePresets().contains(preset.name) else {
                throw CLIError("no reference vectors ship for '\(preset.name)' (verifiable: \(ConformanceData.verifiablePresets().joined(separator: ", ")))")
            }
            let resolved = try ModelResolver().resolve(preset.name, options: SessionOptions())
            let recipe = try PreprocessingRecipe.preset(named: preset.recipe)
            let embedder = Embedder(model: resolved.model, options: EmbeddingOptions(
                recipe: recipe, pooling: Pooling(rawValue: preset.pooling) ?? .none, batchSize: 4))
            let images = ConformanceData.images()
            let results = try embedder.embedSynchronously(images)
            var worstCosine = 1.0, worstAbs: Float = 0, compared = 0
            for result in results {
                let stem = result.url.deletingPathExtension().lastPathComponent
                guard let referenceURL = ConformanceData.reference(preset: preset.name, stem: stem) else { continue }
                let vector = try result.outcome.get()
                let expected = try NumPyFile.read(referenceURL).toFloats()
                guard expected.count == vector.count else { throw CLIError("\(stem): dimension \(vector.count), reference \(expected.count)") }
                var dot = 0.0, a = 0.0, b = 0.0
                for i in vector.indices {
                    worstAbs = max(worstAbs, abs(vector[i] - expected[i]))
                    dot += Double(vector[i]) * Double(expected[i]); a += Double(vector[i] * vector[i]); b += Double(expected[i] * expected[i])
                }
                worstCosine = min(worstCosine, dot / (a.squareRoot() * b.squareRoot()))
                compared += 1
            }
            let (maxAbs, minCosine) = ConformanceData.tolerance(preset: preset.name)
            let ok = compared > 0 && worstAbs <= maxAbs && worstCosine >= minCosine
            failed = failed || !ok
            print(String(format: "%@ %@: %d images, worst cosine %.8f (>= %.5f), max abs diff %.2e (<= %.0e)  [%@]",
                         ok ? "PASS" : "FAIL", preset.name, compared, worstCosine, minCosine, worstAbs, maxAbs,
                         resolved.model.url.path))
        }
        if failed { throw ExitCode(1) }
    }
}
