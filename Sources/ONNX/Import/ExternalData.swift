import Foundation

/// Finds the bytes of tensors stored outside the model (`data_location = EXTERNAL`).
///
/// The `location` key names a file relative to the model's folder; absolute
/// paths and `..` escapes (also through symbolic links) are rejected. Each file
/// is mapped once and shared by the tensors it holds.
final class ExternalDataResolver {
    private let modelPath: String
    private let baseDirectory: URL?
    private var files: [String: ModelBytes] = [:]

    init(modelPath: String, baseDirectory: URL?) {
        self.modelPath = modelPath
        self.baseDirectory = baseDirectory
    }

    /// The file and byte offset holding `byteCount` bytes for `record`.
    func locate(_ record: TensorRecord, byteCount: Int) throws -> (ModelBytes, Int) {
        let tensor = record.name
        func fail(_ reason: String) -> ONNXError {
            .invalidExternalData(path: modelPath, tensor: tensor, reason: reason)
        }
        guard let location = record.externalData["location"], !location.isEmpty else {
            throw fail("no 'location' entry")
        }
        let components = location.split(whereSeparator: { $0 == "/" || $0 == "\\" })
        guard !location.hasPrefix("/"), !location.hasPrefix("\\"), !location.contains(":"), !location.contains("\0"),
              !components.contains("..") else {
            throw fail("location '\(location)' must be a path inside the model's folder")
        }
        guard let baseDirectory else {
            throw fail("location '\(location)' needs the model to be loaded from a file")
        }
        let offset = try Self.number(record.externalData["offset"], key: "offset", fail: fail) ?? 0
        if let length = try Self.number(record.externalData["length"], key: "length", fail: fail), length != byteCount {
            throw fail("length \(length) does not match the \(byteCount) bytes its shape and type need")
        }
        let file = try mappedFile(location, in: baseDirectory, fail: fail)
        guard offset <= file.bytes.count, byteCount <= file.bytes.count - offset else {
            throw fail("\(byteCount) bytes at offset \(offset) lie outside '\(location)' (\(file.bytes.count) bytes)")
        }
        return (file, offset)
    }

    private func mappedFile(_ location: String, in directory: URL, fail: (String) -> ONNXError) throws -> ModelBytes {
        if let file = files[location] { return file }
        let url = directory.appendingPathComponent(location)
        let root = directory.resolvingSymlinksInPath().standardizedFileURL.path
        let resolved = url.resolvingSymlinksInPath().standardizedFileURL.path
        guard resolved.hasPrefix(root.hasSuffix("/") ? root : root + "/") else {
            throw fail("location '\(location)' resolves outside the model's folder")
        }
        let file: ModelBytes
        do {
            file = try ModelBytes(mapping: url)
        } catch let error as ONNXError {
            if case let .cannotRead(_, reason) = error { throw fail("cannot read '\(location)': \(reason)") }
            throw error
        }
        files[location] = file
        return file
    }

    private static func number(_ text: String?, key: String, fail: (String) -> ONNXError) throws -> Int? {
        guard let text else { return nil }
        guard let value = Int(text), value >= 0 else { throw fail("\(key) '\(text)' is not a non-negative integer") }
        return value
    }
}
