import Foundation
import Graph
import ModelZoo
import ONNX
import Tensor
import TestSupport
import Testing

/// Builders cross-checked against the fixture ONNX exports of the same architectures.
///
/// The exports have BatchNorm folded into the convolutions, so a state dict is rebuilt from
/// them: each conv gets the ONNX conv's weight, and its BatchNorm becomes an exact identity
/// plus the ONNX conv's bias (gamma 1, beta = bias, mean 0, var 1 - eps). Running the builder's
/// graph on that state dict must reproduce the ONNX references.
@Suite("Architecture builders against ONNX exports")
struct ArchitectureONNXCrossCheckTests {
    /// A state dict for `specs` from the Conv and Gemm nodes of `onnx`, in order.
    static func stateDict(_ specs: [ParameterSpec], from onnx: Graph, epsilon: Float) throws -> [String: Tensor] {
        let layers = onnx.nodes.filter { $0.opType == "Conv" || $0.opType == "Gemm" }
        var next = 0
        var convPrefix = ""
        var pendingBias: Tensor?
        var tensors: [String: Tensor] = [:]
        for spec in specs {
            let prefix = String(spec.name[..<spec.name.lastIndex(of: ".")!])
            if spec.name.hasSuffix(".weight") && spec.shape.count >= 2 {
                let layer = try #require(next < layers.count ? layers[next] : nil, "no ONNX layer for \(spec.name)")
                let weight = try #require(constant(layer.inputs[1], in: onnx))
                #expect(weight.shape == spec.shape, "\(spec.name) vs \(layer.name)")
                tensors[spec.name] = weight
                pendingBias = layer.input(2).flatMap { constant($0, in: onnx) }
                convPrefix = prefix
                next += 1
            } else if spec.name.hasSuffix(".bias") && prefix == convPrefix {
                tensors[spec.name] = try #require(pendingBias, "\(spec.name): no ONNX bias")
                pendingBias = nil
            } else if spec.name.hasSuffix(".weight") {
                tensors[spec.name] = Tensor(shape: spec.shape, floats: Array(repeating: 1, count: spec.count))
            } else if spec.name.hasSuffix(".bias") {
                tensors[spec.name] = pendingBias ?? Tensor(zeros: spec.shape)
            } else if spec.name.hasSuffix(".running_mean") {
                tensors[spec.name] = Tensor(zeros: spec.shape)
            } else if spec.name.hasSuffix(".running_var") {
                tensors[spec.name] = Tensor(shape: spec.shape, floats: Array(repeating: 1 - epsilon, count: spec.count))
            }
        }
        #expect(next == layers.count, "\(layers.count - next) ONNX layers left over")
        return tensors
    }

    /// An initializer, looked up through the Identity nodes the exporter uses for shared constants.
    static func constant(_ name: String, in graph: Graph) -> Tensor? {
        if let tensor = graph.initializers[name] { return tensor }
        guard let identity = graph.nodes.first(where: { $0.opType == "Identity" && $0.outputs == [name] }) else { return nil }
        return constant(identity.inputs[0], in: graph)
    }

    static func compare(model: String, reference: String, graph: (WeightSource) throws -> Graph,
                        specs: [ParameterSpec], epsilon: Float, atol: Float) throws {
        guard let modelURL = Fixtures.sharedFile("models/\(model).onnx"),
              let referenceURL = Fixtures.sharedFile("reference/random_batch/\(reference).npy"),
              let inputURL = Fixtures.sharedFile("reference/random_batch/input.npy") else { return }
        let onnx = try ONNXModel.load(contentsOf: modelURL).graph
        let weights = try stateDict(specs, from: onnx, epsilon: epsilon)
        let input = try NumPyFile.read(inputURL).slice(rows: 0..<1).copy()
        let output = try Session(graph: graph(WeightSource(weights))).run(input)
        let expected = try NumPyFile.read(referenceURL).slice(rows: 0..<1).toFloats()
        #expect(output.count == expected.count)
        let difference = Comparison.maxAbsDifference(output.toFloats(), expected)
        #expect(difference <= atol, "\(model): max abs difference \(difference)")
    }

    @Test func efficientNetB0MatchesTorchvisionExport() throws {
        try Self.compare(model: "efficientnet_b0_features", reference: "efficientnet_b0_features",
                         graph: { try EfficientNet.build(variant: .b0, weights: $0) },
                         specs: EfficientNet.parameters(variant: .b0, head: .features), epsilon: 1e-5, atol: 2e-3)
    }

    @Test func efficientNetLite0FeaturesMatchExport() throws {
        try Self.compare(model: "efficientnet_lite0_features", reference: "efficientnet_lite0_features",
                         graph: { try EfficientNetLite.build(variant: .lite0, weights: $0) },
                         specs: EfficientNetLite.parameters(variant: .lite0, head: .features), epsilon: 1e-3, atol: 2e-4)
    }

    @Test func efficientNetLite0ClassifierMatchesExport() throws {
        try Self.compare(model: "efficientnet_lite0_classifier", reference: "efficientnet_lite0_classifier",
                         graph: { try EfficientNetLite.build(variant: .lite0, weights: $0, head: .classifier) },
                         specs: EfficientNetLite.parameters(variant: .lite0, head: .classifier), epsilon: 1e-3, atol: 1e-4)
    }

    /// The TF 'SAME' pads equal the export's Pad nodes (evaluated by running the export).
    @Test func efficientNetLite0PaddingMatchesExportPadNodes() throws {
        guard let modelURL = Fixtures.sharedFile("models/efficientnet_lite0_features.onnx") else { return }
        let onnx = try ONNXModel.load(contentsOf: modelURL).graph
        let padNodes = onnx.nodes.filter { $0.opType == "Pad" }
        let session = try Session(graph: onnx)
        let padValues = try session.run(["input": Tensor(zeros: [1, 3, 224, 224])], outputs: padNodes.map { $0.inputs[1] })
        // ONNX Pad order [n, c, top, left, n, c, bottom, right] -> Conv order [top, left, bottom, right].
        let exported = padNodes.map { node -> [Int] in
            let p = padValues[node.inputs[1]]!.toInt64s().map(Int.init)
            return [p[2], p[3], p[6], p[7]]
        }
        let weights = try Self.stateDict(EfficientNetLite.parameters(variant: .lite0, head: .features), from: onnx, epsilon: 1e-3)
        let built = try EfficientNetLite.build(variant: .lite0, weights: WeightSource(weights))
        let convs = built.nodes.filter { $0.opType == "Conv" }
        #expect(convs.count == onnx.nodes.filter { $0.opType == "Conv" }.count)
        let spatial = convs.filter { ($0.attributes["kernel_shape"]?.intsValue ?? [1]) != [1, 1] }
        #expect(spatial.map { $0.attributes["pads"]?.intsValue ?? [] } == exported)
        #expect(exported.contains([0, 0, 1, 1]) && exported.contains([1, 1, 2, 2]))
    }
}
