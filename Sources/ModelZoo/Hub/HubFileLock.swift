import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive advisory lock (flock) on a lock file, so two processes (imgvec or Python) never
/// write the same `.incomplete` blob at once. huggingface_hub keeps its locks in the same place.
enum HubFileLock {
    /// Runs `body` while holding the lock at `url` (created if missing); waits for other holders.
    static func withLock<T>(at url: URL, _ body: () throws -> T) throws -> T {
        try HubCache.createDirectory(url.deletingLastPathComponent())
        let descriptor = open(url.path, O_RDWR | O_CREAT, 0o644)
        guard descriptor >= 0 else {
            throw HubError.fileSystem(path: url.path, reason: "cannot open lock: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            if errno != EINTR {
                throw HubError.fileSystem(path: url.path, reason: "cannot lock: \(String(cString: strerror(errno)))")
            }
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }
}
