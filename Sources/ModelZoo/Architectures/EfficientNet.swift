import Graph
import Tensor

/// EfficientNet-B0...B7 with torchvision's layout and state-dict names.
///
/// Tan, Le, "EfficientNet: Rethinking Model Scaling for Convolutional Neural Networks",
/// ICML 2019 (arXiv:1905.11946), as implemented by `torchvision.models.efficientnet_b*`.
///
/// - `features.0`: 3x3/2 stem conv (32 x width) + BN + SiLU.
/// - `features.1`...`features.7`: MBConv stages (``baseStages``), channels scaled by the
///   width multiplier (rounded to multiples of 8), block counts by the depth multiplier
///   (ceil). Each block `features.<s>.<j>.block`: `.0` 1x1 expand (absent when the expand
///   ratio is 1), depthwise kxk with the stride, squeeze-excitation (`fc1`/`fc2` 1x1 convs with
///   bias, SiLU, sigmoid gate; squeeze width = block input / 4), 1x1 project (no activation);
///   residual when stride 1 and in == out. Stochastic depth is the identity at inference.
/// - `features.8`: 1x1 conv to 4 x (320 x width) + BN + SiLU; average pool; `classifier.1` Linear.
/// - BatchNorm eps 1e-5 (B0-B4) or 1e-3 (B5-B7, ported TF weights). Input any H and W.
public enum EfficientNet {
    public enum Variant: String, Sendable, CaseIterable {
        case b0, b1, b2, b3, b4, b5, b6, b7

        /// (width multiplier, depth multiplier).
        public var scaling: (width: Double, depth: Double) {
            switch self {
            case .b0: return (1.0, 1.0)
            case .b1: return (1.0, 1.1)
            case .b2: return (1.1, 1.2)
            case .b3: return (1.2, 1.4)
            case .b4: return (1.4, 1.8)
            case .b5: return (1.6, 2.2)
            case .b6: return (1.8, 2.6)
            case .b7: return (2.0, 3.1)
            }
        }

        /// torchvision's evaluation crop size.
        public var resolution: Int { [224, 240, 288, 300, 380, 456, 528, 600][Self.allCases.firstIndex(of: self)!] }

        public var batchNormEpsilon: Float { [.b5, .b6, .b7].contains(self) ? 1e-3 : 1e-5 }

        /// Size of the pooled feature vector (4 x the last stage's width).
        public var featureCount: Int { 4 * EfficientNet.scaledChannels(320, self.scaling.width) }

        public var name: String { "efficientnet_\(rawValue)" }
    }

    /// One MBConv stage of the B0 baseline.
    public struct Stage: Sendable {
        public let expandRatio: Int, kernel: Int, stride: Int, inChannels: Int, outChannels: Int, blocks: Int
    }

    /// The B0 baseline (Table 1 of the paper).
    public static let baseStages: [Stage] = [
        Stage(expandRatio: 1, kernel: 3, stride: 1, inChannels: 32, outChannels: 16, blocks: 1),
        Stage(expandRatio: 6, kernel: 3, stride: 2, inChannels: 16, outChannels: 24, blocks: 2),
        Stage(expandRatio: 6, kernel: 5, stride: 2, inChannels: 24, outChannels: 40, blocks: 2),
        Stage(expandRatio: 6, kernel: 3, stride: 2, inChannels: 40, outChannels: 80, blocks: 3),
        Stage(expandRatio: 6, kernel: 5, stride: 1, inChannels: 80, outChannels: 112, blocks: 3),
        Stage(expandRatio: 6, kernel: 5, stride: 2, inChannels: 112, outChannels: 192, blocks: 4),
        Stage(expandRatio: 6, kernel: 3, stride: 1, inChannels: 192, outChannels: 320, blocks: 1),
    ]

    /// `_make_divisible(channels * width, 8)`: nearest multiple of 8, never more than 10% below.
    static func scaledChannels(_ channels: Int, _ width: Double) -> Int {
        let value = Double(channels) * width
        var rounded = max(8, Int(value + 4) / 8 * 8)
        if Double(rounded) < 0.9 * value { rounded += 8 }
        return rounded
    }

    /// Builds the network from a torchvision state dict. Output `[batch, featureCount]`
    /// pooled features, or `[batch, classes]` logits with `.classifier`.
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
        let (width, depth) = variant.scaling
        let eps = variant.batchNormEpsilon
        var channels = scaledChannels(baseStages[0].inChannels, width)
        var x = b.convBN("input", conv: "features.0.0", bn: "features.0.1", in: 3, out: channels, kernel: 3, stride: 2,
                         epsilon: eps, activation: .silu)
        for (index, stage) in baseStages.enumerated() {
            let out = scaledChannels(stage.outChannels, width)
            let blocks = Int((Double(stage.blocks) * depth).rounded(.up))
            for j in 0..<blocks {
                x = mbConv(x, "features.\(index + 1).\(j).block", in: channels, out: out, kernel: stage.kernel,
                           stride: j == 0 ? stage.stride : 1, expandRatio: stage.expandRatio, epsilon: eps, &b)
                channels = out
            }
        }
        let last = 4 * channels
        x = b.convBN(x, conv: "features.8.0", bn: "features.8.1", in: channels, out: last, kernel: 1,
                     epsilon: eps, activation: .silu)
        let features = b.pooledFeatures(x)
        return head == .classifier ? b.linear(features, "classifier.1", in: last, out: classes) : features
    }

    private static func mbConv(_ x: String, _ prefix: String, in inChannels: Int, out outChannels: Int, kernel: Int,
                               stride: Int, expandRatio: Int, epsilon: Float, _ b: inout GraphBuilder) -> String {
        let expanded = scaledChannels(inChannels, Double(expandRatio))
        var y = x
        var layer = 0
        if expanded != inChannels {
            y = b.convBN(y, conv: "\(prefix).0.0", bn: "\(prefix).0.1", in: inChannels, out: expanded, kernel: 1,
                         epsilon: epsilon, activation: .silu)
            layer += 1
        }
        y = b.convBN(y, conv: "\(prefix).\(layer).0", bn: "\(prefix).\(layer).1", in: expanded, out: expanded,
                     kernel: kernel, stride: stride, groups: expanded, epsilon: epsilon, activation: .silu)
        y = squeezeExcitation(y, "\(prefix).\(layer + 1)", channels: expanded, squeezed: max(1, inChannels / 4), &b)
        y = b.convBN(y, conv: "\(prefix).\(layer + 2).0", bn: "\(prefix).\(layer + 2).1", in: expanded, out: outChannels,
                     kernel: 1, epsilon: epsilon, activation: .none)
        return stride == 1 && inChannels == outChannels ? b.add(y, x, name: "\(prefix).add") : y
    }

    /// torchvision `SqueezeExcitation` with SiLU inside and a sigmoid gate.
    private static func squeezeExcitation(_ x: String, _ prefix: String, channels: Int, squeezed: Int,
                                          _ b: inout GraphBuilder) -> String {
        var s = b.node("GlobalAveragePool", [x], name: "\(prefix).avgpool")
        s = b.activation(b.conv(s, "\(prefix).fc1", in: channels, out: squeezed, kernel: 1, bias: true), .silu,
                         name: "\(prefix).activation")
        s = b.activation(b.conv(s, "\(prefix).fc2", in: squeezed, out: channels, kernel: 1, bias: true), .sigmoid,
                         name: "\(prefix).scale_activation")
        return b.mul(x, s, name: "\(prefix).scale")
    }
}
