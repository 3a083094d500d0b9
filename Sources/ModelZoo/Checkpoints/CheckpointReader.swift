import Foundation
import Tensor

/// Reads a checkpoint file of any supported format, sniffed from its bytes.
///
/// ```swift
/// let checkpoint = try CheckpointReader.read(contentsOf: url)
/// let weight = try checkpoint.tensor("conv1.weight")   // float32, C-contiguous
/// ```
public enum CheckpointReader {
    /// How to read a checkpoint.
    public struct Options: Sendable {
        /// Remove a leading `module.` (left by `DataParallel`) from every name.
        public var stripModulePrefix: Bool
        /// Check the CRC-32 of every zip entry that is read (torch zip files).
        public var verifyChecksums: Bool

        public init(stripModulePrefix: Bool = false, verifyChecksums: Bool = true) {
            self.stripModulePrefix = stripModulePrefix
            self.verifyChecksums = verifyChecksums
        }
    }

    /// Reads the checkpoint at `url`: safetensors, torch zip (>= 1.6) or legacy torch (< 1.6).
    /// Throws ``CheckpointError`` naming the file and the reason; never executes pickled code.
    public static func read(contentsOf url: URL, options: Options = Options()) throws -> Checkpoint {
        let file: MappedFile
        do { file = try MappedFile(path: url.path) } catch {
            throw CheckpointError.cannotRead(path: url.path, reason: "\(error)")
        }
        let checkpoint: Checkpoint
        switch try format(of: file.bytes, path: url.path) {
        case .safetensors: checkpoint = try SafetensorsReader.read(file, url: url)
        case .torchZip: checkpoint = try TorchCheckpointReader.readZip(file, url: url, verifyChecksums: options.verifyChecksums)
        case .torchLegacy: checkpoint = try TorchCheckpointReader.readLegacy(file, url: url)
        }
        return options.stripModulePrefix ? checkpoint.removingPrefix("module.") : checkpoint
    }

    /// The format of a checkpoint from its first bytes.
    public static func format(of bytes: UnsafeRawBufferPointer, path: String) throws -> CheckpointFormat {
        if ZipArchive.looksLikeZip(bytes) { return .torchZip }
        if SafetensorsReader.looksLikeSafetensors(bytes) { return .safetensors }
        if bytes.count >= 2, bytes[0] == PickleOpcode.proto { return .torchLegacy }
        let reason = bytes.isEmpty ? "the file is empty"
            : "the first bytes match neither a zip archive, a pickle nor a safetensors header"
        throw CheckpointError.unrecognisedFormat(path: path, reason: reason)
    }
}
