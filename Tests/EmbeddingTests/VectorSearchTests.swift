import Testing
@testable import Embedding
import Tensor
import TestSupport

@Suite struct VectorSearchTests {
    /// Brute force: cosine of every row with the query, sorted by score then path.
    static func reference(_ query: [Float], rows: [[Float]], paths: [String]) -> [(String, Double)] {
        zip(paths, rows).map { ($0, Comparison.cosine(query, $1)) }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
    }

    static func data(count: Int, dimension: Int, seed: UInt64) -> (paths: [String], rows: [[Float]], matrix: Tensor) {
        var random = SeededGenerator(seed: seed)
        let rows = (0..<count).map { _ in random.floats(dimension) }
        let paths = (0..<count).map { "p\(String(format: "%03d", $0)).jpg" }
        return (paths, rows, Tensor(shape: [count, dimension], floats: rows.flatMap { $0 }))
    }

    @Test func searchByPathReturnsTheQueryFirstThenReferenceOrder() throws {
        let (paths, rows, matrix) = Self.data(count: 60, dimension: 12, seed: 7)
        let search = try VectorSearch(paths: paths, vectors: matrix)
        let results = try search.search(path: paths[17], k: 10)
        #expect(results.count == 10)
        #expect(results[0].path == paths[17])
        #expect(abs(results[0].score - 1) < 1e-5)
        let expected = Self.reference(rows[17], rows: rows, paths: paths)
        #expect(results.map(\.path) == expected.prefix(10).map(\.0))
        for (hit, reference) in zip(results, expected) { #expect(abs(Double(hit.score) - reference.1) < 1e-5) }
        let without = try search.search(path: paths[17], k: 5, excludingQuery: true)
        #expect(without.map(\.path) == expected.dropFirst().prefix(5).map(\.0))
    }

    @Test func searchByVectorAndBatchAgreeWithBruteForce() throws {
        let (paths, rows, matrix) = Self.data(count: 40, dimension: 9, seed: 3)
        let search = try VectorSearch(paths: paths, vectors: matrix)
        var random = SeededGenerator(seed: 99)
        let queries = (0..<3).map { _ in random.floats(9) }
        let batch = try search.search(queries: Tensor(shape: [3, 9], floats: queries.flatMap { $0 }), k: 40)
        for (query, hits) in zip(queries, batch) {
            let expected = Self.reference(query, rows: rows, paths: paths)
            #expect(hits.map(\.path) == expected.map(\.0))
            // One query and a batch may run different BLAS kernels: equal up to rounding.
            let single = try search.search(vector: query, k: 40)
            #expect(single.map(\.path) == hits.map(\.path))
            #expect(zip(single, hits).allSatisfy { abs($0.score - $1.score) < 1e-6 })
        }
    }

    @Test func tiesAreBrokenByPath() throws {
        // Rows 0, 1 and 2 are the same direction; names out of row order.
        let paths = ["c.jpg", "a.jpg", "b.jpg", "d.jpg"]
        let matrix = Tensor(shape: [4, 2], floats: [1, 0, 2, 0, 3, 0, 0, 1])
        let search = try VectorSearch(paths: paths, vectors: matrix)
        let results = try search.search(vector: [5, 0], k: 3)
        #expect(results.map(\.path) == ["a.jpg", "b.jpg", "c.jpg"])
    }

    @Test func badInputsThrow() throws {
        let (paths, _, matrix) = Self.data(count: 5, dimension: 3, seed: 1)
        let search = try VectorSearch(paths: paths, vectors: matrix)
        #expect(throws: SearchError.unknownPath("nope.jpg")) { try search.search(path: "nope.jpg", k: 1) }
        #expect(throws: SearchError.self) { try search.search(vector: [1, 2], k: 1) }
        #expect(throws: SearchError.self) { try VectorSearch(paths: ["x"], vectors: matrix) }
        #expect(try search.search(vector: [1, 0, 0], k: 100).count == 5)
    }

    @Test func topKSelectorMatchesFullSort() {
        var random = SeededGenerator(seed: 5)
        let scores = (0..<500).map { _ in Float(Int.random(in: 0..<50, using: &random)) / 50 }
        var selector = TopKSelector(k: 25) { $0 < $1 }
        for (i, score) in scores.enumerated() { selector.offer(score: score, index: i) }
        let expected = scores.enumerated().sorted { $0.element != $1.element ? $0.element > $1.element : $0.offset < $1.offset }
        #expect(selector.sortedBestFirst().map(\.index) == expected.prefix(25).map(\.offset))
    }
}
