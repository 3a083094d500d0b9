import Foundation

/// Where a collection's vectors come from, fixed when the collection is created.
///
/// Two runs may add to the same collection only when everything here except
/// ``createdAt`` is equal; otherwise their vectors would not be comparable.
public struct CollectionProvenance: Equatable, Sendable {
    /// SHA-256 of the model file, lowercase hex.
    public var modelSHA256: String
    /// The model's name or preset, e.g. "resnet18".
    public var modelName: String
    /// The preprocessing recipe's name, e.g. "torchvision".
    public var recipeName: String
    /// The recipe's full JSON (compared as text: the caller should write it canonically).
    public var recipeJSON: String
    /// The graph output (or intermediate node) the vectors were read from.
    public var outputNode: String
    /// How spatial outputs were pooled into a vector, e.g. "mean" or "none".
    public var pooling: String
    /// Whether vectors were L2-normalised before storing.
    public var normalized: Bool
    /// Number of floats per vector.
    public var dimension: Int
    /// When the collection was created (set by the store; ignored when comparing).
    public var createdAt: Date?

    public init(modelSHA256: String, modelName: String, recipeName: String, recipeJSON: String,
                outputNode: String, pooling: String, normalized: Bool, dimension: Int, createdAt: Date? = nil) {
        self.modelSHA256 = modelSHA256
        self.modelName = modelName
        self.recipeName = recipeName
        self.recipeJSON = recipeJSON
        self.outputNode = outputNode
        self.pooling = pooling
        self.normalized = normalized
        self.dimension = dimension
        self.createdAt = createdAt
    }

    /// Equality of everything that makes vectors comparable (not ``createdAt``).
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.differences(from: rhs).isEmpty }

    /// Human-readable names of the fields that differ from `other`, e.g. ["model sha256", "pooling"].
    public func differences(from other: CollectionProvenance) -> [String] {
        var names: [String] = []
        if modelSHA256.lowercased() != other.modelSHA256.lowercased() { names.append("model sha256") }
        if modelName != other.modelName { names.append("model name") }
        if recipeName != other.recipeName { names.append("recipe name") }
        if recipeJSON != other.recipeJSON { names.append("recipe JSON") }
        if outputNode != other.outputNode { names.append("output node") }
        if pooling != other.pooling { names.append("pooling") }
        if normalized != other.normalized { names.append("normalised") }
        if dimension != other.dimension { names.append("dimension") }
        return names
    }

    /// A one-line summary: "model sha256 abc123def456… (resnet18) with recipe torchvision, output
    /// 'pool', pooling mean, normalised, 512 dims".
    public var summary: String {
        let hash = modelSHA256.count > 12 ? String(modelSHA256.prefix(12)) + "…" : modelSHA256
        return "model sha256 \(hash) (\(modelName)) with recipe \(recipeName), output '\(outputNode)', "
            + "pooling \(pooling), \(normalized ? "normalised" : "not normalised"), \(dimension) dims"
    }
}
