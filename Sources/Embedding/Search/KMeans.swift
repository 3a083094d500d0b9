import Kernels
import Tensor

/// K-means clustering with k-means++ seeding and Lloyd iterations.
///
/// - `.euclidean`: classic k-means on the raw vectors; inertia is the sum of
///   squared distances to the assigned centroid.
/// - `.cosine`: spherical k-means on L2-normalised vectors: centroids are
///   re-normalised means, inertia is the sum of `1 - cos(x, centroid)`.
///
/// Point-to-centroid scores come from one GEMM per iteration. The result depends
/// only on the data and the seed: sums run in a fixed order and ties go to the
/// lower index, whatever the thread count.
public enum KMeans {
    /// How distances are measured.
    public enum Metric: String, Sendable, CaseIterable {
        case cosine, euclidean
    }

    /// Clustering settings.
    public struct Configuration: Sendable {
        /// Number of clusters (1...N).
        public var k: Int
        public var metric: Metric
        /// Upper bound on Lloyd iterations.
        public var maxIterations: Int
        /// Stop when an iteration improves inertia by at most this fraction.
        public var tolerance: Double
        /// Seed of the k-means++ sampling (`--seed`).
        public var seed: UInt64

        public init(k: Int, metric: Metric = .cosine, maxIterations: Int = 100, tolerance: Double = 1e-4,
                    seed: UInt64 = 0) {
            self.k = k
            self.metric = metric
            self.maxIterations = maxIterations
            self.tolerance = tolerance
            self.seed = seed
        }
    }

    /// The clustering.
    public struct Result: Sendable {
        /// Cluster of each input row, in `0..<k`.
        public let assignments: [Int]
        /// `[k, D]` centroids (unit length for `.cosine`).
        public let centroids: Tensor
        /// Sum of each point's distance to its centroid (see ``KMeans``).
        public let inertia: Double
        /// Lloyd iterations run.
        public let iterations: Int
        /// Whether the tolerance (or a fixed point) was reached before `maxIterations`.
        public let converged: Bool
        /// Points per cluster.
        public var clusterSizes: [Int] {
            var sizes = [Int](repeating: 0, count: centroids.shape[0])
            for cluster in assignments { sizes[cluster] += 1 }
            return sizes
        }
    }

    /// Clusters the rows of `vectors` (`[N, D]` float32).
    public static func cluster(_ vectors: Tensor, configuration: Configuration) throws -> Result {
        guard vectors.rank == 2, vectors.dataType == .float32 else {
            throw SearchError.invalidArgument("k-means needs a [N, D] float32 matrix, found \(vectors.shape)")
        }
        let n = vectors.shape[0]
        guard configuration.k >= 1, configuration.k <= n else {
            throw SearchError.invalidArgument("k must be between 1 and the number of vectors (\(n)), found \(configuration.k)")
        }
        guard configuration.maxIterations >= 1 else {
            throw SearchError.invalidArgument("max iterations must be at least 1")
        }
        let points = configuration.metric == .cosine ? RowNormalization.normalizedCopy(of: vectors) : vectors
        var state = KMeansState(points: points, k: configuration.k, metric: configuration.metric)
        var random = SeededRandom(seed: configuration.seed)
        state.seedPlusPlus(using: &random)
        var inertia = state.assign()
        var iterations = 0, converged = false
        while iterations < configuration.maxIterations {
            iterations += 1
            state.updateCentroids()
            let previous = inertia
            let changed: Bool
            (inertia, changed) = (state.assign(), state.lastAssignmentChanged)
            if !changed || previous - inertia <= configuration.tolerance * max(previous, .leastNormalMagnitude) {
                converged = true
                break
            }
        }
        return Result(assignments: state.assignments, centroids: state.centroids, inertia: inertia,
                      iterations: iterations, converged: converged)
    }
}
