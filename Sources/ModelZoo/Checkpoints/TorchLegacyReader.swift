import Foundation
import Tensor

extension TorchCheckpointReader {
    /// The legacy format's magic number 0x1950a86a20f9469cfc6c as LONG1 bytes (little-endian).
    static let legacyMagic: [UInt8] = [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]
    static let legacyProtocolVersion: Int64 = 1001

    /// Reads a legacy (PyTorch < 1.6) checkpoint: five pickles (magic number, protocol version,
    /// sys_info, the object, the storage keys), then per key an int64 element count and the
    /// raw little-endian storage bytes, in the order of the key list.
    static func readLegacy(_ file: MappedFile, url: URL) throws -> Checkpoint {
        let path = url.path
        var cursor = ByteCursor(file.bytes, path: path)
        let noStorages: (PickleValue) throws -> PickleValue = { _ in
            throw CheckpointError.corrupt(path: path, reason: "persistent id in a legacy header pickle")
        }
        var header = RestrictedUnpickler(path: path, context: "magic number", persistentLoad: noStorages)
        guard case let .bigInt(magic) = try header.load(from: &cursor), magic == legacyMagic else {
            throw CheckpointError.unrecognisedFormat(path: path, reason: "a pickle without torch's legacy magic number")
        }
        header = RestrictedUnpickler(path: path, context: "protocol version", persistentLoad: noStorages)
        guard case let .int(version) = try header.load(from: &cursor), version == legacyProtocolVersion else {
            throw CheckpointError.unsupported(path: path, reason: "legacy protocol version is not \(legacyProtocolVersion)")
        }
        header = RestrictedUnpickler(path: path, context: "sys_info", persistentLoad: noStorages)
        if case let .dict(info) = try header.load(from: &cursor), case .bool(false)? = info["little_endian"] {
            throw CheckpointError.unsupported(path: path, reason: "big-endian legacy checkpoint")
        }
        let storages = StorageTable()
        var main = RestrictedUnpickler(path: path, context: "state pickle",
                                       persistentLoad: TorchStateDict.storageResolver(path: path, storages: storages))
        let root = try main.load(from: &cursor)
        let entries = try TorchStateDict.entries(in: root, path: path)
        var keyPickle = RestrictedUnpickler(path: path, context: "storage key list", persistentLoad: noStorages)
        guard let keyValues = try keyPickle.load(from: &cursor).asSequence else {
            throw CheckpointError.corrupt(path: path, reason: "legacy storage key list is not a list")
        }
        var storageBytes: [String: UnsafeRawBufferPointer] = [:]
        for keyValue in keyValues {
            guard let key = keyValue.asString, let storage = storages.references[key] else {
                throw CheckpointError.corrupt(path: path, reason: "storage key list names a storage the state never used")
            }
            let count = try cursor.i64("element count of storage \(key)")
            guard count == storage.elementCount else {
                throw CheckpointError.corrupt(path: path, reason: "storage \(key) holds \(count) elements, \(storage.elementCount) expected")
            }
            let byteCount = storage.elementCount.multipliedReportingOverflow(by: storage.dataType.byteSize)
            guard !byteCount.overflow else { throw cursor.truncated("storage \(key)") }
            storageBytes[key] = try cursor.slice(byteCount.partialValue, "storage \(key)")
        }
        let tensors = try entries.map { entry -> (name: String, tensor: Tensor, storedType: DataType) in
            guard let bytes = storageBytes[entry.recipe.storage.key] else {
                throw CheckpointError.corrupt(path: path, reason: "storage \(entry.recipe.storage.key) of \(entry.name) has no data")
            }
            let tensor = try TensorMaterializer.tensor(entry.recipe, storageBytes: bytes, owner: file, name: entry.name, path: path)
            return (entry.name, tensor, entry.recipe.storage.dataType)
        }
        return Checkpoint(url: url, format: .torchLegacy, entries: tensors)
    }
}
