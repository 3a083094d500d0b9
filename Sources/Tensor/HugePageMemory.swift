#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Large anonymous buffers on 2 MB pages where the system offers them (Linux transparent
/// huge pages in `madvise` mode, the common default).
///
/// An activation arena or a packed weight matrix of tens of megabytes is streamed through
/// on every run. On 4 KB pages that is one TLB entry per page, and in a virtual machine
/// every TLB miss is a two-level page walk; 2 MB pages take 512 times fewer. The kernel
/// only backs a range with huge pages when it is 2 MB aligned and asked to (`madvise`), so
/// the mapping is made 2 MB aligned. Untouched pages still cost nothing.
public enum HugePageMemory {
    /// Buffers from this size on are mapped on huge pages (smaller ones stay with malloc).
    public static let threshold = 4 << 20
    static let pageSize = 2 << 20

    /// Whether large buffers are mapped this way (`IMGVEC_HUGE_PAGES=0` turns it off).
    public static let isEnabled: Bool = {
        #if os(Linux)
        if let value = getenv("IMGVEC_HUGE_PAGES"), String(cString: value) == "0" { return false }
        return true
        #else
        return false
        #endif
    }()

    /// `byteCount` bytes, 2 MB aligned, advised for huge pages; nil when `byteCount` is
    /// below ``threshold``, when disabled, or when the mapping fails (use malloc then).
    public static func allocate(byteCount: Int) -> UnsafeMutableRawPointer? {
        #if os(Linux)
        guard isEnabled, byteCount >= threshold else { return nil }
        let length = mappedLength(byteCount)
        // Over-map by one huge page, then trim the unaligned head and the tail.
        guard let raw = mmap(nil, length + pageSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              raw != MAP_FAILED else { return nil }
        let address = Int(bitPattern: raw)
        let aligned = (address + pageSize - 1) / pageSize * pageSize
        let head = aligned - address, tail = pageSize - head
        if head > 0 { munmap(raw, head) }
        if tail > 0 { munmap(UnsafeMutableRawPointer(bitPattern: aligned + length), tail) }
        let pointer = UnsafeMutableRawPointer(bitPattern: aligned)!
        _ = madvise(pointer, length, 14 /* MADV_HUGEPAGE */)
        return pointer
        #else
        return nil
        #endif
    }

    /// Frees a buffer from ``allocate(byteCount:)`` (same `byteCount`).
    public static func deallocate(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        munmap(pointer, mappedLength(byteCount))
    }

    private static func mappedLength(_ byteCount: Int) -> Int { (byteCount + pageSize - 1) / pageSize * pageSize }
}
