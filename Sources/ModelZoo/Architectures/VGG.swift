import Graph
import Tensor

/// VGG-16 and VGG-19 (no BatchNorm) with torchvision's layout and state-dict names.
///
/// Simonyan, Zisserman, "Very Deep Convolutional Networks for Large-Scale Image
/// Recognition", ICLR 2015 (arXiv:1409.1556), configurations D (16) and E (19), as
/// implemented by `torchvision.models.vgg16` / `vgg19`.
///
/// - `features.<i>`: 3x3 convs (pad 1, bias) + ReLU, 2x2/2 max pools between the five
///   stages of widths 64, 128, 256, 512, 512 (conv counts 2,2,3,3,3 for 16; 2,2,4,4,4 for 19).
///   Module indices count the ReLU and pool layers, as in torchvision.
/// - `avgpool`: adaptive average pool to 7x7; `classifier.0/3/6`: Linear 25088->4096->4096->classes.
///
/// Outputs (``Output``):
/// - `.flattenedFeatures`: the 512x7x7 feature map flattened to 25088 values in **NCHW**
///   order (channel-major), as `torch.flatten(avgpool(features(x)), 1)` does. Keras' VGG16
///   `include_top=False` + `Flatten` flattens NHWC (position-major) instead: the same 25088
///   numbers in a different order (transpose [0, 2, 3, 1] before flattening to match it).
///   Needs a 7x7 feature map: H = W = 224 (or a multiple of 224, pooled down to 7x7).
/// - `.pooledFeatures`: global average of the last feature map: 512 values, any input size.
/// - `.classifier`: the torchvision classifier (logits); same input size rule as flattened.
public enum VGG {
    public enum Variant: String, Sendable, CaseIterable {
        case vgg16, vgg19

        /// Convs per stage.
        public var convsPerStage: [Int] { self == .vgg16 ? [2, 2, 3, 3, 3] : [2, 2, 4, 4, 4] }
    }

    public enum Output: String, Sendable, CaseIterable {
        case flattenedFeatures, pooledFeatures, classifier
    }

    static let stageWidths = [64, 128, 256, 512, 512]

    /// Builds the network from a torchvision state dict (`features.0.weight`, ..., `classifier.6.bias`).
    /// `imageSize` fixes H = W for the flattened and classifier outputs (a multiple of 224).
    public static func build(variant: Variant, weights: WeightSource, output: Output = .pooledFeatures,
                             imageSize: Int = 224, classes: Int = 1000) throws -> Graph {
        let input = output == .pooledFeatures ? ImageInput.anySize : ImageInput.fixed(imageSize)
        var builder = GraphBuilder(architecture: variant.rawValue, weights: weights, inputShape: input)
        let value = construct(variant, output: output, imageSize: imageSize, classes: classes, &builder)
        let width = [Output.flattenedFeatures: 25088, .pooledFeatures: 512, .classifier: classes][output]!
        return try builder.finish(output: value, outputShape: [.symbolic("batch"), .fixed(width)],
                                  ignoring: { output != .classifier && $0.hasPrefix("classifier.") })
    }

    /// Every tensor the variant reads (the classifier included for `.classifier`).
    public static func parameters(variant: Variant, output: Output = .classifier, classes: Int = 1000) -> [ParameterSpec] {
        var builder = GraphBuilder(architecture: variant.rawValue, weights: nil, inputShape: ImageInput.fixed(224))
        _ = construct(variant, output: output, imageSize: 224, classes: classes, &builder)
        return builder.specs
    }

    private static func construct(_ variant: Variant, output: Output, imageSize: Int, classes: Int,
                                  _ b: inout GraphBuilder) -> String {
        var x = "input"
        var channels = 3
        var module = 0
        for (width, count) in zip(stageWidths, variant.convsPerStage) {
            for _ in 0..<count {
                x = b.conv(x, "features.\(module)", in: channels, out: width, kernel: 3, bias: true)
                x = b.activation(x, .relu, name: "features.\(module + 1)")
                channels = width
                module += 2
            }
            x = b.node("MaxPool", [x], name: "features.\(module)", ["kernel_shape": .ints([2, 2]), "strides": .ints([2, 2])])
            module += 1
        }
        if output == .pooledFeatures { return b.pooledFeatures(x) }

        // avgpool: AdaptiveAvgPool2d(7) is the identity at 224 and a plain average pool at multiples of 224.
        if imageSize % 224 != 0 { b.fail("\(variant.rawValue): \(output.rawValue) needs an image size that is a multiple of 224, got \(imageSize)") }
        let factor = max(imageSize / 224, 1)
        if factor > 1 {
            x = b.node("AveragePool", [x], name: "avgpool", ["kernel_shape": .ints([factor, factor]), "strides": .ints([factor, factor])])
        }
        x = b.node("Flatten", [x], name: "flatten", ["axis": .int(1)])
        if output == .flattenedFeatures { return x }
        x = b.activation(b.linear(x, "classifier.0", in: 25088, out: 4096), .relu, name: "classifier.1")
        x = b.activation(b.linear(x, "classifier.3", in: 4096, out: 4096), .relu, name: "classifier.4")
        return b.linear(x, "classifier.6", in: 4096, out: classes)
    }
}
