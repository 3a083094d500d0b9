/// A named model: where its weights come from, how to build it, how to feed it and
/// what to read from it. Presets are plain data (see ``ModelPreset/all``).
public struct ModelPreset: Sendable, Equatable {
    /// Where a preset's weights can be found.
    public enum WeightsSource: Sendable, Equatable {
        /// A torchvision checkpoint in the torch hub cache, matched by file-name prefix
        /// (`resnet50-` matches `resnet50-11ad3fa6.pth`), with its download URL.
        case torchHub(prefix: String, url: String)
        /// A file in a Hugging Face hub repository.
        case huggingFace(repo: String, filename: String)
        /// A file shipped inside a Python package in some site-packages folder.
        case pythonPackage(package: String, relativePath: String)
    }

    /// The name users type (`--model resnet50`).
    public var name: String
    /// One line for `imgvec models list`.
    public var summary: String
    /// The builder family and configuration (see ``ArchitectureName``).
    public var architecture: String
    /// Weight locations, tried in order.
    public var weights: [WeightsSource]
    /// The preprocessing recipe preset.
    public var recipe: String
    /// The graph value read as the embedding (`nil`: the graph output).
    public var outputNode: String?
    /// Pooling applied to that value (a `Pooling` raw value).
    public var pooling: String
    /// Length of the embedding.
    public var dimension: Int
    /// Licence of the weights.
    public var license: String
}
