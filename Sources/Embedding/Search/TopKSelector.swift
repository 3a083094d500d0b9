/// Keeps the best `k` of a stream of (score, index) pairs without sorting them all.
///
/// "Best" is the highest score; equal scores are ordered by `precedes(i, j)`
/// (path order). A min-heap of size `k` holds the current best with the worst
/// at the root, so each candidate costs O(1) when rejected and O(log k) when kept.
struct TopKSelector {
    private(set) var heap: [(score: Float, index: Int)] = []
    let k: Int
    let precedes: (Int, Int) -> Bool

    init(k: Int, precedes: @escaping (Int, Int) -> Bool) {
        self.k = max(0, k)
        self.precedes = precedes
        heap.reserveCapacity(self.k)
    }

    /// Whether `a` ranks below `b`.
    @inline(__always)
    private func isWorse(_ a: (score: Float, index: Int), _ b: (score: Float, index: Int)) -> Bool {
        if a.score != b.score { return a.score < b.score }
        return precedes(b.index, a.index)
    }

    /// Offers one candidate.
    @inline(__always)
    mutating func offer(score: Float, index: Int) {
        guard k > 0, !score.isNaN else { return }
        let candidate = (score: score, index: index)
        if heap.count < k {
            heap.append(candidate)
            siftUp(heap.count - 1)
        } else if isWorse(heap[0], candidate) {
            heap[0] = candidate
            siftDown(0)
        }
    }

    /// The kept candidates, best first.
    func sortedBestFirst() -> [(score: Float, index: Int)] {
        heap.sorted { isWorse($1, $0) }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard isWorse(heap[child], heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1, right = left + 1
            var worst = parent
            if left < heap.count, isWorse(heap[left], heap[worst]) { worst = left }
            if right < heap.count, isWorse(heap[right], heap[worst]) { worst = right }
            if worst == parent { return }
            heap.swapAt(parent, worst)
            parent = worst
        }
    }
}
