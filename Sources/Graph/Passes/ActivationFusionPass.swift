import Kernels
import Tensor

/// Fuses a pointwise activation into the op that produces its input, so the
/// activation runs in that op's epilogue instead of as a separate pass over memory.
///
/// Producers: Conv, Gemm, MatMul, Add. Activations: Relu, Clip with constant
/// bounds (ReLU6), HardSwish, HardSigmoid, Sigmoid, Gelu (exact), and the SiLU pattern
/// `x * Sigmoid(x)`. The producer's output must have no other reader.
public struct ActivationFusionPass: GraphPass {
    public let name = "activation-fusion"
    public init() {}

    static let producerTypes: Set<String> = ["Conv", "Gemm", "MatMul", "Add"]

    public func run(on graph: inout Graph, protected: Set<String>) throws {
        var removed = IndexSet()
        var changed = true
        while changed {
            changed = false
            let producers = graph.producers
            for (index, node) in graph.nodes.enumerated() where !removed.contains(index) && node.domain.isEmpty {
                guard let x = node.input(0), let producerIndex = producers[x], !removed.contains(producerIndex) else { continue }
                let producer = graph.nodes[producerIndex]
                guard Self.producerTypes.contains(producer.opType), producer.domain.isEmpty,
                      producer.attributes[FusedActivationAttribute.kind] == nil,
                      producer.opType != "MatMul" || producer.inputs.count <= 3,
                      !protected.contains(x) else { continue }
                let readers = graph.consumers(of: x).filter { !removed.contains($0) }
                if readers == [index], let activation = try activation(of: node, graph) {
                    fuse(activation, into: producerIndex, output: node.outputs[0], graph: &graph)
                    removed.insert(index)
                    changed = true
                } else if node.opType == "Sigmoid", readers.count == 2,
                          let mulIndex = readers.first(where: { $0 != index }),
                          isSiLUMultiply(graph.nodes[mulIndex], x: x, sigmoid: node.outputs[0]),
                          graph.consumers(of: node.outputs[0]) == [mulIndex],
                          !protected.contains(node.outputs[0]) {
                    fuse(.silu, into: producerIndex, output: graph.nodes[mulIndex].outputs[0], graph: &graph)
                    removed.insert(index)
                    removed.insert(mulIndex)
                    changed = true
                }
                if changed { break }
            }
            if changed {
                graph.nodes = graph.nodes.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
                removed = IndexSet()
            }
        }
    }

    private func fuse(_ activation: Activation, into producerIndex: Int, output: String, graph: inout Graph) {
        var producer = graph.nodes[producerIndex]
        for (key, value) in activation.fusedAttributes { producer.attributes[key] = value }
        producer.outputs[0] = output
        graph.nodes[producerIndex] = producer
    }

    private func isSiLUMultiply(_ node: Node, x: String, sigmoid: String) -> Bool {
        node.opType == "Mul" && node.domain.isEmpty && node.inputs.count == 2 && Set(node.inputs) == [x, sigmoid]
    }

    private func activation(of node: Node, _ graph: Graph) throws -> Activation? {
        guard node.outputs.count == 1 else { return nil }
        switch node.opType {
        case "Relu": return .relu
        case "HardSwish": return .hardSwish
        case "Sigmoid": return .sigmoid
        case "Gelu":
            return try node.string("approximate", default: "none") == "none" ? .gelu : nil
        case "HardSigmoid":
            return .hardSigmoid(alpha: try node.float("alpha", default: 0.2), beta: try node.float("beta", default: 0.5))
        case "Clip":
            var lo = -Float.infinity, hi = Float.infinity
            if node.inputs.count > 1 || node.attributes["min"] != nil || node.attributes["max"] != nil {
                if let minName = node.input(1) {
                    guard let t = graph.initializers[minName], t.count == 1 else { return nil }
                    lo = t.toFloats()[0]
                } else if let attribute = node.attributes["min"]?.floatValue { lo = attribute }
                if let maxName = node.input(2) {
                    guard let t = graph.initializers[maxName], t.count == 1 else { return nil }
                    hi = t.toFloats()[0]
                } else if let attribute = node.attributes["max"]?.floatValue { hi = attribute }
            }
            if lo == 0 && hi == .infinity { return .relu }
            return .clip(min: lo, max: hi)
        default: return nil
        }
    }
}
