import Foundation

/// Errors reading or writing NumPy `.npy` files.
public enum NumPyError: Error, CustomStringConvertible {
    case invalid(path: String, reason: String)

    public var description: String {
        switch self {
        case let .invalid(path, reason): return "\(path): not a valid .npy file: \(reason)"
        }
    }
}

/// Reads and writes NumPy's `.npy` format (versions 1.0-3.0 read, 1.0 written).
///
/// Written files are little-endian, C order, format version 1.0, so NumPy,
/// PyTorch and every other tool can load them with `numpy.load`.
public enum NumPyFile {
    private static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59] // "\x93NUMPY"

    /// Reads a tensor from `url`.
    public static func read(_ url: URL) throws -> Tensor {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw NumPyError.invalid(path: url.path, reason: "cannot read file (\(error.localizedDescription))")
        }
        return try decode(data, path: url.path)
    }

    /// Decodes the bytes of a `.npy` file. `path` names the source in errors.
    public static func decode(_ data: Data, path: String = "<memory>") throws -> Tensor {
        func fail(_ reason: String) -> NumPyError { .invalid(path: path, reason: reason) }
        let bytes = [UInt8](data)
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else { throw fail("missing magic string") }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw fail("truncated header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default: throw fail("unsupported format version \(major)")
        }
        guard headerStart + headerLength <= bytes.count else { throw fail("truncated header") }
        guard let header = String(bytes: bytes[headerStart..<headerStart + headerLength], encoding: .utf8)
        else { throw fail("header is not text") }
        let descr = try stringField("descr", in: header, fail: fail)
        guard !header.contains("'fortran_order': True") else { throw fail("Fortran order is not supported") }
        let shape = try shapeField(in: header, fail: fail)
        let (dataType, bigEndian) = try parseDescr(descr, fail: fail)
        let count = shape.reduce(1, *)
        let dataStart = headerStart + headerLength
        guard count >= 0, bytes.count - dataStart >= count * dataType.byteSize else {
            throw fail("data is shorter than shape \(shape) needs")
        }
        let tensor = Tensor(zeros: shape, dataType: dataType)
        bytes.withUnsafeBytes { raw in
            tensor.rawPointer.copyMemory(from: raw.baseAddress! + dataStart, byteCount: tensor.byteCount)
        }
        if bigEndian && dataType.byteSize > 1 { swapBytes(tensor) }
        return tensor
    }

    /// Writes `tensor` to `url` (format 1.0, little-endian, C order).
    public static func write(_ tensor: Tensor, to url: URL) throws {
        try encode(tensor).write(to: url, options: .atomic)
    }

    /// The bytes of `tensor` as a `.npy` file.
    public static func encode(_ tensor: Tensor) -> Data {
        let shapeText: String
        switch tensor.shape.count {
        case 0: shapeText = "()"
        case 1: shapeText = "(\(tensor.shape[0]),)"
        default: shapeText = "(" + tensor.shape.map(String.init).joined(separator: ", ") + ")"
        }
        var header = "{'descr': '\(descr(for: tensor.dataType))', 'fortran_order': False, 'shape': \(shapeText), }"
        // Pad with spaces so the data starts on a 64-byte boundary; end with a newline.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data(magic)
        data.append(contentsOf: [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
        data.append(contentsOf: Array(header.utf8))
        data.append(Data(bytes: tensor.rawPointer, count: tensor.byteCount))
        return data
    }

    private static func descr(for type: DataType) -> String {
        switch type {
        case .float32: return "<f4"
        case .float64: return "<f8"
        case .float16: return "<f2"
        case .bfloat16: return "<u2"
        case .int64: return "<i8"
        case .int32: return "<i4"
        case .int16: return "<i2"
        case .uint16: return "<u2"
        case .int8: return "|i1"
        case .uint8: return "|u1"
        case .bool: return "|b1"
        }
    }

    private static func parseDescr(_ descr: String, fail: (String) -> NumPyError) throws -> (DataType, Bool) {
        guard descr.count >= 3 else { throw fail("bad dtype \(descr)") }
        let order = descr.first!
        let code = String(descr.dropFirst())
        let type: DataType
        switch code {
        case "f4": type = .float32
        case "f8": type = .float64
        case "f2": type = .float16
        case "i8": type = .int64
        case "i4": type = .int32
        case "i2": type = .int16
        case "u2": type = .uint16
        case "i1": type = .int8
        case "u1": type = .uint8
        case "b1": type = .bool
        default: throw fail("unsupported dtype \(descr)")
        }
        return (type, order == ">")
    }

    private static func stringField(_ key: String, in header: String, fail: (String) -> NumPyError) throws -> String {
        guard let keyRange = header.range(of: "'\(key)':") else { throw fail("header has no \(key)") }
        let rest = header[keyRange.upperBound...].drop { $0 == " " }
        guard let quote = rest.first, quote == "'" || quote == "\"" else { throw fail("bad \(key)") }
        let value = rest.dropFirst().prefix { $0 != quote }
        return String(value)
    }

    private static func shapeField(in header: String, fail: (String) -> NumPyError) throws -> [Int] {
        guard let keyRange = header.range(of: "'shape':") else { throw fail("header has no shape") }
        let rest = header[keyRange.upperBound...]
        guard let open = rest.firstIndex(of: "("), let close = rest.firstIndex(of: ")") else {
            throw fail("bad shape")
        }
        let parts = rest[rest.index(after: open)..<close].split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var shape: [Int] = []
        for part in parts {
            guard let value = Int(part), value >= 0, value < 1 << 40 else { throw fail("bad dimension \(part)") }
            shape.append(value)
        }
        return shape
    }

    private static func swapBytes(_ tensor: Tensor) {
        let size = tensor.dataType.byteSize
        let base = tensor.rawPointer.assumingMemoryBound(to: UInt8.self)
        for i in 0..<tensor.count {
            let element = base + i * size
            for j in 0..<size / 2 { swap(&element[j], &element[size - 1 - j]) }
        }
    }
}
