import Foundation
import Tensor

/// TEST-ONLY: writes tensors as a safetensors file (8-byte little-endian header length, JSON
/// header, little-endian data), so tests can hand the real checkpoint reader files with
/// Hugging Face names. float32 tensors are stored as F32, or BF16 (truncated) when listed in
/// `bfloat16`; int64 tensors as I64.
enum SafetensorsTestWriter {
    static func write(_ tensors: [String: Tensor], to url: URL, bfloat16: Set<String> = []) throws {
        var header: [String: Any] = ["__metadata__": ["format": "pt"]]
        var body = Data()
        for name in tensors.keys.sorted() {
            let tensor = tensors[name]!
            let start = body.count
            let dtype: String
            if tensor.dataType == .int64 {
                dtype = "I64"
                for value in tensor.toInt64s() { withUnsafeBytes(of: value.littleEndian) { body.append(contentsOf: $0) } }
            } else if bfloat16.contains(name) {
                dtype = "BF16"
                for value in tensor.toFloats() {
                    withUnsafeBytes(of: UInt16(truncatingIfNeeded: value.bitPattern >> 16).littleEndian) { body.append(contentsOf: $0) }
                }
            } else {
                dtype = "F32"
                for value in tensor.toFloats() { withUnsafeBytes(of: value.bitPattern.littleEndian) { body.append(contentsOf: $0) } }
            }
            header[name] = ["dtype": dtype, "shape": tensor.shape, "data_offsets": [start, body.count]]
        }
        let json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        var file = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(json)
        file.append(body)
        try file.write(to: url)
    }

    /// `tensor` as it reads back after BF16 truncation.
    static func bfloat16Rounded(_ tensor: Tensor) -> Tensor {
        Tensor(shape: tensor.shape, floats: tensor.toFloats().map { Float(bitPattern: $0.bitPattern & 0xFFFF_0000) })
    }
}
