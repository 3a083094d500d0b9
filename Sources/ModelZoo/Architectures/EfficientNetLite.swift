import Graph
import Tensor

/// EfficientNet-Lite0...Lite4 with the efficientnet-lite-pytorch (lukemelas
/// EfficientNet-PyTorch) state-dict names.
///
/// Tan, Le, EfficientNet (arXiv:1905.11946); the Lite variants are Google's
/// mobile/quantisation-friendly versions (TensorFlow TPU repository, "EfficientNet-Lite",
/// 2020): ReLU6 instead of swish, no squeeze-excitation, stem (32) and head (1280) not
/// scaled, first and last stage block counts not scaled.
///
/// - `_conv_stem` 3x3/2 + `_bn0` + ReLU6.
/// - `_blocks.<i>` (flat index over the stages of ``EfficientNet/baseStages``): `_expand_conv`
///   1x1 + `_bn0` + ReLU6 (absent when the expand ratio is 1), `_depthwise_conv` kxk + `_bn1`
///   + ReLU6, `_project_conv` 1x1 + `_bn2`; residual when stride 1 and in == out.
///   Expanded width = input x ratio; other widths scaled by the width multiplier (multiples of 8).
/// - `_conv_head` 1x1 to 1280 + `_bn1` + ReLU6; average pool (the 1280-d features);
///   `_fc` Linear 1280 -> classes (dropout is the identity at inference).
/// - BatchNorm eps 1e-3. Convolutions use TensorFlow 'SAME' padding computed statically for
///   `imageSize` (the PyTorch port's `Conv2dStaticSamePadding`): per spatial axis
///   `total = max((ceil(in / stride) - 1) * stride + k - in, 0)`, `begin = total / 2`,
///   `end = total - begin` (the extra row/column goes to the bottom/right). The ONNX export
///   of the port emits these as separate Pad nodes; here they are the Conv's own (possibly
///   asymmetric) `pads`, which is the same computation. The input is fixed at `imageSize`.
public enum EfficientNetLite {
    public enum Variant: String, Sendable, CaseIterable {
        case lite0, lite1, lite2, lite3, lite4

        /// (width multiplier, depth multiplier, native resolution).
        public var scaling: (width: Double, depth: Double, resolution: Int) {
            switch self {
            case .lite0: return (1.0, 1.0, 224)
            case .lite1: return (1.0, 1.1, 240)
            case .lite2: return (1.1, 1.2, 260)
            case .lite3: return (1.2, 1.4, 280)
            case .lite4: return (1.4, 1.8, 300)
            }
        }

        public var name: String { "efficientnet_\(rawValue)" }
    }

    static let stemChannels = 32
    static let headChannels = 1280
    static let epsilon: Float = 1e-3

    /// TensorFlow 'SAME' pads `[top, left, bottom, right]` of a square conv on a square input.
    public static func samePadding(inputSize: Int, kernel: Int, stride: Int) -> [Int] {
        let outputSize = (inputSize + stride - 1) / stride
        let total = max((outputSize - 1) * stride + kernel - inputSize, 0)
        let begin = total / 2
        return [begin, begin, total - begin, total - begin]
    }

    /// Builds the network from an efficientnet-lite-pytorch state dict (`_conv_stem.weight`, ...).
    /// Output `[batch, 1280]` pooled features, or `[batch, classes]` logits with `.classifier`.
    /// `imageSize` defaults to the variant's native resolution; the padding is computed for it.
    public static func build(variant: Variant, weights: WeightSource, head: ArchitectureHead = .features,
                             imageSize: Int? = nil, classes: Int = 1000) throws -> Graph {
        let size = imageSize ?? variant.scaling.resolution
        var builder = GraphBuilder(architecture: variant.name, weights: weights, inputShape: ImageInput.fixed(size))
        let output = construct(variant, head: head, imageSize: size, classes: classes, &builder)
        let width = head == .classifier ? classes : headChannels
        return try builder.finish(output: output, outputShape: [.symbolic("batch"), .fixed(width)],
                                  ignoring: { head == .features && $0.hasPrefix("_fc.") })
    }

    /// Every tensor the variant reads, in the port's state-dict order.
    public static func parameters(variant: Variant, head: ArchitectureHead = .classifier, classes: Int = 1000) -> [ParameterSpec] {
        var builder = GraphBuilder(architecture: variant.name, weights: nil, inputShape: ImageInput.anySize)
        _ = construct(variant, head: head, imageSize: variant.scaling.resolution, classes: classes, &builder)
        return builder.specs
    }

    private static func construct(_ variant: Variant, head: ArchitectureHead, imageSize: Int, classes: Int,
                                  _ b: inout GraphBuilder) -> String {
        let (width, depth, _) = variant.scaling
        var size = imageSize
        var x = b.convBN("input", conv: "_conv_stem", bn: "_bn0", in: 3, out: stemChannels, kernel: 3, stride: 2,
                         pads: samePadding(inputSize: size, kernel: 3, stride: 2), epsilon: epsilon, activation: .relu6)
        size = (size + 1) / 2
        var channels = stemChannels
        var blockIndex = 0
        let stages = EfficientNet.baseStages
        for (index, stage) in stages.enumerated() {
            let fixed = index == 0 || index == stages.count - 1
            let blocks = fixed ? stage.blocks : Int((Double(stage.blocks) * depth).rounded(.up))
            let out = EfficientNet.scaledChannels(stage.outChannels, width)
            for j in 0..<blocks {
                let stride = j == 0 ? stage.stride : 1
                x = block(x, "_blocks.\(blockIndex)", in: channels, out: out, kernel: stage.kernel, stride: stride,
                          expandRatio: stage.expandRatio, inputSize: size, &b)
                size = (size + stride - 1) / stride
                channels = out
                blockIndex += 1
            }
        }
        x = b.convBN(x, conv: "_conv_head", bn: "_bn1", in: channels, out: headChannels, kernel: 1,
                     epsilon: epsilon, activation: .relu6)
        let features = b.pooledFeatures(x, name: "_avg_pooling")
        return head == .classifier ? b.linear(features, "_fc", in: headChannels, out: classes) : features
    }

    private static func block(_ x: String, _ prefix: String, in inChannels: Int, out outChannels: Int, kernel: Int,
                              stride: Int, expandRatio: Int, inputSize: Int, _ b: inout GraphBuilder) -> String {
        let expanded = inChannels * expandRatio
        var y = x
        if expandRatio != 1 {
            y = b.convBN(y, conv: "\(prefix)._expand_conv", bn: "\(prefix)._bn0", in: inChannels, out: expanded,
                         kernel: 1, epsilon: epsilon, activation: .relu6)
        }
        y = b.convBN(y, conv: "\(prefix)._depthwise_conv", bn: "\(prefix)._bn1", in: expanded, out: expanded,
                     kernel: kernel, stride: stride, pads: samePadding(inputSize: inputSize, kernel: kernel, stride: stride),
                     groups: expanded, epsilon: epsilon, activation: .relu6)
        y = b.convBN(y, conv: "\(prefix)._project_conv", bn: "\(prefix)._bn2", in: expanded, out: outChannels,
                     kernel: 1, epsilon: epsilon, activation: .none)
        return stride == 1 && inChannels == outChannels ? b.add(y, x, name: "\(prefix).add") : y
    }
}
