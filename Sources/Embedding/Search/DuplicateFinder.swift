import Tensor

/// A group of near-duplicate images and the copy to keep.
public struct DuplicateGroup: Equatable, Sendable {
    /// The copy to keep: largest resolution, then largest file, then first in path order.
    public let keeper: ImageRecord
    /// The other copies, in path order.
    public let duplicates: [ImageRecord]
    /// The lowest cosine similarity between any two members (every pair is ≥ the threshold).
    public let minimumSimilarity: Float
    /// Every member, keeper first.
    public var members: [ImageRecord] { [keeper] + duplicates }
}

/// Groups near-duplicate images by cosine similarity, without chaining.
///
/// Rule (complete linkage): candidate pairs with similarity ≥ ``threshold`` are
/// visited from most to least similar (ties by row order); each pair merges the
/// two groups its images belong to only if EVERY cross pair between the two groups
/// is also ≥ the threshold. So A~B and B~C never put A with C unless A~C: every
/// pair inside a group passes the threshold. Each image belongs to at most one group.
///
/// The similarity matrix is computed in blocks (see `blockElementBudget`), so memory
/// stays bounded for large collections; time is O(N² · D) through GEMM.
public struct DuplicateFinder {
    /// The default threshold, 0.95: near-identical pictures (re-encodes, resizes,
    /// small crops or edits) typically score above it with CNN embeddings, while
    /// merely similar scenes score lower.
    public static let defaultThreshold: Float = 0.95

    /// Minimum cosine similarity for two images to count as duplicates.
    public var threshold: Float
    /// Upper bound on the floats of one block of the similarity matrix (default 4M = 16 MB).
    public var blockElementBudget: Int

    public init(threshold: Float = DuplicateFinder.defaultThreshold,
                blockElementBudget: Int = 4 << 20) {
        self.threshold = threshold
        self.blockElementBudget = max(1, blockElementBudget)
    }

    /// Duplicate groups in a loaded collection, ordered by their keeper's path.
    public func findGroups(in stored: StoredVectors) throws -> [DuplicateGroup] {
        try findGroups(records: stored.records, vectors: stored.vectors)
    }

    /// Duplicate groups among `records` whose vectors are the rows of `vectors` (`[N, D]`).
    public func findGroups(records: [ImageRecord], vectors: Tensor) throws -> [DuplicateGroup] {
        guard vectors.rank == 2, vectors.dataType == .float32, vectors.shape[0] == records.count else {
            throw SearchError.invalidArgument(
                "vectors must be a [\(records.count), D] float32 matrix, found \(vectors.dataType) \(vectors.shape)")
        }
        let normalized = RowNormalization.normalizedCopy(of: vectors)
        let pairs = SimilarPairScan.pairs(normalized: normalized, threshold: threshold,
                                          blockElementBudget: blockElementBudget)
        return Self.completeLinkageGroups(pairs: pairs, count: records.count).map { group in
            makeGroup(group.rows.map { records[$0] }, minimum: group.minimumSimilarity)
        }.sorted { PathOrder.precedes($0.keeper.path, $1.keeper.path) }
    }

    /// Row groups (size ≥ 2) built from `pairs` by the complete-linkage rule above.
    static func completeLinkageGroups(pairs: [SimilarPair], count: Int) -> [(rows: [Int], minimumSimilarity: Float)] {
        var similarity: [Int: Float] = [:]
        similarity.reserveCapacity(pairs.count)
        for pair in pairs { similarity[pair.first &* count &+ pair.second] = pair.similarity }
        func linked(_ a: Int, _ b: Int) -> Float? { similarity[min(a, b) &* count &+ max(a, b)] }

        let ordered = pairs.sorted {
            $0.similarity != $1.similarity ? $0.similarity > $1.similarity
                : ($0.first, $0.second) < ($1.first, $1.second)
        }
        var groupOf = Array(0..<count)
        var members: [Int: [Int]] = [:]
        var minimum: [Int: Float] = [:]
        for pair in ordered {
            let a = groupOf[pair.first], b = groupOf[pair.second]
            guard a != b else { continue }
            let left = members[a] ?? [a], right = members[b] ?? [b]
            var lowest = min(minimum[a] ?? .infinity, minimum[b] ?? .infinity)
            var complete = true
            check: for x in left {
                for y in right {
                    guard let value = linked(x, y) else { complete = false; break check }
                    lowest = min(lowest, value)
                }
            }
            guard complete else { continue }
            let (kept, absorbed) = left.count >= right.count ? (a, b) : (b, a)
            let absorbedMembers = members.removeValue(forKey: absorbed) ?? [absorbed]
            for row in absorbedMembers { groupOf[row] = kept }
            members[kept] = (members[kept] ?? [kept]) + absorbedMembers
            minimum[kept] = lowest
            minimum[absorbed] = nil
        }
        return members.values.map { rows in (rows.sorted(), minimum[groupOf[rows[0]]] ?? 1) }
    }

    private func makeGroup(_ members: [ImageRecord], minimum: Float) -> DuplicateGroup {
        let keeper = members.max { Self.isBetterKeeper($1, than: $0) }!
        let rest = members.filter { $0.path != keeper.path }.sorted { PathOrder.precedes($0.path, $1.path) }
        return DuplicateGroup(keeper: keeper, duplicates: rest, minimumSimilarity: minimum)
    }

    /// The keeper rule: more pixels, then more bytes, then earlier path.
    public static func isBetterKeeper(_ a: ImageRecord, than b: ImageRecord) -> Bool {
        if a.pixelCount != b.pixelCount { return a.pixelCount > b.pixelCount }
        if a.byteSize != b.byteSize { return a.byteSize > b.byteSize }
        return PathOrder.precedes(a.path, b.path)
    }
}
