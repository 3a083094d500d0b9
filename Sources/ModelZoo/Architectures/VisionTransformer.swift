import Graph
import Tensor

/// Vision Transformer with torchvision's `VisionTransformer` layout and state-dict names.
///
/// Dosovitskiy et al., "An Image is Worth 16x16 Words: Transformers for Image Recognition
/// at Scale", ICLR 2021 (arXiv:2010.11929), as implemented by `torchvision.models.vit_*`.
///
/// - `conv_proj`: patch x patch conv with stride patch (bias) -> tokens `[batch, N, hidden]`.
/// - `class_token` `[1, 1, hidden]` prepended, `encoder.pos_embedding` `[1, N + 1, hidden]` added.
/// - `encoder.layers.encoder_layer_<i>`: pre-norm blocks: `ln_1` -> multi-head self-attention
///   (`self_attention.in_proj_weight` rows q | k | v, `in_proj_bias`, `out_proj`) -> residual;
///   `ln_2` -> MLP (`mlp.0` Linear hidden->mlp, exact erf GELU, `mlp.3` Linear mlp->hidden) -> residual.
/// - `encoder.ln` on the class token: the output `[batch, hidden]`; `heads.head` Linear for
///   the classifier. LayerNorm eps 1e-6. Input fixed at `imageSize` (the position embedding is).
///
/// The attention runs as separate q/k/v MatMuls (the packed `in_proj_weight` is split and
/// transposed once at build time; q's rows and bias are pre-scaled by 1/sqrt(head dim)).
///
/// Hugging Face's DINOv2 and CLIP vision towers share these layers (``DINOv2``, ``CLIPVision``;
/// see TransformerLayers.swift).
public enum VisionTransformer {
    /// The shape of a ViT.
    public struct Config: Sendable, Hashable {
        public var imageSize: Int, patchSize: Int, layers: Int, heads: Int, hidden: Int, mlp: Int
        public var layerNormEpsilon: Float = 1e-6

        public init(imageSize: Int, patchSize: Int, layers: Int, heads: Int, hidden: Int, mlp: Int) {
            self.imageSize = imageSize; self.patchSize = patchSize; self.layers = layers
            self.heads = heads; self.hidden = hidden; self.mlp = mlp
        }

        /// Number of tokens including the class token.
        public var tokens: Int { (imageSize / patchSize) * (imageSize / patchSize) + 1 }

        /// The 2-layer fixture network (`checkpoints/vit_tiny.pth`).
        public static let tinyFixture = Config(imageSize: 224, patchSize: 16, layers: 2, heads: 3, hidden: 192, mlp: 768)
        public static let b16 = Config(imageSize: 224, patchSize: 16, layers: 12, heads: 12, hidden: 768, mlp: 3072)
        public static let b32 = Config(imageSize: 224, patchSize: 32, layers: 12, heads: 12, hidden: 768, mlp: 3072)
        public static let l16 = Config(imageSize: 224, patchSize: 16, layers: 24, heads: 16, hidden: 1024, mlp: 4096)
        public static let l32 = Config(imageSize: 224, patchSize: 32, layers: 24, heads: 16, hidden: 1024, mlp: 4096)
    }

    /// Builds the network from a torchvision state dict. Output `[batch, hidden]` (the class
    /// token after `encoder.ln`), or `[batch, classes]` logits with `.classifier` (`heads.head`).
    public static func build(config: Config, weights: WeightSource, head: ArchitectureHead = .features,
                             classes: Int = 1000, name: String = "vit") throws -> Graph {
        var builder = GraphBuilder(architecture: name, weights: weights, inputShape: ImageInput.fixed(config.imageSize))
        let output = construct(config, head: head, classes: classes, &builder)
        let width = head == .classifier ? classes : config.hidden
        return try builder.finish(output: output, outputShape: [.symbolic("batch"), .fixed(width)],
                                  ignoring: { head == .features && $0.hasPrefix("heads.") })
    }

