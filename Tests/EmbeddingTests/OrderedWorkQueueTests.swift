import Foundation
@testable import Embedding
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The decoding queue: results in index order whatever order the workers finish in, never
/// more than the window ahead, and workers at the lower priority they were asked for.
@Suite struct OrderedWorkQueueTests {
    final class Tracker: @unchecked Sendable {
        let lock = NSLock()
        var started = 0, consumed = 0, furthestAhead = 0
        var niceness: [Int32] = []
    }

    @Test func resultsComeInOrderWithinTheWindow() {
        let tracker = Tracker()
        let queue = OrderedWorkQueue<Int>(count: 40, workers: 3, window: 4) { index in
            tracker.lock.lock()
            tracker.started += 1
            tracker.furthestAhead = max(tracker.furthestAhead, tracker.started - tracker.consumed)
            tracker.lock.unlock()
            usleep(UInt32((index * 7919) % 5) * 300)   // finish out of order
            return index * index
        }
        var results: [Int] = []
        while let value = queue.next() {
            results.append(value)
            tracker.lock.lock(); tracker.consumed += 1; tracker.lock.unlock()
        }
        #expect(results == (0..<40).map { $0 * $0 })
        // The window (4) plus the one just handed out: the consumer counts it after next() returns.
        #expect(tracker.furthestAhead <= 5)
    }

    #if os(Linux)
    @Test func workersRunAtTheLowerPriorityAskedFor() {
        let base = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        let tracker = Tracker()
        let queue = OrderedWorkQueue<Int>(count: 6, workers: 2, window: 2, workerNiceness: 3) { index in
            let value = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
            tracker.lock.lock(); tracker.niceness.append(value); tracker.lock.unlock()
            return index
        }
        while queue.next() != nil {}
        #expect(tracker.niceness.count == 6)
        #expect(tracker.niceness.allSatisfy { $0 == min(19, base + 3) })
        // The consumer's own priority is untouched.
        #expect(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) == base)
    }
    #endif
}
