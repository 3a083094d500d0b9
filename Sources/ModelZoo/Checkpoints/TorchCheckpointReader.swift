import Foundation
import Tensor

/// Reads `torch.save` checkpoints: the zip format (PyTorch >= 1.6) and the legacy stream of
/// pickles (PyTorch < 1.6), with a ``RestrictedUnpickler`` that refuses every global but
/// tensors, storages, dtypes and `OrderedDict`.
public enum TorchCheckpointReader {
    /// Reads a torch checkpoint (either format) at `url`.
    public static func read(contentsOf url: URL, verifyChecksums: Bool = true) throws -> Checkpoint {
        let checkpoint = try CheckpointReader.read(contentsOf: url, options: .init(verifyChecksums: verifyChecksums))
        guard checkpoint.format != .safetensors else {
            throw CheckpointError.unrecognisedFormat(path: url.path, reason: "a safetensors file, not a torch checkpoint")
        }
        return checkpoint
    }

    // MARK: Zip format

    static func readZip(_ file: MappedFile, url: URL, verifyChecksums: Bool) throws -> Checkpoint {
        let path = url.path
        let archive = try ZipArchive(bytes: file.bytes, path: path)
        let pickles = archive.entries.filter { entry in
            let parts = entry.name.split(separator: "/", omittingEmptySubsequences: false)
            return parts.last == "data.pkl" && parts.count <= 2
        }
        guard let pickle = pickles.first else {
            throw CheckpointError.unrecognisedFormat(path: path, reason: "a zip file without <folder>/data.pkl (not a torch checkpoint)")
        }
        guard pickles.count == 1 else {
            throw CheckpointError.corrupt(path: path, reason: "several data.pkl entries: \(pickles.map(\.name))")
        }
        let folder = String(pickle.name.dropLast("data.pkl".count))
        if let order = archive.entry(named: folder + "byteorder") {
            let text = String(decoding: try archive.contents(of: order, verifyChecksum: verifyChecksums), as: UTF8.self)
            guard text.hasPrefix("little") else {
                throw CheckpointError.unsupported(path: path, reason: "byte order '\(text)' (only little-endian checkpoints)")
            }
        }
        let storages = StorageTable()
        var unpickler = RestrictedUnpickler(path: path, context: pickle.name,
                                            persistentLoad: TorchStateDict.storageResolver(path: path, storages: storages))
        var cursor = ByteCursor(try archive.contents(of: pickle, verifyChecksum: verifyChecksums), path: path)
        let root = try unpickler.load(from: &cursor)
        let entries = try TorchStateDict.entries(in: root, path: path)

        var storageBytes: [String: UnsafeRawBufferPointer] = [:]
        func bytes(of storage: StorageReference) throws -> UnsafeRawBufferPointer {
            if let known = storageBytes[storage.key] { return known }
            let name = folder + "data/" + storage.key
            guard let entry = archive.entry(named: name) else {
                throw CheckpointError.corrupt(path: path, reason: "storage \(storage.key) has no zip entry \(name)")
            }
            let data = try archive.contents(of: entry, verifyChecksum: verifyChecksums)
            let needed = storage.elementCount.multipliedReportingOverflow(by: storage.dataType.byteSize)
            guard !needed.overflow, data.count >= needed.partialValue else {
                throw CheckpointError.corrupt(path: path, reason: "\(name) has \(data.count) bytes, "
                    + "\(storage.elementCount) \(storage.dataType) elements need more")
            }
            let view = UnsafeRawBufferPointer(rebasing: data[0..<needed.partialValue])
            storageBytes[storage.key] = view
            return view
        }
        let tensors = try entries.map { entry -> (name: String, tensor: Tensor, storedType: DataType) in
            let tensor = try TensorMaterializer.tensor(entry.recipe, storageBytes: try bytes(of: entry.recipe.storage),
                                                       owner: file, name: entry.name, path: path)
            return (entry.name, tensor, entry.recipe.storage.dataType)
        }
        return Checkpoint(url: url, format: .torchZip, entries: tensors)
    }
}
