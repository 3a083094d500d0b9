import Dispatch
import Foundation

/// Runs loop iterations across a fixed number of threads.
///
/// This is the engine's only parallel loop. It never nests: a body that itself
/// calls ``parallelFor(_:body:)`` runs the inner loop serially on its own thread,
/// so the engine's threads and BLAS's threads never oversubscribe the cores.
public final class ThreadPool: @unchecked Sendable {
    /// Threads used by ``parallelFor(_:body:)``.
    public let threadCount: Int

    private static let insideKey = "imgvec.ThreadPool.inside"

    /// A pool of `threadCount` threads (at least 1). `nil` means one per core.
    public init(threadCount: Int? = nil) {
        self.threadCount = max(1, threadCount ?? ProcessInfo.processInfo.activeProcessorCount)
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

    /// Calls `body` with contiguous, disjoint ranges that together cover `0..<count`.
    public func parallelChunks(_ count: Int, body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let workers = min(threadCount, count)
        if workers == 1 || Thread.current.threadDictionary[Self.insideKey] != nil {
            body(0..<count)
            return
        }
        withoutActuallyEscaping(body) { body in
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                let start = count * worker / workers
                let end = count * (worker + 1) / workers
                let dictionary = Thread.current.threadDictionary
                dictionary[Self.insideKey] = true
                body(start..<end)
                dictionary.removeObject(forKey: Self.insideKey)
            }
        }
    }
}
