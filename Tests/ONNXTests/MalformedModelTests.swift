import Foundation
import Graph
import ONNX
import Testing
import TestSupport

/// Broken input must throw an ``ONNXError`` naming the file and the problem, never crash.
@Suite struct MalformedModelTests {
    static func loadError(_ data: Data, name: String = "bad.onnx") -> ONNXError? {
        do {
            _ = try ONNXModel.load(bytes: data, name: name)
            return nil
        } catch let error as ONNXError {
            return error
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    static func expectError(_ data: Data, containing fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        guard let error = loadError(data) else {
            Issue.record("loaded without error", sourceLocation: sourceLocation)
            return
        }
        let text = error.description
        #expect(text.hasPrefix("bad.onnx: "), "\(text)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(text.contains(fragment), "'\(text)' lacks '\(fragment)'", sourceLocation: sourceLocation)
        }
    }

    /// Offsets where top-level ModelProto fields end (a prefix ending there is a valid, shorter message).
    static func topLevelFieldEnds(_ bytes: [UInt8]) -> [Int] {
        var ends: [Int] = [], position = 0
        func varint() -> UInt64 {
            var value: UInt64 = 0, shift: UInt64 = 0
            while true {
                let byte = bytes[position]; position += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
        }
        while position < bytes.count {
            let key = varint()
            switch key & 7 {
            case 0: _ = varint()
            case 2: position += Int(varint())
            case 1: position += 8
            default: position += 4
            }
            ends.append(position)
        }
        return ends
    }

    @Test func everyTruncationOfARealModelThrows() throws {
        let bytes = try Data(contentsOf: RealModelTests.bundledModel)
        // Trailing metadata_props entries follow graph and opset_import: cutting between
        // them leaves a valid model (with less metadata), which must load completely.
        let ends = Self.topLevelFieldEnds([UInt8](bytes))
        let graphEnd = try #require(ends.first { $0 > 1_000_000 })
        let validPrefixes = Set(ends.filter { $0 > graphEnd })
        var lengths = Array(0..<200)
        lengths += stride(from: 200, to: bytes.count, by: bytes.count / 150).map { $0 }
        lengths += (1...100).map { bytes.count - $0 }
        var validCount = 0
        for length in lengths {
            if validPrefixes.contains(length) {
                validCount += 1
                #expect(try ONNXModel.load(bytes: bytes.prefix(length), name: "m").graph.nodes.count == 124)
            } else {
                #expect(Self.loadError(bytes.prefix(length)) != nil, "prefix \(length) loaded")
            }
        }
        #expect(validCount >= 1)
    }

    @Test func truncatedSmallModelsThrowAtEveryLength() {
        let bytes = B.tinyModel()
        for length in 0..<bytes.count {
            #expect(Self.loadError(bytes.prefix(length)) != nil, "prefix \(length) of \(bytes.count) loaded")
        }
        #expect(Self.loadError(bytes) == nil)
    }

    @Test func randomBytesThrow() {
        var generator = SeededGenerator(seed: 7)
        for size in [1, 2, 7, 100, 4096, 65_536] {
            let data = Data((0..<size).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
            #expect(Self.loadError(data) != nil, "\(size) random bytes loaded")
        }
    }

    @Test func mutatedSmallModelsNeverCrash() {
        var generator = SeededGenerator(seed: 11)
        let original = [UInt8](B.tinyModel())
        for _ in 0..<3000 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: .min ... .max, using: &generator)
            }
            if let model = try? ONNXModel.load(bytes: Data(bytes), name: "m") {
                _ = try? ModelValidator.validate(model.graph, opsetVersion: model.opsetVersion, registry: OperatorRegistry())
            }
        }
    }

