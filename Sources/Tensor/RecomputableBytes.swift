#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytes made on demand by a recipe, freed by ``release()`` and made again on the next
/// access: the backing of ``TensorStorage/init(byteCount:recomputing:)``.
///
/// Making the bytes is serialised by a lock, so threads that read at once make them once.
final class RecomputableBytes: @unchecked Sendable {
    let byteCount: Int
    let alignment: Int
    let fill: @Sendable (UnsafeMutableRawPointer) -> Void
    private var buffer: UnsafeMutableRawPointer?
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    init(byteCount: Int, alignment: Int, fill: @escaping @Sendable (UnsafeMutableRawPointer) -> Void) {
        self.byteCount = byteCount
        self.alignment = alignment
        self.fill = fill
        pthread_mutex_init(lock, nil)
    }

    /// The bytes, made first if they are not resident.
    var address: UnsafeMutableRawPointer {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        if let buffer { return buffer }
        let made = Self.allocate(byteCount: byteCount, alignment: alignment)
        fill(made)
        buffer = made
        return made
    }

    /// Calls `body` with the bytes: the resident ones, or else a temporary copy made for
    /// the call and freed after it (a one-off reader leaves nothing resident).
    func withTransientBytes<R>(_ body: (UnsafeRawPointer) throws -> R) rethrows -> R {
        pthread_mutex_lock(lock)
        if let buffer {
            defer { pthread_mutex_unlock(lock) }
            return try body(UnsafeRawPointer(buffer))
        }
        pthread_mutex_unlock(lock)
        let temporary = Self.allocate(byteCount: byteCount, alignment: alignment)
        defer { Self.deallocate(temporary, byteCount: byteCount) }
        fill(temporary)
        return try body(UnsafeRawPointer(temporary))
    }

    /// Whether the bytes are made (and not released since).
    var isResident: Bool {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return buffer != nil
    }

    /// Frees the bytes (they are made again on the next access).
    func release() {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        if let buffer { Self.deallocate(buffer, byteCount: byteCount) }
        buffer = nil
    }

    /// Large buffers are mapped pages of their own: freeing them returns the memory at
    /// once, where malloc would keep the hole (glibc raises its mmap threshold after the
    /// first large free, and later frees land in the heap).
    static let mappedThreshold = 64 << 10

    private static func allocate(byteCount: Int, alignment: Int) -> UnsafeMutableRawPointer {
        guard byteCount >= mappedThreshold else {
            return UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: alignment)
        }
        guard let pages = mmap(nil, byteCount, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              pages != MAP_FAILED else { fatalError("out of memory mapping \(byteCount) bytes") }
        return pages
    }

    private static func deallocate(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        if byteCount >= mappedThreshold { munmap(pointer, byteCount) } else { pointer.deallocate() }
    }

    deinit {
        if let buffer { Self.deallocate(buffer, byteCount: byteCount) }
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }
}
