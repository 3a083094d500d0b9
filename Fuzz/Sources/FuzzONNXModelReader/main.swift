// libFuzzer target: arbitrary bytes through the in-memory ONNX loader, then the validator.
// Run with `scripts/fuzz FuzzONNXModelReader 600`.
import Foundation
import Graph
import ONNX
import Tensor

/// An empty registry: every op is unsupported, which exercises the error listing.
private let emptyRegistry = OperatorRegistry()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    do {
        let model = try ONNXModel.load(bytes: data, name: "fuzz.onnx")
        // Read every byte of every initializer so that AddressSanitizer sees any view
        // that escapes its storage.
        var checksum: UInt8 = 0
        for tensor in model.graph.initializers.values {
            let bytes = UnsafeRawBufferPointer(start: tensor.rawPointer, count: tensor.byteCount)
            for byte in bytes { checksum &+= byte }
        }
        for node in model.graph.nodes { _ = node.label }
        _ = String(describing: checksum)
        try ModelValidator.validate(model.graph, opsetVersion: model.opsetVersion, registry: emptyRegistry)
    } catch {
        _ = String(describing: error)
    }
    return 0
}
