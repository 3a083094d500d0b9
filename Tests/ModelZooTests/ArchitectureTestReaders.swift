import Foundation
import ModelZoo
import Tensor
import TestSupport

/// TEST-ONLY minimal readers for the fixture checkpoints, so the architecture tests do not
/// depend on the real checkpoint readers (the lead switches these tests to them later).
/// They handle exactly the fixture files: safetensors with F16/F32/I64 tensors, and torch
/// zips of STORED entries whose `data/<i>` records follow the manifest's tensor order.
enum ArchitectureTestReaders {
    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Every tensor of a safetensors file (F16 converted to float32).
    static func safetensors(_ url: URL) throws -> [String: Tensor] {
        let data = try Data(contentsOf: url)
        let headerLength = Int(UInt64(littleEndian: data.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }))
        guard let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<8 + headerLength)) as? [String: Any] else {
            throw Failure(description: "\(url.lastPathComponent): header is not a JSON object")
        }
        var tensors: [String: Tensor] = [:]
        for (name, value) in header where name != "__metadata__" {
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                  let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int] else {
                throw Failure(description: "\(name): malformed header entry")
            }
            let bytes = data.subdata(in: 8 + headerLength + offsets[0]..<8 + headerLength + offsets[1])
            tensors[name] = try decode(bytes, dtype: dtype, shape: shape, name: name)
        }
        return tensors
    }

    /// Every tensor of a torch zip checkpoint, named by the manifest entry `manifestKey`
    /// (`checkpoints.files.<key>.tensors` = [[name, dtype, shape], ...] in `data/<i>` order).
    static func torchZip(_ url: URL, manifestKey: String) throws -> [String: Tensor] {
        guard let manifestURL = Fixtures.sharedFile("manifest.json"),
              let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: manifestURL)) as? [String: Any],
              let checkpoints = manifest["checkpoints"] as? [String: Any], let files = checkpoints["files"] as? [String: Any],
              let entry = files[manifestKey] as? [String: Any], let list = entry["tensors"] as? [[Any]] else {
            throw Failure(description: "manifest has no tensor list for \(manifestKey)")
        }
        let data = try Data(contentsOf: url)
        let records = try storedEntries(data)
        var tensors: [String: Tensor] = [:]
        for (index, item) in list.enumerated() {
            guard let name = item[0] as? String, let dtype = item[1] as? String, let shape = item[2] as? [Int],
                  let range = records.first(where: { $0.key.hasSuffix("/data/\(index)") })?.value else {
                throw Failure(description: "\(url.lastPathComponent): no data/\(index) record")
            }
            tensors[name] = try decode(data.subdata(in: range), dtype: dtype, shape: shape, name: name)
        }
        return tensors
    }

    /// Entry name -> byte range of its (stored, uncompressed) data, from the central directory.
    static func storedEntries(_ data: Data) throws -> [String: Range<Int>] {
        func u16(_ at: Int) -> Int { Int(data[at]) | Int(data[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        guard let end = stride(from: data.count - 22, through: 0, by: -1).first(where: { u32($0) == 0x0605_4b50 }) else {
            throw Failure(description: "no end-of-central-directory record")
        }
        var position = u32(end + 16)
        var entries: [String: Range<Int>] = [:]
        for _ in 0..<u16(end + 10) {
            guard u32(position) == 0x0201_4b50, u16(position + 10) == 0 else { throw Failure(description: "bad central entry") }
            let size = u32(position + 20), nameLength = u16(position + 28)
            let name = String(decoding: data[position + 46..<position + 46 + nameLength], as: UTF8.self)
            let local = u32(position + 42)
            let start = local + 30 + u16(local + 26) + u16(local + 28)
            entries[name] = start..<start + size
            position += 46 + nameLength + u16(position + 30) + u16(position + 32)
        }
        return entries
    }

    private static func decode(_ bytes: Data, dtype: String, shape: [Int], name: String) throws -> Tensor {
        let count = shape.reduce(1, *)
        return try bytes.withUnsafeBytes { raw -> Tensor in
            switch dtype {
            case "F16":
                return Tensor(shape: shape, floats: (0..<count).map {
                    HalfPrecision.float(fromHalf: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self)))
                })
            case "F32", "float32":
                guard raw.count == count * 4 else { throw Failure(description: "\(name): \(raw.count) bytes for \(shape)") }
                return Tensor(shape: shape, floats: (0..<count).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) })
            case "I64", "int64":
                return Tensor(shape: shape, int64s: (0..<count).map { raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self) })
            default:
                throw Failure(description: "\(name): unsupported dtype \(dtype)")
            }
        }
    }
}
