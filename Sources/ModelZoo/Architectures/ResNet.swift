import Graph
import Tensor

/// ResNet-18/34/50/101/152 with torchvision's layout and state-dict names.
///
/// He, Zhang, Ren, Sun, "Deep Residual Learning for Image Recognition", CVPR 2016
/// (arXiv:1512.03385), as implemented by `torchvision.models.resnet` (v1.5: the
/// Bottleneck puts its stride on the 3x3 conv).
///
/// - Stem: `conv1` 7x7/2 (64, no bias), `bn1`, ReLU, 3x3/2 max pool (pad 1).
/// - Stages `layer1`...`layer4`: widths 64, 128, 256, 512; stride 1, 2, 2, 2 on each stage's
///   first block. BasicBlock (`conv1` 3x3, `conv2` 3x3; expansion 1) for 18/34,
///   Bottleneck (`conv1` 1x1, `conv2` 3x3 with the stride, `conv3` 1x1; expansion 4) for 50+.
///   `downsample.0` (1x1 conv with the stride) + `downsample.1` (BN) when the shape changes.
/// - Head: global average pool + flatten (512 or 2048 features), then `fc` for the classifier.
/// - BatchNorm eps 1e-5. Input `[batch, 3, H, W]`, any H and W.
public enum ResNet {
    public enum Variant: String, Sendable, CaseIterable {
        case resnet18, resnet34, resnet50, resnet101, resnet152

        /// Blocks per stage.
        public var blocks: [Int] {
            switch self {
            case .resnet18: return [2, 2, 2, 2]
            case .resnet34, .resnet50: return [3, 4, 6, 3]
            case .resnet101: return [3, 4, 23, 3]
            case .resnet152: return [3, 8, 36, 3]
            }
        }

        /// Whether the stages use Bottleneck blocks (expansion 4).
        public var usesBottleneck: Bool { self != .resnet18 && self != .resnet34 }

        /// Size of the pooled feature vector.
        public var featureCount: Int { usesBottleneck ? 2048 : 512 }
    }

    static let stageWidths = [64, 128, 256, 512]
    static let epsilon: Float = 1e-5

    /// Builds the network from a torchvision state dict (`conv1.weight`, `layer1.0.bn1.running_mean`, ...).
    /// Output `[batch, 512|2048]` features, or `[batch, classes]` logits with `.classifier`.
    public static func build(variant: Variant, weights: WeightSource, head: ArchitectureHead = .features,
                             classes: Int = 1000) throws -> Graph {
        var builder = GraphBuilder(architecture: variant.rawValue, weights: weights, inputShape: ImageInput.anySize)
        let output = construct(variant, head: head, classes: classes, &builder)
        let width = head == .classifier ? classes : variant.featureCount
        return try builder.finish(output: output, outputShape: [.symbolic("batch"), .fixed(width)],
                                  ignoring: { head == .features && $0.hasPrefix("fc.") })
    }

    /// Every tensor the variant reads, in torchvision's state-dict order.
    public static func parameters(variant: Variant, head: ArchitectureHead = .classifier, classes: Int = 1000) -> [ParameterSpec] {
        var builder = GraphBuilder(architecture: variant.rawValue, weights: nil, inputShape: ImageInput.anySize)
        _ = construct(variant, head: head, classes: classes, &builder)
        return builder.specs
    }

    private static func construct(_ variant: Variant, head: ArchitectureHead, classes: Int, _ b: inout GraphBuilder) -> String {
        var x = b.convBN("input", conv: "conv1", bn: "bn1", in: 3, out: 64, kernel: 7, stride: 2,
                         epsilon: epsilon, activation: .relu)
        x = b.node("MaxPool", [x], name: "maxpool", ["kernel_shape": .ints([3, 3]), "strides": .ints([2, 2]),
                                                    "pads": .ints([1, 1, 1, 1])])
        var channels = 64
        for (stage, (width, count)) in zip(stageWidths, variant.blocks).enumerated() {
            for index in 0..<count {
                let stride = index == 0 && stage > 0 ? 2 : 1
                let prefix = "layer\(stage + 1).\(index)"
                if variant.usesBottleneck {
                    x = bottleneck(x, prefix, in: channels, width: width, stride: stride, &b)
                    channels = width * 4
                } else {
                    x = basicBlock(x, prefix, in: channels, width: width, stride: stride, &b)
                    channels = width
                }
            }
        }
        let features = b.pooledFeatures(x)
        return head == .classifier ? b.linear(features, "fc", in: channels, out: classes) : features
    }

    /// 3x3 -> 3x3 with an identity or projected shortcut.
    private static func basicBlock(_ x: String, _ prefix: String, in inChannels: Int, width: Int, stride: Int,
                                   _ b: inout GraphBuilder) -> String {
        var y = b.convBN(x, conv: "\(prefix).conv1", bn: "\(prefix).bn1", in: inChannels, out: width, kernel: 3,
                         stride: stride, epsilon: epsilon, activation: .relu)
        y = b.convBN(y, conv: "\(prefix).conv2", bn: "\(prefix).bn2", in: width, out: width, kernel: 3,
                     epsilon: epsilon, activation: .none)
        let shortcut = downsample(x, prefix, in: inChannels, out: width, stride: stride, &b)
        return b.activation(b.add(y, shortcut, name: "\(prefix).add"), .relu, name: "\(prefix).relu")
    }

    /// 1x1 -> 3x3 (stride) -> 1x1 (x4) with an identity or projected shortcut.
    private static func bottleneck(_ x: String, _ prefix: String, in inChannels: Int, width: Int, stride: Int,
                                   _ b: inout GraphBuilder) -> String {
        var y = b.convBN(x, conv: "\(prefix).conv1", bn: "\(prefix).bn1", in: inChannels, out: width, kernel: 1,
                         epsilon: epsilon, activation: .relu)
        y = b.convBN(y, conv: "\(prefix).conv2", bn: "\(prefix).bn2", in: width, out: width, kernel: 3,
                     stride: stride, epsilon: epsilon, activation: .relu)
        y = b.convBN(y, conv: "\(prefix).conv3", bn: "\(prefix).bn3", in: width, out: width * 4, kernel: 1,
                     epsilon: epsilon, activation: .none)
        let shortcut = downsample(x, prefix, in: inChannels, out: width * 4, stride: stride, &b)
        return b.activation(b.add(y, shortcut, name: "\(prefix).add"), .relu, name: "\(prefix).relu")
    }

    private static func downsample(_ x: String, _ prefix: String, in inChannels: Int, out outChannels: Int, stride: Int,
                                   _ b: inout GraphBuilder) -> String {
        guard stride != 1 || inChannels != outChannels else { return x }
        return b.convBN(x, conv: "\(prefix).downsample.0", bn: "\(prefix).downsample.1", in: inChannels,
                        out: outChannels, kernel: 1, stride: stride, epsilon: epsilon, activation: .none)
    }
}
