import Foundation

/// Runs a job for every index `0..<count` on worker threads and hands the results
/// back strictly in index order, with at most `window` results ahead of the
/// consumer. Memory therefore stays flat however many items there are, and the
/// workers keep running while the consumer does other work (inference).
final class OrderedWorkQueue<Result>: @unchecked Sendable {
    private let count: Int
    private let window: Int
    private let workerNiceness: Int32
    private let job: (Int) -> Result
    private let condition = NSCondition()
    private var nextToStart = 0
    private var nextToConsume = 0
    private var finished: [Int: Result] = [:]
    private var cancelled = false
    private var threads: [Thread] = []

    /// `workerNiceness` > 0 lowers the workers' scheduling priority by that much (Linux nice
    /// values; elsewhere the workers get the utility quality of service), so that threads
    /// the consumer depends on win when the cores are contended.
    init(count: Int, workers: Int, window: Int, workerNiceness: Int32 = 0, job: @escaping (Int) -> Result) {
        self.count = count
        self.window = max(window, workers, 1)
        self.workerNiceness = workerNiceness
        self.job = job
        // Workers hold the queue strongly: they exit once the work is done or cancelled.
        for worker in 0..<min(max(1, workers), count) {
            let thread = Thread { self.workLoop() }
            thread.name = "imgvec-decode-\(worker)"
            thread.stackSize = 4 << 20
            if workerNiceness > 0 { thread.qualityOfService = .utility }
            threads.append(thread)
        }
        threads.forEach { $0.start() }
    }

    /// The next result in index order, or `nil` after the last one (or after `cancel`).
    func next() -> Result? {
        condition.lock()
        defer { condition.unlock() }
        guard nextToConsume < count else { return nil }
        while finished[nextToConsume] == nil && !cancelled { condition.wait() }
        if cancelled { return nil }
        let result = finished.removeValue(forKey: nextToConsume)
        nextToConsume += 1
        condition.broadcast()
        return result
    }

    /// Stops handing out new work; running jobs finish and are discarded.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    private func workLoop() {
        #if os(Linux)
        // Linux keeps a nice value per thread: PRIO_PROCESS with who = 0 sets the calling one's.
        if workerNiceness > 0 {
            errno = 0
            let current = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
            if errno == 0 { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, min(19, current + workerNiceness)) }
        }
        #endif
        while true {
            condition.lock()
            while !cancelled && nextToStart < count && nextToStart >= nextToConsume + window { condition.wait() }
            if cancelled || nextToStart >= count { condition.unlock(); return }
            let index = nextToStart
            nextToStart += 1
            condition.unlock()

            let result = autoreleasepool { job(index) }
            condition.lock()
            finished[index] = result
            condition.broadcast()
            condition.unlock()
        }
    }
}

#if !canImport(ObjectiveC)
/// Linux has no autorelease pools; keep call sites portable.
@inline(__always) func autoreleasepool<T>(invoking body: () throws -> T) rethrows -> T { try body() }
#endif
