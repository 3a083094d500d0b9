import Tensor

/// Folds an inference BatchNormalization into the Conv that feeds it.
///
/// `y = (conv(x) - mean) / sqrt(var + eps) * gamma + beta` becomes a Conv with
/// weights scaled per output channel and a new bias, computed in double precision
/// (the weights when first read: the Conv packs them at load). Applies when the Conv's weights and the BN's parameters
/// are constants and the Conv's output is read only by the BN.
public struct BatchNormFoldingPass: GraphPass {
    public let name = "batchnorm-folding"
    public init() {}

    public func run(on graph: inout Graph, protected: Set<String>) throws {
        let producers = graph.producers
        let consumerCounts = graph.consumerCounts
        var removed = IndexSet()
        var counter = 0
        for (bnIndex, bn) in graph.nodes.enumerated() where bn.opType == "BatchNormalization" && bn.domain.isEmpty {
            guard bn.outputs.count == 1 || bn.outputs.dropFirst().allSatisfy({ $0.isEmpty }),
                  let x = bn.input(0), let convIndex = producers[x],
                  graph.nodes[convIndex].opType == "Conv", graph.nodes[convIndex].domain.isEmpty,
                  consumerCounts[x] == 1, !protected.contains(x),
                  graph.nodes[convIndex].attributes[FusedActivationAttribute.kind] == nil else { continue }
            let conv = graph.nodes[convIndex]
            guard let weightName = conv.input(1), let weight = graph.initializers[weightName],
                  weight.dataType == .float32, weight.rank >= 3,
                  let gamma = constant(bn.input(1), graph), let beta = constant(bn.input(2), graph),
                  let mean = constant(bn.input(3), graph), let variance = constant(bn.input(4), graph)
            else { continue }
            let channels = weight.shape[0]
            guard [gamma, beta, mean, variance].allSatisfy({ $0.count == channels }) else { continue }
            var bias = [Float](repeating: 0, count: channels)
            if let biasName = conv.input(2) {
                guard let existing = constant(biasName, graph), existing.count == channels else { continue }
                bias = existing
            }
            let epsilon = Double(try bn.float("epsilon", default: 1e-5))
            let scales = (0..<channels).map { c in Double(gamma[c]) / (Double(variance[c]) + epsilon).squareRoot() }
            let newBias = (0..<channels).map { c in Float((Double(bias[c]) - Double(mean[c])) * scales[c] + Double(beta[c])) }
            counter += 1
            let stem = conv.name.isEmpty ? "conv\(convIndex)" : conv.name
            let foldedWeight = "\(stem)::bn_folded_weight_\(counter)"
            let foldedBias = "\(stem)::bn_folded_bias_\(counter)"
            graph.initializers[foldedWeight] = Self.foldedWeight(weight, scales: scales)
            graph.initializers[foldedBias] = Tensor(shape: [channels], floats: newBias)
            var fused = conv
            fused.inputs = [conv.inputs[0], foldedWeight, foldedBias]
            fused.outputs = [bn.outputs[0]]
            graph.nodes[convIndex] = fused
            removed.insert(bnIndex)
        }
        guard !removed.isEmpty else { return }
        graph.nodes = graph.nodes.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
    }

    /// `weight` with output channel `c` scaled by `scales[c]`, made when first read (so a
    /// session that packs it can release it and the original; see ``TensorStorage``).
    static func foldedWeight(_ weight: Tensor, scales: [Double]) -> Tensor {
        let perChannel = weight.count / scales.count
        return Tensor(recomputing: weight.shape) { target in
            let folded = target.assumingMemoryBound(to: Float.self)
            weight.storage.withTransientBytes { bytes in
                let original = (bytes + weight.byteOffset).assumingMemoryBound(to: Float.self)
                for (c, scale) in scales.enumerated() {
                    for i in c * perChannel..<(c + 1) * perChannel { folded[i] = Float(Double(original[i]) * scale) }
                }
            }
        }
    }

    private func constant(_ name: String?, _ graph: Graph) -> [Float]? {
        guard let name, let tensor = graph.initializers[name], tensor.dataType.isFloatingPoint else { return nil }
        return tensor.toFloats()
    }
}
