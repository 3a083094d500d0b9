import Kernels
import Tensor

/// Folds a 2x2 stride-2 max pool into the 3x3 stride-1 convolution before it, as VGG ends
/// each of its blocks: `MaxPool2x2(Conv3x3(x))` becomes the Conv with
/// ``ConvOperator/maxPoolAttribute``. The Winograd output transform then pools each 4x4 output
/// tile as it makes it, so the full-size activation (VGG16's first block: 64 x 224 x 224 per
/// image) is never written to memory or read back by a separate pooling step.
///
/// The Conv must be one the Winograd path may take (one group, a constant `[M, C, 3, 3]` weight
/// with at least ``ConvOperator/winogradMinimumChannels`` channels each way, unit strides and
/// dilations), with no fused input and no activation other than Relu or Clip (which commute with the maximum);
/// its output must be read by the MaxPool only. The MaxPool must be 2x2, stride 2, unpadded,
/// undilated, floor mode, without the Indices output.
public struct ConvMaxPoolFusionPass: GraphPass {
    public let name = "conv-max-pool-fusion"
    public init() {}

    public func run(on graph: inout Graph, protected: Set<String>) throws {
        var changed = false
        var producers = graph.producers
        for index in graph.nodes.indices where graph.isNode(index, "Conv") {
            let conv = graph.nodes[index]
            guard conv.attributes[ConvOperator.maxPoolAttribute] == nil, try isWinogradShaped(conv, graph),
                  let pool = graph.soleReader(of: conv.outputs[0], protected: protected), graph.isNode(pool, "MaxPool"),
                  graph.nodes[pool].inputs.first == conv.outputs[0], try isTwoByTwo(graph.nodes[pool]) else { continue }
            var fused = conv
            fused.attributes[ConvOperator.maxPoolAttribute] = .int(1)
            graph.absorb(add: pool, into: index, as: fused, producers: &producers)
            changed = true
        }
        if changed { try graph.removeDeadNodes(protected: protected) }
    }

    /// A Conv the Winograd path may take (``ConvOperator/isWinogradShaped(weight:groups:strides:dilations:)``),
    /// with nothing fused that the pooling would reorder.
    private func isWinogradShaped(_ node: Node, _ graph: Graph) throws -> Bool {
        guard node.domain.isEmpty, node.inputs.count >= 2, node.inputs.count <= 3, node.outputs.count == 1,
              let weight = graph.initializers[node.inputs[1]],
              VectorKernels.clampBounds(try Activation(fusedInto: node)) != nil else { return false }
        return ConvOperator.isWinogradShaped(weight: weight.shape, groups: try node.int("group", default: 1),
                                             strides: try node.ints("strides"), dilations: try node.ints("dilations"))
    }

    /// A MaxPool with a 2x2 window at stride 2, no padding or dilation, floor mode, one output.
    private func isTwoByTwo(_ node: Node) throws -> Bool {
        let autoPad = try node.string("auto_pad", default: "NOTSET")
        let kernel = try node.ints("kernel_shape"), strides = try node.ints("strides")
        let pads = try node.ints("pads") ?? [0, 0, 0, 0], dilations = try node.ints("dilations") ?? [1, 1]
        let ceilMode = try node.int("ceil_mode", default: 0)
        return node.outputs.count == 1 && (autoPad == "NOTSET" || autoPad == "VALID") && kernel == [2, 2]
            && strides == [2, 2] && pads.allSatisfy { $0 == 0 } && dilations.allSatisfy { $0 == 1 } && ceilMode == 0
    }
}
