import Foundation
import Tensor

/// The container format of a checkpoint file.
public enum CheckpointFormat: String, Sendable, CustomStringConvertible {
    /// Hugging Face safetensors.
    case safetensors
    /// `torch.save` zip archive (PyTorch >= 1.6).
    case torchZip = "torch-zip"
    /// `torch.save` legacy stream of pickles (PyTorch < 1.6).
    case torchLegacy = "torch-legacy"

    public var description: String { rawValue }
}

/// Named tensors read from a checkpoint file.
///
/// Floating-point tensors are float32 (float16/bfloat16 converted exactly, float64 rounded);
/// integer and boolean tensors keep their type (e.g. int64 `num_batches_tracked`).
/// ``storedDataTypes`` records what the file held. Tensors may view the memory-mapped file,
/// which stays mapped as long as any tensor refers to it.
public struct Checkpoint: @unchecked Sendable {
    /// The file the tensors came from.
    public let url: URL
    public let format: CheckpointFormat
    /// Tensor names in file order (state-dict order for torch files, data order for safetensors).
    public let names: [String]
    /// The tensors by name.
    public let tensors: [String: Tensor]
    /// The element type each tensor had in the file, before conversion to float32.
    public let storedDataTypes: [String: DataType]

    /// Builds a checkpoint from `(name, tensor, stored type)` entries; a repeated name keeps the last tensor.
    public init(url: URL, format: CheckpointFormat, entries: [(name: String, tensor: Tensor, storedType: DataType)]) {
        var names: [String] = []
        var tensors: [String: Tensor] = [:]
        var types: [String: DataType] = [:]
        for entry in entries {
            if tensors.updateValue(entry.tensor, forKey: entry.name) == nil { names.append(entry.name) }
            types[entry.name] = entry.storedType
        }
        self.url = url
        self.format = format
        self.names = names
        self.tensors = tensors
        self.storedDataTypes = types
    }

    /// Number of tensors.
    public var count: Int { names.count }

    /// The tensor named `name`, or `nil`.
    public subscript(name: String) -> Tensor? { tensors[name] }

    /// The tensor named `name`; throws ``CheckpointError/missingTensor(path:name:)`` when absent.
    public func tensor(_ name: String) throws -> Tensor {
        guard let tensor = tensors[name] else { throw CheckpointError.missingTensor(path: url.path, name: name) }
        return tensor
    }

    /// The tensor named `name` as float32 (integer tensors converted).
    public func float32Tensor(_ name: String) throws -> Tensor { try tensor(name).convertedToFloat32() }

    /// The elements of tensor `name` as `[Float]`.
    public func floats(_ name: String) throws -> [Float] { try tensor(name).toFloats() }

    /// The same checkpoint with `prefix` removed from every name that starts with it
    /// (e.g. `module.` left by `DataParallel`).
    public func removingPrefix(_ prefix: String) -> Checkpoint {
        let renamed = names.map { name -> (name: String, tensor: Tensor, storedType: DataType) in
            let newName = name.hasPrefix(prefix) ? String(name.dropFirst(prefix.count)) : name
            return (newName, tensors[name]!, storedDataTypes[name]!)
        }
        return Checkpoint(url: url, format: format, entries: renamed)
    }
}