    @Test func emptyAndMissingFilesThrowNamingThePath() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("onnx-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let empty = folder.appendingPathComponent("empty.onnx")
        try Data().write(to: empty)
        #expect(throws: ONNXError.invalidModel(path: empty.path, reason: "the file is empty")) {
            try ONNXModel.load(contentsOf: empty)
        }
        let missing = folder.appendingPathComponent("missing.onnx")
        do {
            _ = try ONNXModel.load(contentsOf: missing)
            Issue.record("missing file loaded")
        } catch let error as ONNXError {
            #expect(error.description.hasPrefix(missing.path + ": cannot read the model"))
        }
    }

    @Test func rawDataLongerThanTheFileThrows() {
        // A TensorProto whose raw_data length prefix claims 1 MB but only 8 bytes follow.
        var tensor = ProtoWriter()
        tensor.packedInt64s(1, [2])
        tensor.int(2, Int64(B.float))
        tensor.string(8, "w")
        tensor.tag(9, 2)
        tensor.varint(1_000_000)
        tensor.bytes += [0, 0, 128, 63, 0, 0, 0, 64]
        let data = B.model(graph: B.graph(initializers: [{ $0.bytes += tensor.bytes }],
                                          outputs: [B.valueInfo("w", dims: nil)]))
        Self.expectError(data, containing: ["TensorProto", "length 1000000 exceeds the 8 bytes left"])
    }

    @Test func rawDataThatDisagreesWithTheShapeThrows() {
        let data = B.model(graph: B.graph(initializers: [B.floatTensor("w", dims: [3], [1, 2])]))
        Self.expectError(data, containing: ["tensor 'w'", "needs 12 bytes but raw_data holds 8"])
        let typed = B.model(graph: B.graph(initializers: [B.tensor("v", dims: [4], type: B.float) { $0.packedFloats(4, [1]) }]))
        Self.expectError(typed, containing: ["tensor 'v'", "needs 4 elements but float_data holds 1"])
        let none = B.model(graph: B.graph(initializers: [B.tensor("n", dims: [1 << 40], type: B.float)]))
        Self.expectError(none, containing: ["tensor 'n'", "holds no data"])
    }

    @Test func overflowingAndNegativeDimensionsThrow() {
        let overflow = B.model(graph: B.graph(initializers: [B.rawTensor("big", dims: [1 << 32, 1 << 32, 4], type: B.float, raw: [])]))
        Self.expectError(overflow, containing: ["tensor 'big'", "overflows"])
        let bytesOverflow = B.model(graph: B.graph(initializers: [B.rawTensor("b", dims: [1 << 62], type: B.int64, raw: [])]))
        Self.expectError(bytesOverflow, containing: ["tensor 'b'", "too large"])
        let negative = B.model(graph: B.graph(initializers: [B.rawTensor("neg", dims: [-1, 4], type: B.float, raw: [])]))
        Self.expectError(negative, containing: ["tensor 'neg'", "negative dimension"])
    }

    @Test func unsupportedElementTypesNameTheTensor() {
        let data = B.model(graph: B.graph(initializers: [B.tensor("labels", dims: [1], type: B.string) { $0.bytes(6, [65]) }]))
        Self.expectError(data, containing: ["tensor 'labels'", "unsupported element type string"])
        let complex = B.model(graph: B.graph(initializers: [B.rawTensor("z", dims: [1], type: 14, raw: [UInt8](repeating: 0, count: 8))]))
        Self.expectError(complex, containing: ["tensor 'z'", "complex64"])
    }

    @Test func wireLevelErrorsAreReported() {
        // Group wire type (3) is rejected.
        Self.expectError(Data([0x0B]), containing: ["ModelProto", "wire type 3"])
        // Varint longer than 10 bytes.
        Self.expectError(Data([0x08] + [UInt8](repeating: 0xFF, count: 11)), containing: ["varint"])
        // Field number 0.
        Self.expectError(Data([0x00, 0x01]), containing: ["invalid field number 0"])
        // A graph field encoded as a varint is skipped: no graph.
        Self.expectError(Data([0x38, 0x01]), containing: ["no graph"])
        // Graph but no opset.
        var w = ProtoWriter()
        w.message(7, B.graph())
        Self.expectError(w.data, containing: ["no opset"])
    }

    @Test func unsupportedOperatorsAreListedWithNodeAndOpset() throws {
        let data = B.model(opset: 18, graph: B.graph(
            nodes: [B.node("Relu", name: "r", inputs: ["x"], outputs: ["a"]),
                    B.node("GridSample", name: "warp", inputs: ["a"], outputs: ["b"]),
                    B.node("NonMaxSuppression", name: "nms", inputs: ["b"], outputs: ["c"]),
                    B.node("Inverse", name: "inv", inputs: ["c"], outputs: ["y"], domain: "com.microsoft")],
            inputs: [B.valueInfo("x", dims: [.value(1)])], outputs: [B.valueInfo("y", dims: nil)]))
        let model = try ONNXModel.load(bytes: data, name: "ops.onnx")
        #expect(model.graph.nodes[3].domain == "com.microsoft")
        do {
            try ModelValidator.validate(model.graph, opsetVersion: model.opsetVersion, registry: ModelValidatorTests.registry(["Relu"]))
            Issue.record("validated")
        } catch let error as GraphError {
            #expect(error == .unsupportedOperators(["GridSample (node 'warp', opset 18)", "NonMaxSuppression (node 'nms', opset 18)",
                                                    "com.microsoft.Inverse (node 'inv', opset 18)"]))
            #expect(error.description.contains("unsupported operators (3)"))
        }
    }
}
