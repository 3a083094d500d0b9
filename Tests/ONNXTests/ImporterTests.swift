import Foundation
import Graph
import ONNX
import Tensor
import Testing
import TestSupport

typealias B = ONNXBuilder

/// Small models built with the test writer: tensor encodings, Constant nodes, declared shapes.
@Suite struct ImporterTests {
    static func load(_ data: Data) throws -> ONNXModel { try ONNXModel.load(bytes: data, name: "test.onnx") }

    static func modelWith(initializers: [(inout ProtoWriter) -> Void], nodes: [(inout ProtoWriter) -> Void] = []) -> Data {
        B.model(graph: B.graph(nodes: nodes, initializers: initializers,
                               inputs: [B.valueInfo("x", dims: [.value(1)])], outputs: [B.valueInfo("y", dims: nil)]))
    }

    @Test func readsModelMetadataAndDeclaredShapes() throws {
        let model = try Self.load(B.model(opset: 19, graph: B.graph(
            nodes: [B.node("Relu", name: "relu", inputs: ["x"], outputs: ["y"])],
            initializers: [B.floatTensor("w", dims: [1], [1])],
            inputs: [B.valueInfo("x", dims: [.param("n"), .value(3), .unknown]),
                     B.valueInfo("w", dims: [.value(1)])],
            outputs: [B.valueInfo("y", type: B.int64, dims: nil)])))
        #expect(model.irVersion == 8 && model.opsetVersion == 19 && model.opsets == ["": 19])
        #expect(model.producerName == "imgvec-tests" && model.producerVersion == "1.0")
        #expect(model.graph.name == "test")
        // "w" is an initializer, so it is not a graph input.
        #expect(model.graph.inputs.map(\.name) == ["x"])
        #expect(model.graph.inputs[0].shape == [.symbolic("n"), .fixed(3), .symbolic("")])
        #expect(model.graph.outputs[0].dataType == .int64 && model.graph.outputs[0].shape == nil)
        #expect(model.graph.nodes.map(\.label) == ["Relu 'relu'"])
    }

    @Test func materialisesTypedFields() throws {
        let model = try Self.load(Self.modelWith(initializers: [
            B.tensor("f", dims: [2, 2], type: B.float) { $0.packedFloats(4, [1.5, -2, 3, 4.25]) },
            B.tensor("unpacked", dims: [2], type: B.float) { $0.float(4, 7); $0.float(4, -8) },
            B.tensor("i", dims: [3], type: B.int64) { $0.packedInt64s(7, [-1, 5, Int64.max]) },
            B.tensor("d", dims: [2], type: B.double) { $0.packedDoubles(10, [0.1, -1e300]) },
            B.tensor("i32", dims: [2], type: B.int32) { $0.packedInt64s(5, [-7, 1 << 30]) },
            B.tensor("h", dims: [2], type: B.float16) { $0.packedInt64s(5, [0x3C00, 0xC000]) },
            B.tensor("u8", dims: [2], type: B.uint8) { $0.packedInt64s(5, [255, 3]) },
            B.tensor("empty", dims: [0, 4], type: B.float),
        ]))
        let t = model.graph.initializers
        #expect(t["f"]?.shape == [2, 2] && t["f"]?.toFloats() == [1.5, -2, 3, 4.25])
        #expect(t["unpacked"]?.toFloats() == [7, -8])
        #expect(t["i"]?.dataType == .int64 && t["i"]?.toInt64s() == [-1, 5, Int64.max])
        #expect(t["d"]?.dataType == .float32 && t["d"]?.toFloats() == [Float(0.1), -Float.infinity])
        #expect(t["i32"]?.dataType == .int32 && t["i32"]?.toInt64s() == [-7, 1 << 30])
        #expect(t["h"]?.toFloats() == [1, -2])
        #expect(t["u8"]?.dataType == .uint8 && t["u8"]?.toInt64s() == [255, 3])
        #expect(t["empty"]?.shape == [0, 4] && t["empty"]?.count == 0)
    }

