import Kernels
import Tensor

/// The working state of one k-means run: points, centroids, assignments.
struct KMeansState {
    let points: Tensor
    let n: Int, d: Int, k: Int
    let metric: KMeans.Metric
    var centroids: Tensor
    var assignments: [Int]
    /// Each point's distance to its assigned centroid, from the last ``assign()``.
    var distances: [Float]
    var lastAssignmentChanged = true
    private let pointNorms: [Float]
    private let pool = ThreadPool()

    init(points: Tensor, k: Int, metric: KMeans.Metric) {
        self.points = points
        n = points.shape[0]
        d = points.shape[1]
        self.k = k
        self.metric = metric
        centroids = Tensor(zeros: [k, points.shape[1]])
        assignments = [Int](repeating: -1, count: n)
        distances = [Float](repeating: 0, count: n)
        let base = points.floatPointer, d = d
        pointNorms = (0..<n).map { RowNormalization.squaredNorm(base + $0 * d, count: d) }
    }

    /// k-means++: the first centroid uniformly, each next one with probability
    /// proportional to the squared distance to the nearest centroid chosen so far.
    mutating func seedPlusPlus(using random: inout SeededRandom) {
        let base = points.floatPointer, d = d
        var nearest = [Float](repeating: .infinity, count: n)
        var chosen = random.below(n)
        for c in 0..<k {
            (centroids.floatPointer + c * d).update(from: base + chosen * d, count: d)
            let center = base + chosen * d
            nearest.withUnsafeMutableBufferPointer { nearest in
                pool.parallelChunks(n) { range in
                    for i in range {
                        nearest[i] = min(nearest[i], Self.squaredDistance(base + i * d, center, count: d))
                    }
                }
            }
            guard c + 1 < k else { break }
            var total = 0.0
            for value in nearest { total += Double(value) }
            if total > 0 {
                let target = random.unitInterval() * total
                var cumulative = 0.0
                chosen = n - 1
                for i in 0..<n {
                    cumulative += Double(nearest[i])
                    if cumulative > target, nearest[i] > 0 { chosen = i; break }
                }
            } else {
                chosen = random.below(n) // every point coincides with a centroid
            }
        }
    }

    /// Assigns every point to its nearest centroid (ties to the lower index) and returns the inertia.
    mutating func assign() -> Double {
        let chunkRows = max(1, min(n, (4 << 20) / k))
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: chunkRows * k)
        defer { scores.deallocate() }
        let centroidNorms = (0..<k).map { RowNormalization.squaredNorm(centroids.floatPointer + $0 * d, count: d) }
        var changed = false
        for start in stride(from: 0, to: n, by: chunkRows) {
            let rows = min(chunkRows, n - start)
            GEMM.multiply(transposeB: true, m: rows, n: k, k: d, a: points.floatPointer + start * d, lda: d,
                          b: centroids.floatPointer, ldb: d, c: scores, ldc: k)
            for local in 0..<rows {
                let i = start + local, row = scores + local * k
                var best = 0, bestDistance = Float.infinity
                for c in 0..<k {
                    let distance = metric == .cosine
                        ? 1 - row[c]
                        : max(0, pointNorms[i] + centroidNorms[c] - 2 * row[c])
                    if distance < bestDistance { best = c; bestDistance = distance }
                }
                if assignments[i] != best { changed = true; assignments[i] = best }
                distances[i] = bestDistance
            }
        }
        lastAssignmentChanged = changed
        var inertia = 0.0
        for value in distances { inertia += Double(value) }
        return inertia
    }

    /// Moves each centroid to the mean of its points (re-normalised for cosine).
    /// An empty cluster takes the point farthest from its centroid among clusters with
    /// more than one point (ties to the lower index).
    mutating func updateCentroids() {
        var sizes = [Int](repeating: 0, count: k)
        for cluster in assignments { sizes[cluster] += 1 }
        for empty in 0..<k where sizes[empty] == 0 {
            var farthest = -1
            for i in 0..<n where sizes[assignments[i]] > 1 && (farthest < 0 || distances[i] > distances[farthest]) {
                farthest = i
            }
            guard farthest >= 0 else { continue }
            sizes[assignments[farthest]] -= 1
            assignments[farthest] = empty
            sizes[empty] = 1
            distances[farthest] = 0
        }
        let base = points.floatPointer, out = centroids.floatPointer
        let d = d, k = k, n = n, assignments = assignments, metric = metric
        // Each thread owns a range of dimensions and sums all points in order: deterministic.
        pool.parallelChunks(d) { columns in
            var sums = [Double](repeating: 0, count: k * columns.count)
            for i in 0..<n {
                let row = base + i * d, offset = assignments[i] * columns.count
                for (j, column) in columns.enumerated() { sums[offset + j] += Double(row[column]) }
            }
            for c in 0..<k where sizes[c] > 0 {
                for (j, column) in columns.enumerated() {
                    out[c * d + column] = Float(sums[c * columns.count + j] / Double(sizes[c]))
                }
            }
        }
        if metric == .cosine {
            for c in 0..<k where sizes[c] > 0 {
                let centroid = out + c * d
                let norm = RowNormalization.squaredNorm(centroid, count: d).squareRoot()
                if norm > 0 { for j in 0..<d { centroid[j] /= norm } }
            }
        }
    }

    @inline(__always)
    static func squaredDistance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var accumulator = SIMD8<Float>()
        var i = 0
        while i + 8 <= count {
            let difference = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
                - UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
            accumulator += difference * difference
            i += 8
        }
        var sum = accumulator.sum()
        while i < count { let difference = a[i] - b[i]; sum += difference * difference; i += 1 }
        return sum
    }
}
