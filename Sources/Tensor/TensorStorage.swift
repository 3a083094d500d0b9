#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A block of bytes that tensors view.
///
/// Storage either owns a 64-byte-aligned allocation (freed on deinit), borrows
/// memory that another object keeps alive, such as a memory-mapped model file
/// (weights are viewed in place, never copied), or holds bytes that can be made
/// again on demand (``init(byteCount:recomputing:)``: an unaligned weight copied out
/// of a mapped file, a folded weight).
///
/// Weights that an operator has packed into its own layout are dead weight in their
/// original form: ``releaseResidentMemory()`` gives their pages back to the system
/// while keeping them readable (a mapped file's pages fault back in from the file,
/// recomputable bytes are made again on the next access).
public final class TensorStorage: @unchecked Sendable {
    /// Alignment of owned allocations, in bytes (one cache line, enough for AVX-512).
    public static let alignment = 64

    /// Size in bytes.
    public let byteCount: Int
    private let fixedAddress: UnsafeMutableRawPointer?
    private let recomputable: RecomputableBytes?
    private let owner: AnyObject?
    private let ownsMemory: Bool

    /// First byte of the storage. For recomputable storage, reading this makes the bytes
    /// (once, until the next ``releaseResidentMemory()``).
    @inline(__always)
    public var baseAddress: UnsafeMutableRawPointer { fixedAddress ?? recomputable!.address }

    /// Allocates `byteCount` zeroed bytes.
    public init(byteCount: Int) {
        let size = max(byteCount, 1)
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: Self.alignment)
        pointer.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        self.fixedAddress = pointer
        self.byteCount = byteCount
        self.recomputable = nil
        self.owner = nil
        self.ownsMemory = true
    }

    /// Allocates `byteCount` bytes without touching them (contents undefined). Large
    /// buffers then cost no resident memory until written: the engine's arenas use this,
    /// so a plan built only for statistics, or a part of an arena a run never reaches,
    /// costs address space and nothing else.
    public init(uninitializedByteCount byteCount: Int) {
        self.fixedAddress = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: Self.alignment)
        self.byteCount = byteCount
        self.recomputable = nil
        self.owner = nil
        self.ownsMemory = true
    }

    /// Views `byteCount` bytes at `pointer`, which `owner` keeps valid. When `owner` is a
    /// ``ReleasablePages`` (a mapped file), ``releaseResidentMemory()`` passes the range to it.
    public init(borrowing pointer: UnsafeRawPointer, byteCount: Int, owner: AnyObject) {
        self.fixedAddress = UnsafeMutableRawPointer(mutating: pointer)
        self.byteCount = byteCount
        self.recomputable = nil
        self.owner = owner
        self.ownsMemory = false
    }

    /// Storage whose `byteCount` bytes `fill` writes (into 64-byte-aligned memory) on first
    /// access, and again after each ``releaseResidentMemory()``. `fill` must write the
    /// same bytes every time.
    public init(byteCount: Int, recomputing fill: @escaping @Sendable (UnsafeMutableRawPointer) -> Void) {
        self.fixedAddress = nil
        self.byteCount = byteCount
        self.recomputable = RecomputableBytes(byteCount: byteCount, alignment: Self.alignment, fill: fill)
        self.owner = nil
        self.ownsMemory = false
    }

    /// Whether ``releaseResidentMemory()`` can free anything.
    public var isReleasable: Bool { recomputable != nil || owner is ReleasablePages }

    /// False for recomputable storage whose bytes are not made (never read, or released
    /// since); true otherwise.
    public var isMaterialized: Bool { recomputable?.isResident ?? true }

    /// Gives the bytes' resident memory back to the system; they stay readable and come
    /// back (from the file, or recomputed) on the next access. A no-op for plain storage.
    ///
    /// Pointers obtained from ``baseAddress`` before the call must not be used after it,
    /// so only the storage's sole user calls this, with no reader running (a ``Session``
    /// does, for the weights its operators packed).
    public func releaseResidentMemory() {
        if let recomputable {
            recomputable.release()
        } else if let pages = owner as? ReleasablePages, let fixedAddress {
            pages.releasePages(UnsafeRawPointer(fixedAddress), byteCount: byteCount)
        }
    }

    /// Calls `body` with the bytes without making recomputable storage resident: a one-off
    /// reader (a load-time fold) gets a temporary copy when the bytes are not resident.
    public func withTransientBytes<R>(_ body: (UnsafeRawPointer) throws -> R) rethrows -> R {
        if let recomputable { return try recomputable.withTransientBytes(body) }
        return try body(UnsafeRawPointer(fixedAddress!))
    }

    /// Storage with the same bytes that this storage's ``releaseResidentMemory()`` does not
    /// affect: recomputable storage gets an independent copy of its recipe (no bytes are
    /// made); fixed storage is shared (releasing a mapped file's pages never moves them).
    public func independentlyReleasable() -> TensorStorage {
        guard let recomputable else { return self }
        return TensorStorage(byteCount: byteCount, recomputing: recomputable.fill)
    }

    deinit {
        if ownsMemory, let fixedAddress { fixedAddress.deallocate() }
    }
}

/// An owner of borrowed bytes that can drop resident pages and bring them back on access
/// (a read-only file mapping).
public protocol ReleasablePages: AnyObject {
    /// Drops the resident pages of `byteCount` bytes at `start` (rounded to whole pages).
    func releasePages(_ start: UnsafeRawPointer, byteCount: Int)
}
