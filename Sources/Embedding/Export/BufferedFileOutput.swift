import Foundation

/// A buffered output file written as `PATH.partial` and renamed to `PATH` on
/// ``commit()``, so an interrupted export never leaves a plausible-looking file.
final class BufferedFileOutput {
    let url: URL
    let partialURL: URL
    private var handle: FileHandle?
    private var buffer = Data()
    private let flushThreshold = 1 << 20
    /// Bytes written so far (flushed or buffered).
    private(set) var offset: UInt64 = 0

    init(url: URL) throws {
        self.url = url
        partialURL = URL(fileURLWithPath: url.path + ".partial")
        let manager = FileManager.default
        try? manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard manager.createFile(atPath: partialURL.path, contents: nil) else {
            throw ExportError.io(path: url.path, reason: "cannot create \(partialURL.lastPathComponent)")
        }
        do { handle = try FileHandle(forWritingTo: partialURL) } catch {
            throw ExportError.io(path: url.path, reason: "cannot open for writing (\(error.localizedDescription))")
        }
        buffer.reserveCapacity(flushThreshold + 4096)
    }

    deinit {
        if handle != nil { abandon() }
    }

    func write(_ bytes: Data) throws {
        buffer.append(bytes)
        offset += UInt64(bytes.count)
        if buffer.count >= flushThreshold { try flush() }
    }

    func write(_ text: String) throws {
        var text = text
        text.withUTF8 { buffer.append($0.baseAddress!, count: $0.count) }
        offset += UInt64(text.utf8.count)
        if buffer.count >= flushThreshold { try flush() }
    }

    func flush() throws {
        guard let handle else { throw ExportError.finished(path: url.path) }
        guard !buffer.isEmpty else { return }
        do { try handle.write(contentsOf: buffer) } catch {
            throw ExportError.io(path: url.path, reason: "write failed (\(error.localizedDescription))")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Overwrites bytes at `position` (after flushing), then returns to the end.
    func overwrite(at position: UInt64, with bytes: Data) throws {
        try flush()
        guard let handle else { throw ExportError.finished(path: url.path) }
        do {
            try handle.seek(toOffset: position)
            try handle.write(contentsOf: bytes)
            try handle.seekToEnd()
        } catch {
            throw ExportError.io(path: url.path, reason: "cannot patch header (\(error.localizedDescription))")
        }
    }

    /// Flushes, closes and moves the file to its final name (replacing any old file).
    func commit() throws {
        try flush()
        guard let handle else { throw ExportError.finished(path: url.path) }
        self.handle = nil
        do {
            try handle.synchronize()
            try handle.close()
            if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
            try FileManager.default.moveItem(at: partialURL, to: url)
        } catch {
            throw ExportError.io(path: url.path, reason: "cannot finish file (\(error.localizedDescription))")
        }
    }

    /// Closes and deletes the partial file.
    func abandon() {
        try? handle?.close()
        handle = nil
        try? FileManager.default.removeItem(at: partialURL)
    }
}
