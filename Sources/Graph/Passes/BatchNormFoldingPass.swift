import Tensor

/// Folds an inference BatchNormalization into the Conv that feeds it.
///
/// `y = (conv(x) - mean) / sqrt(var + eps) * gamma + beta` becomes a Conv with
/// weights scaled per output channel and a new bias, computed once at load in
/// double precision. Applies when the Conv's weights and the BN's parameters
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
            let perChannel = weight.count / channels
            let oldWeights = weight.toFloats()
            var newWeights = [Float](repeating: 0, count: weight.count)
            var newBias = [Float](repeating: 0, count: channels)
            for c in 0..<channels {
                let scale = Double(gamma[c]) / (Double(variance[c]) + epsilon).squareRoot()
                for i in 0..<perChannel { newWeights[c * perChannel + i] = Float(Double(oldWeights[c * perChannel + i]) * scale) }
                newBias[c] = Float((Double(bias[c]) - Double(mean[c])) * scale + Double(beta[c]))
            }
            counter += 1
            let stem = conv.name.isEmpty ? "conv\(convIndex)" : conv.name
            let foldedWeight = "\(stem)::bn_folded_weight_\(counter)"
            let foldedBias = "\(stem)::bn_folded_bias_\(counter)"
            graph.initializers[foldedWeight] = Tensor(shape: weight.shape, floats: newWeights)
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

    private func constant(_ name: String?, _ graph: Graph) -> [Float]? {
        guard let name, let tensor = graph.initializers[name], tensor.dataType.isFloatingPoint else { return nil }
        return tensor.toFloats()
    }
}
