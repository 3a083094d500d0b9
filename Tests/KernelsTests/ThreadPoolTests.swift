import Foundation
import Kernels
import Testing

/// The ranges a loop received and the threads that ran them, recorded under a lock.
private final class ChunkLog: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var ranges: [Range<Int>] = []
    private(set) var threads: [pthread_t] = []

    func record(_ range: Range<Int>) {
        let me = pthread_self()
        lock.lock()
        ranges.append(range)
        threads.append(me)
        lock.unlock()
    }
}

/// Integers shared by test threads (each slot written by one thread).
private final class SharedInts: @unchecked Sendable {
    let values: UnsafeMutablePointer<Int>
    init(_ count: Int) {
        values = .allocate(capacity: count)
        values.initialize(repeating: 0, count: count)
    }
    deinit { values.deallocate() }
}

/// Threads of this process (Linux: /proc/self/task), or nil where unknown.
private func processThreadCount() -> Int? {
    #if os(Linux)
    return (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task"))?.count
    #else
    return nil
    #endif
}

@Suite("ThreadPool")
struct ThreadPoolTests {
    static let threadCounts = [1, 2, 3, 4, 8]
    static let counts = [0, 1, 2, 3, 5, 7, 8, 16, 100, 1001]

    @Test(arguments: threadCounts)
    func visitsEveryIndexExactlyOnce(threads: Int) {
        let pool = ThreadPool(threadCount: threads)
        for count in Self.counts {
            let visits = UnsafeMutablePointer<Int>.allocate(capacity: max(count, 1))
            visits.initialize(repeating: 0, count: max(count, 1))
            defer { visits.deallocate() }
            pool.parallelFor(count) { visits[$0] += 1 }
            #expect((0..<count).allSatisfy { visits[$0] == 1 }, "count \(count), threads \(threads)")
        }
    }

    @Test(arguments: threadCounts)
    func chunkBoundariesAreTheSpecifiedSplit(threads: Int) {
        let pool = ThreadPool(threadCount: threads)
        for count in Self.counts {
            let log = ChunkLog()
            pool.parallelChunks(count) { log.record($0) }
            let workers = min(threads, count)
            let expected = (0..<workers).map { count * $0 / workers ..< count * ($0 + 1) / workers }
            #expect(log.ranges.sorted { $0.lowerBound < $1.lowerBound } == expected, "count \(count), threads \(threads)")
        }
    }

    @Test func callerRunsTheFirstChunkAndAllThreadsHelp() {
        let pool = ThreadPool(threadCount: 4)
        let caller = pthread_self()
        var sawWorker = false
        for _ in 0..<50 {
            let log = ChunkLog()
            pool.parallelChunks(400) { range in
                log.record(range)
                usleep(200)
            }
            let first = log.ranges.firstIndex { $0.lowerBound == 0 }!
            #expect(pthread_equal(log.threads[first], caller) != 0)
            // Other chunks go to whichever thread claims them (the caller too, once done).
            sawWorker = sawWorker || log.threads.contains { pthread_equal($0, caller) == 0 }
        }
        #expect(sawWorker, "no chunk ever ran on a worker thread")
    }

    @Test func workerThreadsDoNotRunNestedLoopsInParallel() {
        let pool = ThreadPool(threadCount: 2)
        let inner = ThreadPool(threadCount: 4)
        let serialOnWorker = UnsafeMutablePointer<Int>.allocate(capacity: 1)
        serialOnWorker.initialize(to: 0)
        defer { serialOnWorker.deallocate() }
        let caller = pthread_self()
        for _ in 0..<200 {
            pool.parallelFor(2) { index in
                guard index == 1, pthread_equal(pthread_self(), caller) == 0 else { return }
                let log = ChunkLog()
                inner.parallelChunks(10) { log.record($0) }
                if log.ranges == [0..<10] { serialOnWorker.pointee += 1 } else { serialOnWorker.pointee = -1_000_000 }
            }
        }
        #expect(serialOnWorker.pointee >= 0)
    }

    @Test func nestedLoopsRunSeriallyOnTheirOwnThread() {
        let outer = ThreadPool(threadCount: 3)
        let other = ThreadPool(threadCount: 4)
        let mismatches = UnsafeMutablePointer<Int>.allocate(capacity: 3)
        mismatches.initialize(repeating: 0, count: 3)
        defer { mismatches.deallocate() }
        outer.parallelFor(3) { chunk in
            let me = pthread_self()
            for pool in [outer, other] {
                let log = ChunkLog()
                pool.parallelChunks(50) { log.record($0) }
                if log.ranges != [0..<50] || pthread_equal(log.threads[0], me) == 0 { mismatches[chunk] += 1 }
            }
        }
        #expect((0..<3).allSatisfy { mismatches[$0] == 0 })
        // After the outer loop, the caller is outside a body again: the next loop is parallel.
        let log = ChunkLog()
        other.parallelChunks(8) { log.record($0) }
        #expect(log.ranges.count == 4)
    }

    @Test func concurrentCallersOnOnePoolAllComplete() {
        let pool = ThreadPool(threadCount: 3)
        let callers = 6, rounds = 300, count = 257
        let shared = SharedInts(callers)
        let group = DispatchGroup()
        for caller in 0..<callers {
            group.enter()
            let thread = Thread {
                let visits = UnsafeMutablePointer<Int>.allocate(capacity: count)
                defer { visits.deallocate() }
                for _ in 0..<rounds {
                    visits.initialize(repeating: 0, count: count)
                    pool.parallelFor(count) { visits[$0] += $0 + 1 }
                    for i in 0..<count { shared.values[caller] += visits[i] }
                }
                group.leave()
            }
            thread.start()
        }
        #expect(group.wait(timeout: .now() + 120) == .success, "a caller deadlocked")
        let expected = rounds * count * (count + 1) / 2
        #expect((0..<callers).allSatisfy { shared.values[$0] == expected })
    }

    @Test func manyPoolsCreatedAndDestroyedLeakNoThreads() {
        let before = processThreadCount()
        for index in 0..<200 {
            let pool = ThreadPool(threadCount: 2 + index % 3)
            let visits = UnsafeMutablePointer<Int>.allocate(capacity: 10)
            visits.initialize(repeating: 0, count: 10)
            pool.parallelFor(10) { visits[$0] += 1 }
            #expect((0..<10).allSatisfy { visits[$0] == 1 })
            visits.deallocate()
        }
        for _ in 0..<200 { ThreadPool(threadCount: 1).parallelFor(4) { _ in } }
        if let before, let after = processThreadCount() {
            // Other tests run concurrently and own threads too; a leak would add hundreds.
            #expect(after < before + 40, "threads before \(before), after \(after)")
        }
    }

    @Test(arguments: [0, 1])
    func heavilyImbalancedChunksComplete(slowChunk: Int) {
        let pool = ThreadPool(threadCount: 2)
        for _ in 0..<5 {
            let log = ChunkLog()
            pool.parallelChunks(2) { range in
                if range.lowerBound == slowChunk { usleep(20_000) }   // far past any spin budget
                log.record(range)
            }
            #expect(log.ranges.sorted { $0.lowerBound < $1.lowerBound } == [0..<1, 1..<2])
            usleep(1_000)   // let the worker park before the next loop
        }
    }

    @Test func manyShortLoopsInARow() {
        let pool = ThreadPool(threadCount: 4)
        let total = UnsafeMutablePointer<Int>.allocate(capacity: 4)
        defer { total.deallocate() }
        for round in 0..<5_000 {
            total.initialize(repeating: 0, count: 4)
            pool.parallelFor(4) { total[$0] = round + $0 }
            if (0..<4).contains(where: { total[$0] != round + $0 }) {
                Issue.record("round \(round) lost a chunk")
                return
            }
        }
    }
}
