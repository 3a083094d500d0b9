import Graph
import Tensor

/// MobileNetV3-Small and -Large with torchvision's layout and state-dict names.
///
/// Howard et al., "Searching for MobileNetV3", ICCV 2019 (arXiv:1905.02244), Tables 1
/// and 2, as implemented by `torchvision.models.mobilenet_v3_small` / `_large`.
///
/// - `features.0`: 3x3/2 conv to 16 + BN + Hardswish.
/// - `features.1`...: inverted residuals (``Block``), `features.<i>.block.<j>`: 1x1 expand
///   (absent when expanded == input), depthwise kxk with the stride, squeeze-excitation
///   (`fc1`/`fc2` 1x1 convs with bias, ReLU, Hardsigmoid gate; squeeze width
///   = expanded / 4 rounded to a multiple of 8), 1x1 project (no activation); residual when
///   stride 1 and in == out. Activation per block: ReLU ("RE") or Hardswish ("HS").
/// - Last: 1x1 conv to 6 x the last width (576 / 960) + BN + Hardswish, average pool
///   (the features); `classifier.0` Linear -> 1024 / 1280, Hardswish, `classifier.3` Linear.
/// - BatchNorm eps 1e-3. Input any H and W.
public enum MobileNetV3 {
    public enum Variant: String, Sendable, CaseIterable {
        case small, large

        public var name: String { "mobilenet_v3_\(rawValue)" }

        /// The inverted-residual configuration (torchvision `_mobilenet_v3_conf`).
        public var blocks: [Block] {
            switch self {
            case .small: return [
                Block(16, 3, 16, 16, true, .relu, 2), Block(16, 3, 72, 24, false, .relu, 2),
                Block(24, 3, 88, 24, false, .relu, 1), Block(24, 5, 96, 40, true, .hardSwish, 2),
                Block(40, 5, 240, 40, true, .hardSwish, 1), Block(40, 5, 240, 40, true, .hardSwish, 1),
                Block(40, 5, 120, 48, true, .hardSwish, 1), Block(48, 5, 144, 48, true, .hardSwish, 1),
                Block(48, 5, 288, 96, true, .hardSwish, 2), Block(96, 5, 576, 96, true, .hardSwish, 1),
                Block(96, 5, 576, 96, true, .hardSwish, 1),
            ]
            case .large: return [
                Block(16, 3, 16, 16, false, .relu, 1), Block(16, 3, 64, 24, false, .relu, 2),
                Block(24, 3, 72, 24, false, .relu, 1), Block(24, 5, 72, 40, true, .relu, 2),
                Block(40, 5, 120, 40, true, .relu, 1), Block(40, 5, 120, 40, true, .relu, 1),
                Block(40, 3, 240, 80, false, .hardSwish, 2), Block(80, 3, 200, 80, false, .hardSwish, 1),
                Block(80, 3, 184, 80, false, .hardSwish, 1), Block(80, 3, 184, 80, false, .hardSwish, 1),
                Block(80, 3, 480, 112, true, .hardSwish, 1), Block(112, 3, 672, 112, true, .hardSwish, 1),
                Block(112, 5, 672, 160, true, .hardSwish, 2), Block(160, 5, 960, 160, true, .hardSwish, 1),
                Block(160, 5, 960, 160, true, .hardSwish, 1),
            ]
            }
        }

        /// Width of the pooled features (6 x the last block's output).
        public var featureCount: Int { 6 * blocks.last!.outChannels }
        /// Hidden width of the classifier.
        public var classifierHidden: Int { self == .small ? 1024 : 1280 }
    }

    /// One inverted residual: input, kernel, expanded and output widths, SE, activation, stride.
    public struct Block: Sendable {
        public let inChannels: Int, kernel: Int, expanded: Int, outChannels: Int
        public let squeezeExcitation: Bool
        let activation: LayerActivation
        public let stride: Int

