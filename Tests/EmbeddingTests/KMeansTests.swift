import Testing
@testable import Embedding
import Kernels
import Tensor
import TestSupport

@Suite(.serialized) struct KMeansTests {
    /// `perBlob` points around each of `centers`, jittered by ±`spread`.
    static func blobs(_ centers: [[Float]], perBlob: Int, spread: Float, seed: UInt64) -> (Tensor, [Int]) {
        var random = SeededGenerator(seed: seed)
        var rows: [Float] = [], labels: [Int] = []
        for index in 0..<(centers.count * perBlob) {
            let blob = (index * 7) % centers.count // interleave blobs
            rows += centers[blob].map { $0 + Float.random(in: -spread...spread, using: &random) }
            labels.append(blob)
        }
        return (Tensor(shape: [labels.count, centers[0].count], floats: rows), labels)
    }

    /// Whether `found` equals `truth` up to renaming the clusters.
    static func samePartition(_ found: [Int], _ truth: [Int]) -> Bool {
        var mapping: [Int: Int] = [:], reverse: [Int: Int] = [:]
        for (a, b) in zip(found, truth) {
            if mapping[a, default: b] != b || reverse[b, default: a] != a { return false }
            mapping[a] = b
            reverse[b] = a
        }
        return true
    }

    @Test(arguments: [KMeans.Metric.euclidean, .cosine])
    func recoversWellSeparatedBlobs(metric: KMeans.Metric) throws {
        let centers: [[Float]] = [[10, 0, 0, 1], [0, 10, 0, 1], [0, 0, 10, 1], [-10, 0, 0, 1]]
        let (data, labels) = Self.blobs(centers, perBlob: 25, spread: 0.5, seed: 4)
        let result = try KMeans.cluster(data, configuration: .init(k: 4, metric: metric, seed: 42))
        #expect(Self.samePartition(result.assignments, labels))
        #expect(result.clusterSizes.sorted() == [25, 25, 25, 25])
        #expect(result.converged)
        #expect(result.centroids.shape == [4, 4])
        if metric == .euclidean {
            // Each centroid is the mean of its points, and inertia matches a direct sum.
            let rows = data.toFloats(), centroids = result.centroids.toFloats()
            var inertia = 0.0
            for (i, c) in result.assignments.enumerated() {
                for j in 0..<4 { let d = Double(rows[i * 4 + j] - centroids[c * 4 + j]); inertia += d * d }
            }
            #expect(abs(inertia - result.inertia) < 1e-3 * max(1, inertia))
        }
    }

    @Test func sameSeedSameResultWhateverTheThreadCount() throws {
        var random = SeededGenerator(seed: 8)
        let data = random.tensor([120, 16])
        let configuration = KMeans.Configuration(k: 5, metric: .cosine, seed: 1234)
        let previous = GEMM.threadCount
        defer { GEMM.setThreadCount(previous) }
        GEMM.setThreadCount(1)
        let first = try KMeans.cluster(data, configuration: configuration)
        GEMM.setThreadCount(2)
        let second = try KMeans.cluster(data, configuration: configuration)
        #expect(first.assignments == second.assignments)
        #expect(first.centroids.toFloats() == second.centroids.toFloats())
        #expect(first.inertia == second.inertia)
        let otherSeed = try KMeans.cluster(data, configuration: .init(k: 5, metric: .cosine, seed: 999))
        #expect(otherSeed.assignments.count == 120)
    }

    @Test func emptyClustersAreRefilledAndBadKIsRefused() throws {
        // Two distinct points repeated, k = 3: one cluster must still get a point.
        let data = Tensor(shape: [6, 2], floats: [0, 0, 0, 0, 0, 0, 5, 5, 5, 5, 6, 6])
        let result = try KMeans.cluster(data, configuration: .init(k: 3, metric: .euclidean, seed: 3))
        #expect(result.clusterSizes.allSatisfy { $0 > 0 })
        #expect(throws: SearchError.self) { try KMeans.cluster(data, configuration: .init(k: 7)) }
        #expect(throws: SearchError.self) { try KMeans.cluster(data, configuration: .init(k: 0)) }
    }
}
