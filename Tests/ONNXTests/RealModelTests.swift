import Foundation
import Graph
import ONNX
import Tensor
import Testing
import TestSupport

/// The exported models in the shared fixtures (and the bundled MobileNetV3 copy).
@Suite struct RealModelTests {
    static let bundledModel = Fixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/shared-subset/models/mobilenet_v3_small_features.onnx")

    static func manifestModels() throws -> [String: [String: Any]]? {
        guard let url = Fixtures.sharedFile("manifest.json") else { return nil }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        return json?["models"] as? [String: [String: Any]]
    }

    @Test func everySharedModelMatchesTheManifest() throws {
        guard let models = try Self.manifestModels() else { return }
        #expect(models.count >= 7)
        for (name, entry) in models.sorted(by: { $0.key < $1.key }) {
            let file = try #require(entry["file"] as? String)
            let url = try #require(Fixtures.sharedFile(file), "missing \(file)")
            let model = try ONNXModel.load(contentsOf: url)
            let graphEntry = try #require(entry["graph"] as? [String: Any])
            var expectedOps = try #require(graphEntry["op_types"] as? [String: Int])
            expectedOps["Constant"] = nil
            let histogram = Dictionary(model.graph.nodes.map { ($0.opType, 1) }, uniquingKeysWith: +)
            #expect(histogram == expectedOps, "\(name)")
            let initializerCount = try #require(graphEntry["initializers"] as? Int)
            #expect(model.graph.initializers.count >= initializerCount, "\(name)")
            #expect(model.opsetVersion == 17 && model.graph.opsetVersion == 17)
            #expect(!model.producerName.isEmpty)

            #expect(model.graph.inputs.count == 1, "\(name): inputs \(model.graph.inputs.map(\.name))")
            let input = try #require(model.graph.inputs.first)
            #expect(input.name == ((entry["input"] as? [String: Any])?["name"] as? String))
            #expect(input.dataType == .float32)
            #expect(input.shape == [.symbolic("batch"), .fixed(3), .fixed(224), .fixed(224)], "\(name): \(String(describing: input.shape))")
            let outputName = (entry["output"] as? [String: Any])?["name"] as? String
            #expect(model.graph.outputs.map(\.name) == [outputName].compactMap { $0 }, "\(name)")
            // Every node input is defined (the validator's data-flow check passes with all ops registered).
            let registry = OperatorRegistry()
            for op in Set(model.graph.nodes.map(\.opType)) { registry.register(op) { _ in throw GraphError.malformed("unused") } }
            try ModelValidator.validate(model.graph, opsetVersion: model.opsetVersion, registry: registry)
        }
    }

    @Test func bundledMobileNetLoadsWithoutSharedFixtures() throws {
        let model = try ONNXModel.load(contentsOf: Self.bundledModel)
        #expect(model.graph.nodes.count == 124)
        #expect(model.graph.initializers.count == 99)
        #expect(model.irVersion >= 7)
        #expect(model.opsets[""] == 17)
        #expect(model.graph.inputs.map(\.name) == ["input"])
        #expect(model.graph.inputs[0].shape == [.symbolic("batch"), .fixed(3), .fixed(224), .fixed(224)])
        #expect(model.graph.outputs.map(\.name) == ["output"])
        #expect(model.graph.parameterCount > 900_000)
        let conv = try #require(model.graph.nodes.first { $0.opType == "Conv" })
        #expect(try conv.ints("strides") == [2, 2])
        #expect(try conv.ints("kernel_shape") == [3, 3])
    }

    /// Weights stored as raw_data are views of the mapping when aligned: each such
    /// weight's address minus its file offset is the same (the mapping's base).
    /// (Protobuf does not align raw_data, so misaligned weights are copied.)
    @Test func weightsViewTheMappedFileInPlace() throws {
        let fileBytes = try Data(contentsOf: Self.bundledModel)
        let mapped = try ONNXModel.load(contentsOf: Self.bundledModel)
        // Loaded from memory, views share the storage holding the file, so their offsets are file offsets.
        let inMemory = try ONNXModel.load(bytes: fileBytes, name: "mobilenet")
        let fileStorage = try #require(inMemory.graph.initializers.values.first { $0.storage.byteCount == fileBytes.count }?.storage)
        var bases = Set<Int>()
        var views = 0, copies = 0
        for (name, tensor) in mapped.graph.initializers {
            let twin = try #require(inMemory.graph.initializers[name])
            #expect(Int(bitPattern: tensor.rawPointer) % tensor.dataType.byteSize == 0)
            #expect(tensor.storage.byteCount == tensor.byteCount)
            guard twin.storage === fileStorage else {
                copies += 1
                #expect(twin.byteOffset % twin.dataType.byteSize == 0 && twin.storage.byteCount == twin.byteCount)
                #expect(memcmp(twin.rawPointer, tensor.rawPointer, tensor.byteCount) == 0, "\(name)")
                continue
            }
            views += 1
            #expect(twin.byteOffset % twin.dataType.byteSize == 0)
            bases.insert(Int(bitPattern: tensor.rawPointer) - twin.byteOffset)
            let same = fileBytes.withUnsafeBytes { memcmp($0.baseAddress! + twin.byteOffset, tensor.rawPointer, tensor.byteCount) == 0 }
            #expect(same, "\(name)")
        }
        #expect(views >= 10 && views + copies == 99, "views \(views), copies \(copies)")
        #expect(bases.count == 1)
        #expect((bases.first ?? 1) % 4096 == 0)
    }
}
