import Foundation

/// Builds ONNX messages with ``ProtoWriter`` (field numbers from onnx.proto).
enum ONNXBuilder {
    /// ONNX element-type codes.
    static let float = 1, uint8 = 2, int8 = 3, int32 = 6, int64 = 7, string = 8, bool = 9
    static let float16 = 10, double = 11, bfloat16 = 16

    enum Dim { case value(Int), param(String), unknown }

    static func tensor(_ name: String, dims: [Int64], type: Int, _ body: @escaping (inout ProtoWriter) -> Void = { _ in }) -> (inout ProtoWriter) -> Void {
        { w in
            w.packedInt64s(1, dims)
            w.int(2, Int64(type))
            w.string(8, name)
            body(&w)
        }
    }

    static func rawTensor(_ name: String, dims: [Int64], type: Int, raw: [UInt8]) -> (inout ProtoWriter) -> Void {
        tensor(name, dims: dims, type: type) { $0.bytes(9, raw) }
    }

    static func floatTensor(_ name: String, dims: [Int64], _ values: [Float]) -> (inout ProtoWriter) -> Void {
        rawTensor(name, dims: dims, type: float, raw: littleEndianBytes(values.map(\.bitPattern)))
    }

    static func valueInfo(_ name: String, type: Int = float, dims: [Dim]?) -> (inout ProtoWriter) -> Void {
        { w in
            w.string(1, name)
            w.message(2) { typeProto in
                typeProto.message(1) { tensorType in
                    tensorType.int(1, Int64(type))
                    guard let dims else { return }
                    tensorType.message(2) { shape in
                        for dim in dims {
                            shape.message(1) { d in
                                switch dim {
                                case let .value(n): d.int(1, Int64(n))
                                case let .param(p): d.string(2, p)
                                case .unknown: break
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    static func node(_ op: String, name: String, inputs: [String], outputs: [String],
                     attributes: [(inout ProtoWriter) -> Void] = [], domain: String? = nil) -> (inout ProtoWriter) -> Void {
        { w in
            for input in inputs { w.string(1, input) }
            for output in outputs { w.string(2, output) }
            w.string(3, name)
            w.string(4, op)
            for attribute in attributes { w.message(5, attribute) }
            if let domain { w.string(7, domain) }
        }
    }

    /// An attribute: `type` is the AttributeType code (1 FLOAT, 2 INT, 4 TENSOR, 5 GRAPH, 6 FLOATS, 7 INTS...).
    static func attribute(_ name: String, type: Int, _ body: @escaping (inout ProtoWriter) -> Void) -> (inout ProtoWriter) -> Void {
        { w in
            w.string(1, name)
            body(&w)
            w.int(20, Int64(type))
        }
    }

    static func graph(nodes: [(inout ProtoWriter) -> Void] = [], initializers: [(inout ProtoWriter) -> Void] = [],
                      inputs: [(inout ProtoWriter) -> Void] = [], outputs: [(inout ProtoWriter) -> Void] = [])
        -> (inout ProtoWriter) -> Void {
        { w in
            for node in nodes { w.message(1, node) }
            w.string(2, "test")
            for initializer in initializers { w.message(5, initializer) }
            for input in inputs { w.message(11, input) }
            for output in outputs { w.message(12, output) }
        }
    }

    static func model(opset: Int = 17, graph: (inout ProtoWriter) -> Void) -> Data {
        var w = ProtoWriter()
        w.int(1, 8)
        w.string(2, "imgvec-tests")
        w.string(3, "1.0")
        w.message(7, graph)
        w.message(8) { o in
            o.string(1, "")
            o.int(2, Int64(opset))
        }
        return w.data
    }

    /// A one-node model: y = Relu(x) with x: float [batch, 3] and one unused weight.
    static func tinyModel(opset: Int = 17) -> Data {
        model(opset: opset, graph: graph(
            nodes: [node("Relu", name: "relu", inputs: ["x"], outputs: ["y"])],
            initializers: [floatTensor("w", dims: [2], [1, 2])],
            inputs: [valueInfo("x", dims: [.param("batch"), .value(3)])],
            outputs: [valueInfo("y", dims: [.param("batch"), .value(3)])]))
    }
}
