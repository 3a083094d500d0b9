import Foundation
import Kernels
import Tensor

/// Recognises the GELU subgraphs exporters emit and replaces each with one op:
///
/// - exact GELU, `x/2 · (1 + erf(x/√2))` as Div(x, √2) or Mul(x, 1/√2) → Erf → Add 1 → the
///   product of x, that and 0.5 in any association: becomes one `Gelu` node (which
///   ``ActivationFusionPass`` can then fold into the MatMul producing x);
/// - QuickGELU, `x · Sigmoid(c · x)` (CLIP): folded straight into the MatMul or Gemm producing
///   x as a fused activation (there is no standalone op for it).
public struct GeluFusionPass: GraphPass {
    public let name = "gelu-fusion"
    public init() {}

    public func run(on graph: inout Graph, protected: Set<String>) throws {
        var changed = false
        for index in graph.nodes.indices where graph.isNode(index, "Erf") {
            if let (x, last) = matchErfGelu(erf: index, graph, protected) {
                let output = graph.nodes[last].outputs[0]
                graph.nodes[last] = Node(name: graph.nodes[last].name, opType: "Gelu", inputs: [x], outputs: [output],
                                         attributes: ["approximate": .string("none")])
                changed = true
            }
        }
        if changed { try graph.removeDeadNodes(protected: protected) }
        changed = false
        for index in graph.nodes.indices where graph.isNode(index, "Sigmoid") {
            if fuseQuickGelu(sigmoid: index, &graph, protected) { changed = true }
        }
        if changed { try graph.removeDeadNodes(protected: protected) }
    }

    static func near(_ value: Float?, _ target: Float) -> Bool {
        guard let value else { return false }
        return abs(value - target) <= 1e-4 * abs(target)
    }

    /// x and the index of the node whose output is the GELU, or nil.
    private func matchErfGelu(erf: Int, _ graph: Graph, _ protected: Set<String>) -> (String, Int)? {
        let producers = graph.producers
        guard let scaled = graph.nodes[erf].input(0), !protected.contains(scaled),
              let scaleIndex = producers[scaled], graph.consumers(of: scaled) == [erf] else { return nil }
        let scaleNode = graph.nodes[scaleIndex]
        guard scaleNode.domain.isEmpty, scaleNode.inputs.count == 2 else { return nil }
        let x: String
        if scaleNode.opType == "Div", Self.near(graph.scalarConstant(scaleNode.inputs[1]), Float(2).squareRoot()) {
            x = scaleNode.inputs[0]
        } else if scaleNode.opType == "Mul", let c = scaleNode.inputs.first(where: { Self.near(graph.scalarConstant($0), Float(0.5).squareRoot()) }),
                  let other = graph.otherInput(of: scaleIndex, than: c) {
            x = other
        } else { return nil }
        guard let plusIndex = graph.soleReader(of: graph.nodes[erf].outputs[0], protected: protected),
              graph.isNode(plusIndex, "Add"),
              let one = graph.otherInput(of: plusIndex, than: graph.nodes[erf].outputs[0]),
              Self.near(graph.scalarConstant(one), 1) else { return nil }
        let plus = graph.nodes[plusIndex].outputs[0]
        guard let firstIndex = graph.soleReader(of: plus, protected: protected), graph.isNode(firstIndex, "Mul"),
              let factor = graph.otherInput(of: firstIndex, than: plus) else { return nil }
        let first = graph.nodes[firstIndex].outputs[0]
        if factor == x || Self.near(graph.scalarConstant(factor), 0.5) {
            // (x · (1 + erf)) · 0.5  or  x · ((1 + erf) · 0.5)
            guard let secondIndex = graph.soleReader(of: first, protected: protected), graph.isNode(secondIndex, "Mul"),
                  let last = graph.otherInput(of: secondIndex, than: first) else { return nil }
            let wanted = factor == x ? Self.near(graph.scalarConstant(last), 0.5) : last == x
            return wanted ? (x, secondIndex) : nil
        }
        // (x · 0.5) · (1 + erf)
        guard let halfIndex = producers[factor], graph.isNode(halfIndex, "Mul"),
              graph.consumers(of: factor) == [firstIndex], !protected.contains(factor),
              let c = graph.otherInput(of: halfIndex, than: x), Self.near(graph.scalarConstant(c), 0.5) else { return nil }
        return (x, firstIndex)
    }

    private func fuseQuickGelu(sigmoid: Int, _ graph: inout Graph, _ protected: Set<String>) -> Bool {
        let producers = graph.producers
        guard let scaled = graph.nodes[sigmoid].input(0), let scaleIndex = producers[scaled],
              graph.isNode(scaleIndex, "Mul"), graph.consumers(of: scaled) == [sigmoid], !protected.contains(scaled),
              let gate = graph.soleReader(of: graph.nodes[sigmoid].outputs[0], protected: protected),
              graph.isNode(gate, "Mul"),
              let x = graph.otherInput(of: gate, than: graph.nodes[sigmoid].outputs[0]),
              let c = graph.otherInput(of: scaleIndex, than: x), let alpha = graph.scalarConstant(c),
              let producerIndex = producers[x], !protected.contains(x),
              Set(graph.consumers(of: x)) == [scaleIndex, gate] else { return false }
        var producer = graph.nodes[producerIndex]
        guard producer.domain.isEmpty, ["MatMul", "Gemm"].contains(producer.opType),
              producer.attributes[FusedActivationAttribute.kind] == nil, producer.inputs.count <= 3 else { return false }
        for (key, value) in Activation.quickGelu(alpha: alpha).fusedAttributes { producer.attributes[key] = value }
        producer.outputs[0] = graph.nodes[gate].outputs[0]
        graph.nodes[producerIndex] = producer
        graph.nodes[gate].outputs = [producer.outputs[0] + "__fused_away"]
        return true
    }
}
