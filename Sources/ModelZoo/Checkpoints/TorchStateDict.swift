/// Finds the state dict in an unpickled torch checkpoint and resolves persistent storage ids.
enum TorchStateDict {
    /// Keys under which training scripts nest the state dict (`{'state_dict': ...}`, `{'model': ...}`).
    static let wrapperKeys = ["state_dict", "model_state_dict", "model", "module"]

    /// The `(name, tensor recipe)` pairs of the state dict in `root`, in insertion order.
    /// Unwraps nested state dicts; non-tensor values are ignored.
    static func entries(in root: PickleValue, path: String) throws -> [(name: String, recipe: TensorRecipe)] {
        var value = root
        for _ in 0..<4 {
            guard case let .dict(dict) = value else {
                throw CheckpointError.unsupported(path: path, reason: "the checkpoint holds a \(value.kindName), not a state dict")
            }
            let tensors = dict.entries.compactMap { entry -> (String, TensorRecipe)? in
                guard case let .string(name) = entry.key, case let .tensor(recipe) = entry.value else { return nil }
                return (name, recipe)
            }
            if !tensors.isEmpty { return tensors.map { (name: $0.0, recipe: $0.1) } }
            guard let inner = wrapperKeys.lazy.compactMap({ dict[$0] }).first(where: { if case .dict = $0 { return true }; return false })
            else { break }
            value = inner
        }
        throw CheckpointError.unsupported(path: path, reason: "no tensors found in the checkpoint's state dict")
    }

    /// A persistent-id resolver for `('storage', torch.<Type>Storage, key, location, numel[, view])`.
    /// Records every storage it sees in `storages` (a key seen twice must agree).
    static func storageResolver(path: String, storages: StorageTable) -> (PickleValue) throws -> PickleValue {
        return { id in
            func corrupt(_ reason: String) -> CheckpointError { .corrupt(path: path, reason: "persistent id: \(reason)") }
            guard case let .tuple(items) = id, items.count >= 5, items[0].asString == "storage" else {
                throw corrupt("expected ('storage', type, key, location, numel), found a \(id.kindName)")
            }
            guard case let .global(.storageType(type)) = items[1] else {
                throw corrupt("storage type is a \(items[1].kindName)")
            }
            guard let key = items[2].asString, let count = items[4].asInt, count >= 0 else {
                throw corrupt("bad storage key or element count")
            }
            if items.count > 5, case .tuple = items[5] {
                throw CheckpointError.unsupported(path: path, reason: "storage views (legacy view metadata) in storage \(key)")
            }
            let reference = StorageReference(dataType: type, key: key, elementCount: count)
            if let known = storages.references[key] {
                guard known.dataType == type, known.elementCount == count else {
                    throw corrupt("storage \(key) declared twice with different types or sizes")
                }
            } else {
                storages.references[key] = reference
            }
            return .storage(reference)
        }
    }
}

/// The storages a pickle referred to, by key.
final class StorageTable {
    var references: [String: StorageReference] = [:]
}
