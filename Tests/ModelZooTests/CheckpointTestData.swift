import Foundation
import Tensor
import Testing
import TestSupport
@testable import ModelZoo

/// Locates checkpoint test data and the committed reference values (Tests/Fixtures/checkpoints).
enum CheckpointTestData {
    /// Tests/Fixtures/checkpoints: vit_tiny.pth, malicious.pth, references.json, make_references.py.
    static let localDirectory = Fixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/checkpoints")

    static func local(_ name: String) -> URL { localDirectory.appendingPathComponent(name) }

    /// One tensor's expected description, written by make_references.py.
    struct Reference: Decodable {
        let name: String
        let dtype: String
        let shape: [Int]
        let sum: Double
        let samples: [[Double]]
    }

    /// references.json: file name -> tensors in file order.
    static let references: [String: [Reference]] = {
        guard let data = try? Data(contentsOf: local("references.json")),
              let decoded = try? JSONDecoder().decode([String: [Reference]].self, from: data) else { return [:] }
        return decoded
    }()

    /// The manifest's name of a stored element type (torch names for .pth, safetensors names otherwise).
    static func manifestName(_ type: DataType, format: CheckpointFormat) -> String {
        guard format == .safetensors else { return type.rawValue }
        switch type {
        case .float32: return "F32"
        case .float16: return "F16"
        case .bfloat16: return "BF16"
        case .float64: return "F64"
        case .int64: return "I64"
        case .int32: return "I32"
        case .uint8: return "U8"
        case .bool: return "BOOL"
        default: return type.rawValue
        }
    }

    /// Checks names (in order), stored types, shapes, float32/int64 result types, sums and sampled values.
    static func expectMatches(_ checkpoint: Checkpoint, _ expected: [Reference], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(checkpoint.names == expected.map(\.name), sourceLocation: sourceLocation)
        for reference in expected {
            guard let tensor = checkpoint[reference.name] else {
                Issue.record("missing \(reference.name)", sourceLocation: sourceLocation)
                continue
            }
            let stored = checkpoint.storedDataTypes[reference.name]!
            #expect(manifestName(stored, format: checkpoint.format) == reference.dtype, "\(reference.name)", sourceLocation: sourceLocation)
            #expect(tensor.shape == reference.shape, "\(reference.name)", sourceLocation: sourceLocation)
            #expect(tensor.dataType == (stored.isFloatingPoint ? .float32 : stored), sourceLocation: sourceLocation)
            let values = tensor.dataType == .int64 ? tensor.toInt64s().map(Double.init) : tensor.toFloats().map(Double.init)
            var sum = 0.0, sumAbs = 0.0
            for value in values { sum += value; sumAbs += abs(value) }
            #expect(abs(sum - reference.sum) <= 1e-9 * max(sumAbs, 1), "\(reference.name) sum", sourceLocation: sourceLocation)
            for sample in reference.samples {
                let index = Int(sample[0])
                #expect(index < values.count && values[index] == sample[1], "\(reference.name)[\(index)]", sourceLocation: sourceLocation)
            }
        }
    }

    /// The manifest's `checkpoints.files.<key>.tensors` as (name, dtype, shape), or nil without shared fixtures.
    static func manifestTensors(_ key: String) -> [(name: String, dtype: String, shape: [Int])]? {
        guard let url = Fixtures.sharedFile("manifest.json"), let data = try? Data(contentsOf: url),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let checkpoints = root["checkpoints"] as? [String: Any], let files = checkpoints["files"] as? [String: Any],
              let file = files[key] as? [String: Any], let tensors = file["tensors"] as? [[Any]] else { return nil }
        return tensors.map { ($0[0] as! String, $0[1] as! String, ($0[2] as! [Any]).map { ($0 as! NSNumber).intValue }) }
    }

    /// A scratch directory for damaged copies.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("imgvec-ckpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