    @Test func convertsRawHalfBFloatAndDoubleExactly() throws {
        let halfBits: [UInt16] = [0x3C00, 0x0001, 0x7C00, 0xFBFF]
        let bfloatBits: [UInt16] = [0x3F80, 0xC040, 0x0001]
        let model = try Self.load(Self.modelWith(initializers: [
            B.rawTensor("h", dims: [4], type: B.float16, raw: littleEndianBytes(halfBits)),
            B.rawTensor("b", dims: [3], type: B.bfloat16, raw: littleEndianBytes(bfloatBits)),
            B.rawTensor("d", dims: [1], type: B.double, raw: littleEndianBytes([(2.5 as Double).bitPattern])),
            B.rawTensor("flags", dims: [3], type: B.bool, raw: [1, 0, 1]),
        ]))
        let t = model.graph.initializers
        #expect(t["h"]?.dataType == .float32)
        #expect(t["h"]?.toFloats() == [1, Float(sign: .plus, exponent: -24, significand: 1), .infinity, -65504])
        #expect(t["b"]?.toFloats() == [1, -3, Float(bitPattern: 0x0001_0000)])
        #expect(t["d"]?.toFloats() == [2.5])
        #expect(t["flags"]?.dataType == .bool && t["flags"]?.toInt64s() == [1, 0, 1])
    }

    @Test func copiesMisalignedRawDataIntoAlignedStorage() throws {
        // Try several name lengths so that some raw_data lands at an offset that is not a multiple of 4.
        var sawCopy = false, sawView = false
        for padding in 0..<4 {
            let name = "w" + String(repeating: "x", count: padding)
            let model = try Self.load(Self.modelWith(initializers: [B.floatTensor(name, dims: [3], [1, -2, 3.5])]))
            let tensor = try #require(model.graph.initializers[name])
            #expect(tensor.toFloats() == [1, -2, 3.5])
            #expect(Int(bitPattern: tensor.rawPointer) % 4 == 0)
            if tensor.storage.byteCount == tensor.byteCount { sawCopy = true } else { sawView = true }
        }
        #expect(sawCopy && sawView)
    }

    @Test func turnsConstantNodesIntoInitializers() throws {
        func constant(_ output: String, _ attribute: @escaping (inout ProtoWriter) -> Void) -> (inout ProtoWriter) -> Void {
            B.node("Constant", name: "const_\(output)", inputs: [], outputs: [output], attributes: [attribute])
        }
        let model = try Self.load(Self.modelWith(initializers: [], nodes: [
            constant("c_tensor", B.attribute("value", type: 4) { $0.message(5, B.floatTensor("", dims: [2], [4, 5])) }),
            constant("c_float", B.attribute("value_float", type: 1) { $0.float(2, 0.25) }),
            constant("c_floats", B.attribute("value_floats", type: 6) { $0.packedFloats(7, [1, 2, 3]) }),
            constant("c_int", B.attribute("value_int", type: 2) { $0.int(3, -3) }),
            constant("c_ints", B.attribute("value_ints", type: 7) { $0.int(8, 9); $0.int(8, -1) }),
            B.node("Add", name: "add", inputs: ["x", "c_float"], outputs: ["y"]),
        ]))
        let t = model.graph.initializers
        #expect(model.graph.nodes.map(\.opType) == ["Add"])
        #expect(t["c_tensor"]?.shape == [2] && t["c_tensor"]?.toFloats() == [4, 5])
        #expect(t["c_float"]?.shape == [] && t["c_float"]?.toFloats() == [0.25])
        #expect(t["c_floats"]?.shape == [3] && t["c_floats"]?.toFloats() == [1, 2, 3])
        #expect(t["c_int"]?.dataType == .int64 && t["c_int"]?.shape == [] && t["c_int"]?.toInt64s() == [-3])
        #expect(t["c_ints"]?.shape == [2] && t["c_ints"]?.toInt64s() == [9, -1])
    }