        init(_ inChannels: Int, _ kernel: Int, _ expanded: Int, _ outChannels: Int, _ se: Bool,
             _ activation: LayerActivation, _ stride: Int) {
            self.inChannels = inChannels; self.kernel = kernel; self.expanded = expanded
            self.outChannels = outChannels; self.squeezeExcitation = se; self.activation = activation; self.stride = stride
        }
    }

    static let epsilon: Float = 1e-3

    /// Builds the network from a torchvision state dict. Output `[batch, 576|960]` pooled
    /// features, or `[batch, classes]` logits with `.classifier`.
    public static func build(variant: Variant, weights: WeightSource, head: ArchitectureHead = .features,
                             classes: Int = 1000) throws -> Graph {
        try GraphBuilder.buildClassifierNetwork(architecture: variant.name, weights: weights, head: head, classes: classes,
                                                featureCount: variant.featureCount) {
            construct(variant, head: head, classes: classes, &$0)
        }
    }

    /// Every tensor the variant reads, in torchvision's state-dict order.
    public static func parameters(variant: Variant, head: ArchitectureHead = .classifier, classes: Int = 1000) -> [ParameterSpec] {
        GraphBuilder.parameterSpecs(architecture: variant.name) { construct(variant, head: head, classes: classes, &$0) }
    }

    private static func construct(_ variant: Variant, head: ArchitectureHead, classes: Int, _ b: inout GraphBuilder) -> String {
        var x = b.convBN("input", conv: "features.0.0", bn: "features.0.1", in: 3, out: 16, kernel: 3, stride: 2,
                         epsilon: epsilon, activation: .hardSwish)
        let blocks = variant.blocks
        for (index, block) in blocks.enumerated() {
            x = invertedResidual(x, "features.\(index + 1).block", block, &b)
        }
        let last = "features.\(blocks.count + 1)"
        x = b.convBN(x, conv: "\(last).0", bn: "\(last).1", in: blocks.last!.outChannels, out: variant.featureCount,
                     kernel: 1, epsilon: epsilon, activation: .hardSwish)
        let features = b.pooledFeatures(x)
        guard head == .classifier else { return features }
        var y = b.linear(features, "classifier.0", in: variant.featureCount, out: variant.classifierHidden)
        y = b.activation(y, .hardSwish, name: "classifier.1")
        return b.linear(y, "classifier.3", in: variant.classifierHidden, out: classes)
    }

    private static func invertedResidual(_ x: String, _ prefix: String, _ block: Block, _ b: inout GraphBuilder) -> String {
        var y = x
        var layer = 0
        if block.expanded != block.inChannels {
            y = b.convBN(y, conv: "\(prefix).0.0", bn: "\(prefix).0.1", in: block.inChannels, out: block.expanded,
                         kernel: 1, epsilon: epsilon, activation: block.activation)
            layer += 1
        }
        y = b.convBN(y, conv: "\(prefix).\(layer).0", bn: "\(prefix).\(layer).1", in: block.expanded, out: block.expanded,
                     kernel: block.kernel, stride: block.stride, groups: block.expanded, epsilon: epsilon,
                     activation: block.activation)
        layer += 1
        if block.squeezeExcitation {
            let squeezed = EfficientNet.scaledChannels(block.expanded / 4, 1)
            let se = "\(prefix).\(layer)"
            var s = b.node("GlobalAveragePool", [y], name: "\(se).avgpool")
            s = b.activation(b.conv(s, "\(se).fc1", in: block.expanded, out: squeezed, kernel: 1, bias: true), .relu,
                             name: "\(se).activation")
            s = b.activation(b.conv(s, "\(se).fc2", in: squeezed, out: block.expanded, kernel: 1, bias: true), .hardSigmoid,
                             name: "\(se).scale_activation")
            y = b.mul(y, s, name: "\(se).scale")
            layer += 1
        }
        y = b.convBN(y, conv: "\(prefix).\(layer).0", bn: "\(prefix).\(layer).1", in: block.expanded, out: block.outChannels,
                     kernel: 1, epsilon: epsilon, activation: .none)
        return block.stride == 1 && block.inChannels == block.outChannels ? b.add(y, x, name: "\(prefix).add") : y
    }
}
