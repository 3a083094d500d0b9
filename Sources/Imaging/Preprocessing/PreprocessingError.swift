/// Errors from recipes, geometry and tensor building.
public enum PreprocessingError: Error, CustomStringConvertible, Equatable {
    /// A size or window that cannot be resized, cropped or batched.
    case invalidSize(String)
    /// A recipe value that makes no sense (`field`: `reason`).
    case invalidRecipe(field: String, reason: String)
    /// No preset with this name.
    case unknownPreset(name: String, known: [String])
    /// A recipe / configuration file that could not be read or parsed.
    case unreadableFile(path: String, reason: String)
    /// A Hugging Face or timm configuration this library cannot express exactly.
    case unsupportedConfiguration(source: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidSize(reason): return "invalid size: \(reason)"
        case let .invalidRecipe(field, reason): return "invalid preprocessing recipe: \(field): \(reason)"
        case let .unknownPreset(name, known):
            return "unknown preprocessing preset '\(name)' (known: \(known.joined(separator: ", ")))"
        case let .unreadableFile(path, reason): return "\(path): cannot read preprocessing recipe: \(reason)"
        case let .unsupportedConfiguration(source, reason): return "\(source): unsupported configuration: \(reason)"
        }
    }
}
