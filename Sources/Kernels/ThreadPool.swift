import CKernels
import Foundation

/// Runs loop iterations across a fixed number of threads.
///
/// This is the engine's only parallel loop. It never nests: a body that itself
/// calls ``parallelFor(_:body:)`` (on any pool) runs the inner loop serially on its
/// own thread, so the engine's threads and BLAS's threads never oversubscribe the cores.
///
/// The pool keeps `threadCount - 1` persistent worker threads (started on the first
/// parallel loop; a one-thread pool has none); the calling thread runs the first chunk
/// itself. Between loops the workers spin for up to 1 ms (`IMGVEC_POOL_SPIN_US`), then sleep,
/// so back-to-back loops of a network's layers do not pay a thread wake-up each.
/// Two threads calling the same pool at once are safe: the loop that finds the pool
/// busy runs serially on its caller's thread.
public final class ThreadPool: @unchecked Sendable {
    /// Threads used by ``parallelFor(_:body:)``.
    public let threadCount: Int

    /// The C pool (nil for one thread).
    private let pool: OpaquePointer?

    /// A pool of `threadCount` threads (at least 1). `nil` means one per core.
    public init(threadCount: Int? = nil) {
        self.threadCount = max(1, threadCount ?? ProcessInfo.processInfo.activeProcessorCount)
        pool = self.threadCount > 1 ? imgvec_thread_pool_create(self.threadCount) : nil
    }

    deinit {
        if let pool { imgvec_thread_pool_destroy(pool) }
    }

    /// The default thread count: the number of active cores.
    public static var defaultThreadCount: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// Calls `body(i)` for every `i` in `0..<count`, split into contiguous chunks
    /// over the pool's threads. Returns when every call has returned.
    public func parallelFor(_ count: Int, body: (Int) -> Void) {
        parallelChunks(count) { range in
            for i in range { body(i) }
        }
    }

    /// Calls `body` with contiguous, disjoint ranges that together cover `0..<count`:
    /// with `workers = min(threadCount, count)`, chunk `w` is
    /// `count * w / workers ..< count * (w + 1) / workers`.
    public func parallelChunks(_ count: Int, body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        guard let pool, min(threadCount, count) > 1, imgvec_thread_pool_inside_body() == 0 else {
            body(0..<count)
            return
        }
        withoutActuallyEscaping(body) { body in
            var chunkBody = body
            withUnsafeMutablePointer(to: &chunkBody) { pointer in
                imgvec_thread_pool_run(pool, count, { context, start, end in
                    let body = context!.assumingMemoryBound(to: ((Range<Int>) -> Void).self).pointee
                    body(start..<end)
                }, pointer)
            }
        }
    }
}