    /// Every tensor the configuration reads, in torchvision's state-dict order.
    public static func parameters(config: Config, head: ArchitectureHead = .classifier, classes: Int = 1000) -> [ParameterSpec] {
        var builder = GraphBuilder(architecture: "vit", weights: nil, inputShape: ImageInput.fixed(config.imageSize))
        _ = construct(config, head: head, classes: classes, &builder)
        return builder.specs
    }

    private static func construct(_ c: Config, head: ArchitectureHead, classes: Int, _ b: inout GraphBuilder) -> String {
        if c.imageSize % c.patchSize != 0 { b.fail("image size \(c.imageSize) is not a multiple of the patch size \(c.patchSize)") }
        if c.hidden % c.heads != 0 { b.fail("hidden width \(c.hidden) does not split into \(c.heads) heads") }
        let d = c.hidden
        let classToken = b.weight("class_token", [1, 1, d])
        var x = b.patchTokens("conv_proj", width: d, patch: c.patchSize, bias: true)
        x = b.prependingClassToken(classToken, to: x, width: d)
        x = b.add(x, b.weight("encoder.pos_embedding", [1, c.tokens, d]), name: "encoder.pos_embedding.add")

        for layer in 0..<c.layers {
            x = encoderBlock(x, "encoder.layers.encoder_layer_\(layer)", c, &b)
        }
        let cls = b.firstToken(x, name: "class_token.select")
        let features = b.layerNorm(cls, "encoder.ln", width: d, epsilon: c.layerNormEpsilon)
        return head == .classifier ? b.linear(features, "heads.head", in: d, out: classes) : features
    }

    private static func encoderBlock(_ x: String, _ prefix: String, _ c: Config, _ b: inout GraphBuilder) -> String {
        let d = c.hidden
        var h = b.layerNorm(x, "\(prefix).ln_1", width: d, epsilon: c.layerNormEpsilon)
        h = selfAttention(h, "\(prefix).self_attention", d: d, heads: c.heads, &b)
        let afterAttention = b.add(x, h, name: "\(prefix).attention.residual")
        var m = b.layerNorm(afterAttention, "\(prefix).ln_2", width: d, epsilon: c.layerNormEpsilon)
        m = b.tokenLinear(m, "\(prefix).mlp.0", in: d, out: c.mlp)
        m = b.activation(m, .gelu, name: "\(prefix).mlp.1")
        m = b.tokenLinear(m, "\(prefix).mlp.3", in: c.mlp, out: d)
        return b.add(afterAttention, m, name: "\(prefix).mlp.residual")
    }

    /// `nn.MultiheadAttention` with the packed `in_proj_weight` (rows q | k | v) split at build time.
    private static func selfAttention(_ x: String, _ prefix: String, d: Int, heads: Int, _ b: inout GraphBuilder) -> String {
        let packedWeight = b.load("\(prefix).in_proj_weight", [3 * d, d])
        let packedBias = b.load("\(prefix).in_proj_bias", [3 * d])
        let scale = 1 / Float(d / max(heads, 1)).squareRoot()
        var parts: [String] = []
        for (index, part) in ["q", "k", "v"].enumerated() {
            let factor: Float = index == 0 ? scale : 1
            let w = b.derived("\(prefix).\(part).weight_t",
                              packedWeight.map { TransformerWeights.transposedRows($0, from: index * d, count: d, scale: factor) })
            let bias = b.derived("\(prefix).\(part).bias",
                                 packedBias.map { TransformerWeights.slice($0, from: index * d, count: d, scale: factor) })
            let y = b.node("MatMul", [x, w], name: "\(prefix).\(part)")
            parts.append(b.add(y, bias, name: "\(prefix).\(part).add_bias"))
        }
        let context = b.multiHeadAttention(query: parts[0], key: parts[1], value: parts[2], prefix: prefix, width: d, heads: heads)
        return b.tokenLinear(context, "\(prefix).out_proj", in: d, out: d)
    }
}
