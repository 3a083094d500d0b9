#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A block of bytes that tensors view.
///
/// Storage either owns a 64-byte-aligned allocation (freed on deinit) or borrows
/// memory that another object keeps alive, such as a memory-mapped model file:
/// weights are viewed in place, never copied.
public final class TensorStorage: @unchecked Sendable {
    /// Alignment of owned allocations, in bytes (one cache line, enough for AVX-512).
    public static let alignment = 64

    /// First byte of the storage.
    public let baseAddress: UnsafeMutableRawPointer
    /// Size in bytes.
    public let byteCount: Int
    private let owner: AnyObject?
    private let ownsMemory: Bool

    /// Allocates `byteCount` zeroed bytes.
    public init(byteCount: Int) {
        let size = max(byteCount, 1)
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: Self.alignment)
        pointer.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        self.baseAddress = pointer
        self.byteCount = byteCount
        self.owner = nil
        self.ownsMemory = true
    }

    /// Allocates `byteCount` bytes without touching them (contents undefined). Large
    /// buffers then cost no resident memory until written: the engine's arenas use this,
    /// so a plan built only for statistics, or a part of an arena a run never reaches,
    /// costs address space and nothing else.
    public init(uninitializedByteCount byteCount: Int) {
        self.baseAddress = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: Self.alignment)
        self.byteCount = byteCount
        self.owner = nil
        self.ownsMemory = true
    }

    /// Views `byteCount` bytes at `pointer`, which `owner` keeps valid.
    public init(borrowing pointer: UnsafeRawPointer, byteCount: Int, owner: AnyObject) {
        self.baseAddress = UnsafeMutableRawPointer(mutating: pointer)
        self.byteCount = byteCount
        self.owner = owner
        self.ownsMemory = false
    }

    deinit {
        if ownsMemory { baseAddress.deallocate() }
    }
}
