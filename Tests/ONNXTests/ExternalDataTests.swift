import Foundation
import ONNX
import Testing

/// Tensors whose bytes live in a separate file next to the model.
@Suite struct ExternalDataTests {
    /// A folder with `weights.bin` (16 floats 0..<16) and a model whose tensor `w` points into it.
    static func makeModel(location: String, offset: Int?, length: Int?, dims: [Int64] = [4]) throws -> (folder: URL, model: URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("onnx-external-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let floats = (0..<16).map { Float($0) }
        try Data(littleEndianBytes(floats.map(\.bitPattern))).write(to: folder.appendingPathComponent("weights.bin"))
        var entries: [(String, String)] = [("location", location)]
        if let offset { entries.append(("offset", String(offset))) }
        if let length { entries.append(("length", String(length))) }
        let tensor = B.tensor("w", dims: dims, type: B.float) { w in
            for (key, value) in entries { w.message(13) { e in e.string(1, key); e.string(2, value) } }
            w.int(14, 1)
        }
        let data = B.model(graph: B.graph(initializers: [tensor], outputs: [B.valueInfo("w", dims: nil)]))
        let model = folder.appendingPathComponent("model.onnx")
        try data.write(to: model)
        return (folder, model)
    }

    static func error(location: String, offset: Int?, length: Int?, dims: [Int64] = [4]) throws -> String? {
        let (folder, model) = try makeModel(location: location, offset: offset, length: length, dims: dims)
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            _ = try ONNXModel.load(contentsOf: model)
            return nil
        } catch {
            let text = String(describing: error)
            #expect(text.hasPrefix(model.path + ": tensor 'w': external data: "), "\(text)")
            return text
        }
    }

    @Test func viewsExternalDataInPlace() throws {
        let (folder, url) = try Self.makeModel(location: "weights.bin", offset: 16, length: 16)
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try ONNXModel.load(contentsOf: url)
        let w = try #require(model.graph.initializers["w"])
        #expect(w.toFloats() == [4, 5, 6, 7])
        #expect(w.storage.byteCount == 16) // a view of the mapping, not the whole file copied
        #expect(Int(bitPattern: w.rawPointer) % 4096 == 16) // offset 16 in a page-aligned mapping
        // Without a length the shape decides; nested folders are fine.
        let (folder2, url2) = try Self.makeModel(location: "./weights.bin", offset: nil, length: nil, dims: [2, 2])
        defer { try? FileManager.default.removeItem(at: folder2) }
        #expect(try ONNXModel.load(contentsOf: url2).graph.initializers["w"]?.toFloats() == [0, 1, 2, 3])
    }

    @Test func rejectsLocationsOutsideTheModelFolder() throws {
        for location in ["../weights.bin", "/etc/passwd", "sub/../../weights.bin", ""] {
            let text = try #require(try Self.error(location: location, offset: 0, length: 16), "\(location) accepted")
            #expect(text.contains("inside the model's folder") || text.contains("no 'location'"), "\(text)")
        }
    }

    @Test func rejectsRangesBeyondTheFile() throws {
        let beyond = try #require(try Self.error(location: "weights.bin", offset: 60, length: 16))
        #expect(beyond.contains("16 bytes at offset 60 lie outside 'weights.bin' (64 bytes)"))
        let huge = try #require(try Self.error(location: "weights.bin", offset: Int.max, length: 16))
        #expect(huge.contains("lie outside"))
        let wrongLength = try #require(try Self.error(location: "weights.bin", offset: 0, length: 12))
        #expect(wrongLength.contains("length 12 does not match the 16 bytes"))
        let missing = try #require(try Self.error(location: "nothere.bin", offset: 0, length: 16))
        #expect(missing.contains("cannot read 'nothere.bin'"))
    }

    @Test func inMemoryModelsRejectExternalData() throws {
        let (folder, url) = try Self.makeModel(location: "weights.bin", offset: 0, length: 16)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: ONNXError.self) { try ONNXModel.load(bytes: Data(contentsOf: url), name: "mem") }
        let model = try ONNXModel.load(bytes: Data(contentsOf: url), name: "mem", baseDirectory: folder)
        #expect(model.graph.initializers["w"]?.toFloats() == [0, 1, 2, 3])
    }
}
