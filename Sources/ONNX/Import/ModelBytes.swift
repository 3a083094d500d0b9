import Foundation
import Tensor

/// The bytes of a model (or external-data file) and whoever keeps them alive.
///
/// A file on disk is memory-mapped; in-memory bytes are copied once into
/// 64-byte-aligned storage. Either way, tensors can view the bytes in place.
final class ModelBytes: @unchecked Sendable {
    /// Path (or name) used in error messages.
    let path: String
    /// All the bytes.
    let bytes: UnsafeRawBufferPointer
    private let mappedFile: MappedFile?
    private let storage: TensorStorage?

    /// Maps the file at `url`.
    init(mapping url: URL) throws {
        let path = url.path
        do {
            let file = try MappedFile(path: path)
            self.path = path
            self.mappedFile = file
            self.storage = nil
            self.bytes = file.bytes
        } catch let error as MappedFileError {
            throw ONNXError.cannotRead(path: path, reason: String(describing: error).replacingOccurrences(of: "\(path): ", with: ""))
        }
    }

    /// Copies `data` into aligned storage.
    init(copying data: Data, name: String) {
        let storage = TensorStorage(byteCount: data.count)
        data.withUnsafeBytes { source in
            if let base = source.baseAddress { storage.baseAddress.copyMemory(from: base, byteCount: source.count) }
        }
        self.path = name
        self.mappedFile = nil
        self.storage = storage
        self.bytes = UnsafeRawBufferPointer(start: storage.baseAddress, count: data.count)
    }

    /// Drops the resident file pages behind `byteCount` bytes at `offset` (no-op for
    /// in-memory bytes): after a copy has been made of them, they are only page cache.
    func releasePages(offset: Int, byteCount: Int) {
        guard let mappedFile, let base = bytes.baseAddress else { return }
        mappedFile.releasePages(base + offset, byteCount: byteCount)
    }

    /// Whether an element of `dataType` at `offset` is naturally aligned.
    func isAligned(offset: Int, for dataType: DataType) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        return Int(bitPattern: base + offset) % dataType.byteSize == 0
    }

    /// A tensor viewing the bytes at `offset` (no copy). The caller has checked
    /// that the range lies inside the buffer and is aligned.
    func view(dataType: DataType, shape: [Int], offset: Int) -> Tensor {
        if let mappedFile { return mappedFile.tensor(dataType: dataType, shape: shape, offset: offset) }
        return Tensor(dataType: dataType, shape: shape, storage: storage!, byteOffset: offset)
    }
}
