import Crypto
import Foundation

/// The `.incomplete` file of one blob download: appends bytes, keeps a running SHA-256 across
/// resumed attempts, and checks size and hash before the file may be renamed into place.
final class HubBlobWriter: @unchecked Sendable {
    let url: URL
    let expectedSize: Int64?
    /// Bytes in the file now.
    private(set) var size: Int64 = 0
    private let hashing: Bool
    private var hasher = SHA256()
    private let handle: FileHandle

    /// Opens (or creates) `url`; keeps what an earlier attempt left unless it is longer than `expectedSize`.
    init(url: URL, expectedSize: Int64?, hashing: Bool) throws {
        self.url = url
        self.expectedSize = expectedSize
        self.hashing = hashing
        if !FileManager.default.fileExists(atPath: url.path) {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw HubError.fileSystem(path: url.path, reason: "cannot create")
            }
        }
        do {
            handle = try FileHandle(forUpdating: url)
            size = Int64(try handle.seekToEnd())
        } catch {
            throw HubError.fileSystem(path: url.path, reason: "cannot open for writing: \(error)")
        }
        if let expectedSize, size > expectedSize { discard() }
        if hashing && size > 0 { try hashExistingBytes() }
    }

    deinit { try? handle.close() }

    /// True when the file already holds the announced number of bytes (nothing left to fetch).
    var isComplete: Bool { expectedSize.map { size == $0 && $0 > 0 } ?? false }

    /// Checks the answer to a GET that asked for bytes from `requestedOffset`: 206 must continue
    /// exactly there; a 200 carries the whole file, so earlier bytes are dropped.
    func begin(response: HubResponseHead, requestedOffset: Int64) throws {
        if response.status == 206 {
            let start = response["Content-Range"].flatMap(Self.rangeStart)
            guard start == requestedOffset, requestedOffset == size else {
                discard()
                throw HubError.transport(url: response.url.absoluteString,
                                         reason: "server resumed at \(start.map(String.init) ?? "?")"
                                             + " instead of byte \(requestedOffset); restarting")
            }
        } else if size > 0 {
            discard()
        }
    }

    /// Appends one received chunk.
    func append(_ data: Data) throws {
        if let expectedSize, size + Int64(data.count) > expectedSize {
            let actual = size + Int64(data.count)
            discard()
            throw HubError.sizeMismatch(file: url.path, expected: expectedSize, actual: actual)
        }
        do {
            try handle.write(contentsOf: data)
        } catch {
            throw HubError.fileSystem(path: url.path, reason: "write failed: \(error)")
        }
        if hashing { hasher.update(data: data) }
        size += Int64(data.count)
    }

    /// Flushes and verifies; on a size or checksum mismatch the file is deleted and the error thrown.
    func finish(filename: String, expectedSHA256: String?) throws {
        do {
            try handle.synchronize()
        } catch {
            throw HubError.fileSystem(path: url.path, reason: "flush failed: \(error)")
        }
        if let expectedSize, size != expectedSize {
            removeFile()
            throw HubError.sizeMismatch(file: filename, expected: expectedSize, actual: size)
        }
        if let expectedSHA256, hashing {
            let actual = hasher.finalize().map { String(format: "%02x", $0) }.joined()
            if actual != expectedSHA256.lowercased() {
                removeFile()
                throw HubError.checksumMismatch(file: filename, expected: expectedSHA256.lowercased(), actual: actual)
            }
        }
        try? handle.close()
    }

    /// Empties the file and the running hash (start from byte 0).
    func discard() {
        try? handle.truncate(atOffset: 0)
        try? handle.seek(toOffset: 0)
        size = 0
        hasher = SHA256()
    }

    private func removeFile() {
        try? handle.close()
        try? FileManager.default.removeItem(at: url)
    }

    private func hashExistingBytes() throws {
        let reader: FileHandle
        do {
            reader = try FileHandle(forReadingFrom: url)
        } catch {
            throw HubError.fileSystem(path: url.path, reason: "cannot read partial download: \(error)")
        }
        defer { try? reader.close() }
        var remaining = size
        while remaining > 0 {
            let chunk = (try? reader.read(upToCount: Int(min(remaining, 4 << 20)))) ?? nil
            guard let chunk, !chunk.isEmpty else { break }
            hasher.update(data: chunk)
            remaining -= Int64(chunk.count)
        }
        if remaining != 0 { discard() }
    }

    /// `bytes 100-999/1000` → 100.
    private static func rangeStart(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("bytes ") else { return nil }
        let spec = trimmed.dropFirst(6)
        guard let dash = spec.firstIndex(of: "-") else { return nil }
        return Int64(spec[spec.startIndex..<dash].trimmingCharacters(in: .whitespaces))
    }
}
