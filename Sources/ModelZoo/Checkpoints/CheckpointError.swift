/// Why a checkpoint could not be read. Every case names the file and the reason.
public enum CheckpointError: Error, CustomStringConvertible, Equatable {
    /// The file could not be opened or mapped.
    case cannotRead(path: String, reason: String)
    /// The bytes match none of the supported formats.
    case unrecognisedFormat(path: String, reason: String)
    /// The file is truncated or internally inconsistent.
    case corrupt(path: String, reason: String)
    /// The file is well formed but uses a feature this reader does not support.
    case unsupported(path: String, reason: String)
    /// The pickle refers to a global outside the allow-list (e.g. `os.system`).
    /// Raised when the global is read, before anything could call it; nothing is ever executed.
    case forbiddenGlobal(path: String, global: String)
    /// A tensor the caller asked for is not in the checkpoint.
    case missingTensor(path: String, name: String)

    /// The file the error is about.
    public var path: String {
        switch self {
        case let .cannotRead(path, _), let .unrecognisedFormat(path, _), let .corrupt(path, _),
             let .unsupported(path, _), let .forbiddenGlobal(path, _), let .missingTensor(path, _):
            return path
        }
    }

    public var description: String {
        switch self {
        case let .cannotRead(path, reason): return "\(path): cannot read checkpoint: \(reason)"
        case let .unrecognisedFormat(path, reason): return "\(path): not a recognised checkpoint: \(reason)"
        case let .corrupt(path, reason): return "\(path): corrupt checkpoint: \(reason)"
        case let .unsupported(path, reason): return "\(path): unsupported checkpoint: \(reason)"
        case let .forbiddenGlobal(path, global):
            return "\(path): refusing pickle global '\(global)': only tensors, storages, dtypes and "
                + "OrderedDict may be rebuilt (nothing was executed)"
        case let .missingTensor(path, name): return "\(path): no tensor named '\(name)'"
        }
    }
}
