import Foundation
import Tensor

/// Reads Hugging Face safetensors files: u64 little-endian header length, JSON header
/// `{name: {dtype, shape, data_offsets}}`, then the data section.
///
/// F32 tensors are viewed in the memory-mapped file when aligned; F16/BF16 are converted to
/// float32 exactly, F64 rounded to float32; integer and BOOL tensors keep their type.
public enum SafetensorsReader {
    /// Headers larger than this are refused (the reference implementation's limit).
    public static let maxHeaderBytes = 100_000_000

    static let dataTypes: [String: DataType] = [
        "F32": .float32, "F16": .float16, "BF16": .bfloat16, "F64": .float64, "I64": .int64, "I32": .int32,
        "I16": .int16, "I8": .int8, "U8": .uint8, "U16": .uint16, "BOOL": .bool,
    ]

    /// True when `bytes` start with a plausible header length (under 2^40; a pickle's first
    /// eight bytes read as a far larger number) followed by `{`.
    static func looksLikeSafetensors(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 10 else { return false }
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        return length >= 2 && length < 1 << 40 && bytes[8] == UInt8(ascii: "{")
    }

    /// Reads the safetensors file at `url`.
    public static func read(contentsOf url: URL) throws -> Checkpoint {
        let file: MappedFile
        do { file = try MappedFile(path: url.path) } catch {
            throw CheckpointError.cannotRead(path: url.path, reason: "\(error)")
        }
        return try read(file, url: url)
    }

    static func read(_ file: MappedFile, url: URL) throws -> Checkpoint {
        let path = url.path
        func corrupt(_ reason: String) -> CheckpointError { .corrupt(path: path, reason: "safetensors: \(reason)") }
        var cursor = ByteCursor(file.bytes, path: path)
        let headerLength = try cursor.u64("header length")
        guard headerLength <= UInt64(cursor.remaining), headerLength <= UInt64(maxHeaderBytes) else {
            throw corrupt("header length \(headerLength) exceeds the \(cursor.remaining) bytes left (or \(maxHeaderBytes))")
        }
        let headerBytes = try cursor.slice(Int(headerLength), "header")
        let data = UnsafeRawBufferPointer(rebasing: file.bytes[cursor.position...])
        let header: [String: Any]
        do {
            guard let object = try JSONSerialization.jsonObject(with: Data(headerBytes)) as? [String: Any] else {
                throw corrupt("header is not a JSON object")
            }
            header = object
        } catch let error as CheckpointError { throw error } catch {
            throw corrupt("header is not valid JSON (\(error.localizedDescription))")
        }
        var entries: [(begin: Int, name: String, tensor: Tensor, type: DataType)] = []
        for (name, value) in header where name != "__metadata__" {
            let (type, shape, begin, end) = try describe(name, value, dataCount: data.count, path: path, corrupt: corrupt)
            let count = shape.reduce(1, *)
            let recipe = TensorRecipe(storage: StorageReference(dataType: type, key: name, elementCount: count),
                                      storageOffset: 0, size: shape, stride: contiguousStrides(shape))
            let bytes = UnsafeRawBufferPointer(rebasing: data[begin..<end])
            let tensor = try TensorMaterializer.tensor(recipe, storageBytes: bytes, owner: file, name: name, path: path)
            entries.append((begin, name, tensor, type))
        }
        entries.sort { ($0.begin, $0.name) < ($1.begin, $1.name) }
        return Checkpoint(url: url, format: .safetensors, entries: entries.map { ($0.name, $0.tensor, $0.type) })
    }

    /// Validates one header entry: known dtype, non-negative shape, offsets inside the data
    /// section and exactly as long as the shape needs.
    private static func describe(_ name: String, _ value: Any, dataCount: Int, path: String,
                                corrupt: (String) -> CheckpointError)
        throws -> (DataType, [Int], Int, Int) {
        guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
              let shapeValues = info["shape"] as? [Any], let offsets = info["data_offsets"] as? [Any], offsets.count == 2
        else { throw corrupt("tensor \(name) lacks dtype, shape or data_offsets") }
        guard let type = dataTypes[dtype] else {
            throw CheckpointError.unsupported(path: path, reason: "tensor \(name) has dtype \(dtype)")
        }
        var shape: [Int] = []
        var count = 1
        for dimension in shapeValues {
            guard let size = integer(dimension), size >= 0, shape.count < 32 else { throw corrupt("tensor \(name) has a bad shape") }
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow, product <= dataCount else { throw corrupt("tensor \(name) shape \(shapeValues) is larger than the file") }
            count = product
            shape.append(size)
        }
        guard let begin = integer(offsets[0]), let end = integer(offsets[1]), 0 <= begin, begin <= end, end <= dataCount else {
            throw corrupt("tensor \(name) data_offsets \(offsets) lie outside the \(dataCount)-byte data section")
        }
        guard end - begin == count * type.byteSize else {
            throw corrupt("tensor \(name) has \(end - begin) bytes, shape \(shape) of \(dtype) needs \(count * type.byteSize)")
        }
        return (type, shape, begin, end)
    }

    private static func integer(_ value: Any) -> Int? {
        if let number = value as? NSNumber {
            let double = number.doubleValue
            guard double == double.rounded(), abs(double) < 9.0e15 else { return nil }
            return number.intValue
        }
        return nil
    }

    static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for d in shape.indices.reversed() {
            strides[d] = running
            running *= max(shape[d], 1)
        }
        return strides
    }
}
