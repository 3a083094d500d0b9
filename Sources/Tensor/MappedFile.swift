import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Errors opening a file for memory mapping.
public enum MappedFileError: Error, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): return "\(path): \(reason)"
        }
    }
}

/// A read-only memory-mapped file.
///
/// Model weights are viewed in place through ``TensorStorage/init(borrowing:byteCount:owner:)``
/// with the mapping as owner, so loading a model copies no weights. The mapping
/// lives as long as any tensor that views it.
public final class MappedFile: ReleasablePages, @unchecked Sendable {
    /// The file's path.
    public let path: String
    /// The file's bytes.
    public let bytes: UnsafeRawBufferPointer
    private let mapping: UnsafeMutableRawPointer?

    /// Maps the file at `path` read-only.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw MappedFileError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw MappedFileError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw MappedFileError.cannotOpen(path: path, reason: "not a regular file")
        }
        let size = Int(info.st_size)
        if size == 0 {
            mapping = nil
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        let pointer = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let pointer, pointer != MAP_FAILED else {
            throw MappedFileError.cannotOpen(path: path, reason: "mmap failed: \(String(cString: strerror(errno)))")
        }
        mapping = pointer
        bytes = UnsafeRawBufferPointer(start: pointer, count: size)
    }

    /// Size in bytes.
    public var count: Int { bytes.count }

    /// A tensor viewing `byteCount` bytes at `offset` of this file (no copy).
    /// The caller checks the range lies inside the file.
    public func tensor(dataType: DataType, shape: [Int], offset: Int) -> Tensor {
        let byteCount = shape.reduce(1, *) * dataType.byteSize
        precondition(offset >= 0 && offset + byteCount <= count, "view outside \(path)")
        let storage = TensorStorage(borrowing: bytes.baseAddress! + offset, byteCount: byteCount, owner: self)
        return Tensor(dataType: dataType, shape: shape, storage: storage)
    }

    /// Drops the resident pages that hold `byteCount` bytes at `start` (a range inside the
    /// mapping); they are read from the file again when next touched. The mapping is
    /// read-only and private, so its pages are always clean and nothing is lost.
    public func releasePages(_ start: UnsafeRawPointer, byteCount: Int) {
        guard let mapping, byteCount > 0 else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let base = Int(bitPattern: UnsafeRawPointer(mapping))
        let lower = max(base, Int(bitPattern: start) / page * page)
        let upper = min(base + bytes.count, (Int(bitPattern: start) + byteCount + page - 1) / page * page)
        guard upper > lower, let first = UnsafeMutableRawPointer(bitPattern: lower) else { return }
        _ = madvise(first, upper - lower, MADV_DONTNEED)
    }

    deinit {
        if let mapping { munmap(mapping, bytes.count) }
    }
}
