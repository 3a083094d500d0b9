import Foundation
import Testing
@testable import Embedding
import Tensor
import TestSupport

@Suite struct DuplicateFinderTests {
    /// A unit vector in the plane at `degrees`, padded with zeros.
    static func direction(_ degrees: Double, dimension: Int = 4) -> [Float] {
        let radians = degrees * .pi / 180
        return [Float(cos(radians)), Float(sin(radians))] + [Float](repeating: 0, count: dimension - 2)
    }

    @Test func chainsDoNotJoinGroups() throws {
        // cos(15°) ≈ 0.966 passes 0.95; cos(30°) ≈ 0.866 does not: A~B, B~C, A!~C.
        let records = ["A.jpg", "B.jpg", "C.jpg"].map { Sample.record($0) }
        let vectors = Tensor(shape: [3, 4], floats: [0, 15, 30].flatMap { Self.direction($0) })
        let groups = try DuplicateFinder(threshold: 0.95).findGroups(records: records, vectors: vectors)
        #expect(groups.count == 1)
        for group in groups {
            let paths = Set(group.members.map(\.path))
            #expect(!(paths.contains("A.jpg") && paths.contains("C.jpg")))
            #expect(group.members.count == 2)
        }
    }

    @Test func everyPairInsideAGroupPassesTheThreshold() throws {
        var random = SeededGenerator(seed: 11)
        // Clusters of jittered copies plus noise, in 6 dimensions.
        var rows: [[Float]] = []
        for _ in 0..<6 {
            let center = random.floats(6)
            for _ in 0..<5 { rows.append(center.map { $0 + Float.random(in: -0.15...0.15, using: &random) }) }
        }
        let records = rows.indices.map { Sample.record(String(format: "r%02d.jpg", $0)) }
        let vectors = Tensor(shape: [rows.count, 6], floats: rows.flatMap { $0 })
        let threshold: Float = 0.97
        let finder = DuplicateFinder(threshold: threshold, blockElementBudget: 64) // many small blocks
        let groups = try finder.findGroups(records: records, vectors: vectors)
        #expect(!groups.isEmpty)
        var seen = Set<String>()
        for group in groups {
            let indices = group.members.map { member in records.firstIndex { $0.path == member.path }! }
            for a in indices { for b in indices where a < b {
                #expect(Comparison.cosine(rows[a], rows[b]) >= Double(threshold) - 1e-6)
            } }
            for member in group.members { #expect(seen.insert(member.path).inserted) }
        }
        // The blocked scan finds exactly the brute-force pairs.
        let normalized = RowNormalization.normalizedCopy(of: vectors)
        let blocked = SimilarPairScan.pairs(normalized: normalized, threshold: threshold, blockElementBudget: 50)
        var brute: [(Int, Int)] = []
        for a in rows.indices { for b in rows.indices where a < b && Comparison.cosine(rows[a], rows[b]) >= Double(threshold) {
            brute.append((a, b))
        } }
        #expect(blocked.map(\.first) == brute.map(\.0))
        #expect(blocked.map(\.second) == brute.map(\.1))
    }

    @Test func keeperIsLargestResolutionThenLargestFileThenPath() throws {
        let same = Self.direction(0)
        func group(_ records: [ImageRecord]) throws -> DuplicateGroup {
            let vectors = Tensor(shape: [records.count, 4], floats: records.flatMap { _ in same })
            let groups = try DuplicateFinder().findGroups(records: records, vectors: vectors)
            try #require(groups.count == 1)
            return groups[0]
        }
        let byResolution = try group([Sample.record("a.jpg", size: 900, width: 100, height: 100),
                                      Sample.record("b.jpg", size: 10, width: 200, height: 100),
                                      Sample.record("c.jpg", size: 5000, width: nil, height: nil)])
        #expect(byResolution.keeper.path == "b.jpg")
        #expect(byResolution.duplicates.map(\.path) == ["a.jpg", "c.jpg"])
        let bySize = try group([Sample.record("a.jpg", size: 10, width: 50, height: 50),
                                Sample.record("b.jpg", size: 20, width: 50, height: 50)])
        #expect(bySize.keeper.path == "b.jpg")
        let byPath = try group([Sample.record("z.jpg"), Sample.record("m.jpg"), Sample.record("q.jpg")])
        #expect(byPath.keeper.path == "m.jpg")
        #expect(byPath.duplicates.map(\.path) == ["q.jpg", "z.jpg"])
        #expect(byPath.minimumSimilarity > 0.999)
    }

    @Test func distinctImagesFormNoGroups() throws {
        let records = (0..<4).map { Sample.record("\($0).jpg") }
        let vectors = Tensor(shape: [4, 4], floats: [0, 40, 80, 120].flatMap { Self.direction($0) })
        #expect(try DuplicateFinder().findGroups(records: records, vectors: vectors).isEmpty)
    }
}
