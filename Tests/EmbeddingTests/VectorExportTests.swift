import Foundation
import Testing
@testable import Embedding
import Tensor
import TestSupport

@Suite struct VectorExportTests {
    /// Values that stress shortest round-trip printing, plus random ones.
    static func sample(rows: Int, dimension: Int) -> Tensor {
        let special: [Float] = [0.1, -0.0, 1e-7, 1.0 / 3.0, .leastNonzeroMagnitude, .leastNormalMagnitude,
                                .greatestFiniteMagnitude, -123456.79, 16_777_217, 2.5e-38]
        var random = SeededGenerator(seed: 21)
        var values = random.floats(rows * dimension, in: -10...10)
        for (i, value) in special.enumerated() where i < values.count { values[i] = value }
        return Tensor(shape: [rows, dimension], floats: values)
    }

    static let textPaths = ["plain.jpg", "with,comma.jpg", "with \"quote\".png", "new\nline.jpg", "ünïcødé/猫.webp",
                            "back\\slash\ttab.jpg"]

    @Test func npyAndPathsFileRoundTripExactly() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let paths = ["a.jpg", "b,c.jpg", "d \"e\".png", "ünï/猫.webp", "f.gif"]
        let vectors = Self.sample(rows: 5, dimension: 7)
        let url = folder.file("out/vectors.npy")
        try VectorExport.write(paths: paths, vectors: vectors, to: url)
        let read = try NumPyFile.read(url)
        #expect(read.shape == [5, 7])
        #expect(read.toFloats().map(\.bitPattern) == vectors.toFloats().map(\.bitPattern))
        let listed = try String(contentsOf: folder.file("out/vectors.paths.txt"), encoding: .utf8)
        #expect(listed == paths.joined(separator: "\n") + "\n")
        #expect(!FileManager.default.fileExists(atPath: url.path + ".partial"))
    }

    @Test func streamingNpyPatchesTheRowCount() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let url = folder.file("stream.npy")
        let vectors = Self.sample(rows: 9, dimension: 3)
        let writer = try VectorExport.makeWriter(to: url, dimension: 3)
        for range in [0..<4, 4..<5, 5..<5, 5..<9] {
            try writer.append(paths: range.map { "p\($0)" }, vectors: vectors.slice(rows: range))
        }
        #expect(!FileManager.default.fileExists(atPath: url.path)) // only the .partial exists so far
        #expect(writer.rowCount == 9)
        try writer.finish()
        let bytes = try Data(contentsOf: url)
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        #expect((10 + headerLength) % 64 == 0)
        let header = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
        #expect(header.contains("'shape': (9, 3)"))
        let read = try NumPyFile.read(url)
        #expect(read.shape == [9, 3])
        #expect(read.toFloats() == vectors.toFloats())
        #expect(bytes.count == 10 + headerLength + 9 * 3 * 4)
    }

    @Test func jsonLinesRoundTripExactly() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let vectors = Self.sample(rows: Self.textPaths.count, dimension: 5)
        let url = folder.file("vectors.jsonl")
        try VectorExport.write(paths: Self.textPaths, vectors: vectors, to: url)
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == Self.textPaths.count + 1 && lines.last == "")
        var floats: [Float] = [], paths: [String] = []
        for line in lines.dropLast() {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            paths.append(try #require(object["path"] as? String))
            let embedding = try #require(object["embedding"] as? [Any])
            floats += try embedding.map { Float(try #require($0 as? NSNumber).doubleValue) }
        }
        #expect(paths == Self.textPaths)
        #expect(floats.map(\.bitPattern) == vectors.toFloats().map(\.bitPattern))
        // The printed text itself is the shortest round-trip form.
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.contains("[0.1, -0.0, 1e-07, 0.33333334, 1e-45"))
    }

    @Test func csvRoundTripsExactlyWithQuotedPaths() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let vectors = Self.sample(rows: Self.textPaths.count, dimension: 4)
        let url = folder.file("vectors.csv")
        try VectorExport.write(paths: Self.textPaths, vectors: vectors, to: url)
        let rows = CSVParser.parse(try String(contentsOf: url, encoding: .utf8))
        #expect(rows.first == ["path", "e0", "e1", "e2", "e3"])
        #expect(rows.dropFirst().map { $0[0] } == Self.textPaths)
        let floats = rows.dropFirst().flatMap { $0.dropFirst().map { Float($0)! } }
        #expect(floats.map(\.bitPattern) == vectors.toFloats().map(\.bitPattern))
    }

    @Test func unrepresentableInputsAreRefusedAndLeaveNoFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let npy = folder.file("bad.npy")
        #expect(throws: ExportError.self) {
            try VectorExport.write(paths: ["a\nb.jpg"], vectors: Tensor(shape: [1, 2], floats: [1, 2]), to: npy)
        }
        let jsonl = folder.file("bad.jsonl")
        #expect(throws: ExportError.self) {
            try VectorExport.write(paths: ["a.jpg"], vectors: Tensor(shape: [1, 2], floats: [1, .nan]), to: jsonl)
        }
        #expect(throws: ExportError.self) {
            try VectorExport.write(paths: ["a.jpg"], vectors: Tensor(shape: [1, 2], floats: [1, 2]), to: folder.file("x.txt"))
        }
        let contents = try FileManager.default.contentsOfDirectory(atPath: folder.url.path)
        #expect(contents.isEmpty)
    }
}

/// A small RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks.
enum CSVParser {
    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = ""
        var inQuotes = false, fieldWasQuoted = false
        var characters = Array(text.unicodeScalars)[...]
        while let c = characters.popFirst() {
            if inQuotes {
                if c == "\"" {
                    if characters.first == "\"" { field.unicodeScalars.append("\""); characters.removeFirst() }
                    else { inQuotes = false }
                } else { field.unicodeScalars.append(c) }
            } else if c == "\"" {
                inQuotes = true
                fieldWasQuoted = true
            } else if c == "," {
                row.append(field); field = ""; fieldWasQuoted = false
            } else if c == "\n" {
                row.append(field); rows.append(row); row = []; field = ""; fieldWasQuoted = false
            } else if c != "\r" {
                field.unicodeScalars.append(c)
            }
        }
        if !field.isEmpty || fieldWasQuoted || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}