    @Test func readsAttributesAndSkipsSubgraphs() throws {
        let model = try Self.load(Self.modelWith(initializers: [], nodes: [
            B.node("Conv", name: "conv", inputs: ["x"], outputs: ["t"], attributes: [
                B.attribute("strides", type: 7) { $0.packedInt64s(8, [2, 2]) },
                B.attribute("auto_pad", type: 3) { $0.string(4, "SAME_UPPER") },
                B.attribute("alpha", type: 1) { $0.float(2, 0.5) },
            ]),
            B.node("If", name: "branch", inputs: ["t"], outputs: ["y"], attributes: [
                B.attribute("then_branch", type: 5) { $0.message(6, B.graph()) },
            ]),
        ]))
        let conv = model.graph.nodes[0]
        #expect(try conv.ints("strides") == [2, 2])
        #expect(try conv.string("auto_pad", default: "") == "SAME_UPPER")
        #expect(try conv.float("alpha", default: 0) == 0.5)
        #expect(model.graph.nodes[1].attributes.isEmpty)
        #expect(throws: GraphError.unsupportedOperators(["If (node 'branch', opset 17)"])) {
            try ModelValidator.validate(model.graph, opsetVersion: 17, registry: ModelValidatorTests.registry(["Conv"]))
        }
    }
}

/// The fuzzer's seed models were written by the reference `onnx` Python package.
@Suite struct ReferenceWriterTests {
    static let corpus = Fixtures.repositoryRoot.appendingPathComponent("Fuzz/Corpus/FuzzONNXModelReader")

    @Test func readsModelsWrittenByTheOnnxPackage() throws {
        let tiny = try ONNXModel.load(contentsOf: Self.corpus.appendingPathComponent("tiny_relu.onnx"))
        #expect(tiny.graph.nodes.map(\.opType) == ["Relu"] && tiny.graph.inputs[0].shape == [.symbolic("batch"), .fixed(3)])
        #expect(tiny.graph.initializers["w"]?.toFloats() == [1, 2])

        let typed = try ONNXModel.load(contentsOf: Self.corpus.appendingPathComponent("constants_typed.onnx"))
        #expect(typed.opsets == ["": 13, "com.microsoft": 1])
        #expect(typed.graph.nodes.map(\.opType) == ["Reshape", "Conv"])
        let t = typed.graph.initializers
        #expect(t["c"]?.toFloats() == [1.5, 2.5] && t["s"]?.toInt64s() == [1, -1] && t["f"]?.toFloats() == [0.5])
        #expect(t["w"]?.shape == [1, 1, 1, 2] && t["w"]?.toFloats() == [1, 2])
        #expect(t["i"]?.toInt64s() == [1, -2, 3] && t["d"]?.toFloats() == [0.25] && t["h"]?.toFloats() == [15360, 16384]) // make_tensor stored the values 0x3C00, 0x4000 as float16
        let conv = typed.graph.nodes[1]
        #expect(try conv.ints("pads") == [1, 1, 1, 1] && conv.float("alpha", default: 0) == 0.1)
        #expect(try conv.string("auto_pad", default: "") == "NOTSET")

        // The third seed references w.bin, which does not exist next to it.
        do {
            _ = try ONNXModel.load(contentsOf: Self.corpus.appendingPathComponent("mixed_types.onnx"))
            Issue.record("loaded without w.bin")
        } catch let error as ONNXError {
            #expect(error.description.contains("tensor 'ext': external data: cannot read 'w.bin'"))
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("onnx-seed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(littleEndianBytes([Float(3).bitPattern, Float(4).bitPattern])).write(to: folder.appendingPathComponent("w.bin"))
        let mixed = try ONNXModel.load(bytes: Data(contentsOf: Self.corpus.appendingPathComponent("mixed_types.onnx")),
                                       name: "mixed", baseDirectory: folder)
        let m = mixed.graph.initializers
        #expect(m["h16"]?.toFloats() == [1, -2] && m["b"]?.dataType == .bool && m["b"]?.toInt64s() == [1, 0, 1])
        #expect(m["i8"]?.dataType == .int8 && m["i8"]?.toInt64s() == [-3, 4] && m["bf"]?.toFloats() == [16256])
        #expect(m["ext"]?.toFloats() == [3, 4])
        #expect(mixed.graph.inputs.map(\.name) == ["cond"] && mixed.graph.inputs[0].dataType == .bool && mixed.graph.inputs[0].shape == [])
        #expect(mixed.graph.nodes.first?.attributes.isEmpty == true)
    }
}
