import Graph
import Tensor

/// CLIP's image tower with Hugging Face's `CLIPModel` state-dict names (`openai/clip-vit-*`).
///
/// Radford et al., "Learning Transferable Visual Models From Natural Language Supervision",
/// ICML 2021 (arXiv:2103.00020).
///
/// - `vision_model.embeddings.patch_embedding`: patch x patch conv, stride patch, no bias;
///   `class_embedding` `[D]` prepended; `position_embedding.weight` `[1 + G*G, D]` added
///   (input fixed at `imageSize`, no interpolation); `vision_model.pre_layrnorm` (sic).
/// - `vision_model.encoder.layers.<i>`: `layer_norm1` -> self-attention (`self_attn.q_proj/k_proj/v_proj/out_proj`,
///   all with bias) -> residual; `layer_norm2` -> `mlp.fc1`, QuickGELU (x * sigmoid(1.702 x)), `mlp.fc2` -> residual.
/// - `vision_model.post_layernorm` on the CLS token, then `visual_projection.weight` `[E, D]`
///   (no bias): the output is `CLIPModel.get_image_features` (not normalised). LayerNorm eps 1e-5.
///
/// The text tower (`text_model.*`, `text_projection.weight`), `logit_scale` and the stored
/// `*.position_ids` buffers are ignored, so the full `CLIPModel` file loads as it is.
public enum CLIPVision {
    /// The shape of a CLIP vision tower.
    public struct Config: Sendable, Hashable {
        public var imageSize: Int, patchSize: Int, layers: Int, heads: Int, hidden: Int, mlp: Int
        /// Width of the joint image-text embedding (`visual_projection` rows).
        public var projection: Int
        public var layerNormEpsilon: Float = 1e-5

        public init(imageSize: Int, patchSize: Int, layers: Int, heads: Int, hidden: Int, mlp: Int, projection: Int) {
            self.imageSize = imageSize; self.patchSize = patchSize; self.layers = layers
            self.heads = heads; self.hidden = hidden; self.mlp = mlp; self.projection = projection
        }

        /// Tokens including the class token.
        public var tokens: Int { (imageSize / patchSize) * (imageSize / patchSize) + 1 }

        /// `openai/clip-vit-base-patch32`.
        public static let b32 = Config(imageSize: 224, patchSize: 32, layers: 12, heads: 12, hidden: 768, mlp: 3072, projection: 512)
    }

    /// True for the keys of a `CLIPModel` checkpoint the image tower does not use.
    public static func isIgnored(_ name: String) -> Bool {
        name.hasPrefix("text_model.") || name.hasPrefix("text_projection.") || name == "logit_scale"
            || name.hasSuffix("embeddings.position_ids")
    }

    /// Builds the image tower from a `CLIPModel` (or `CLIPVisionModelWithProjection`) state dict.
    /// Output `[batch, projection]`.
    public static func build(config: Config, weights: WeightSource, name: String = "clip-vision") throws -> Graph {
        var builder = GraphBuilder(architecture: name, weights: weights, inputShape: ImageInput.fixed(config.imageSize))
        let output = construct(config, &builder)
        return try builder.finish(output: output, outputShape: [.symbolic("batch"), .fixed(config.projection)],
                                  ignoring: isIgnored)
    }

    /// Every tensor the image tower reads.
    public static func parameters(config: Config) -> [ParameterSpec] {
        GraphBuilder.parameterSpecs(architecture: "clip-vision") { construct(config, &$0) }
    }

    private static func construct(_ c: Config, _ b: inout GraphBuilder) -> String {
        if c.imageSize % c.patchSize != 0 { b.fail("image size \(c.imageSize) is not a multiple of the patch size \(c.patchSize)") }
        if c.hidden % max(c.heads, 1) != 0 { b.fail("hidden width \(c.hidden) does not split into \(c.heads) heads") }
        let d = c.hidden
        let embeddings = "vision_model.embeddings"
        let classEmbedding = b.load("\(embeddings).class_embedding", [d])
        let classToken = b.derived("\(embeddings).class_embedding.token", classEmbedding.map { $0.reshaped([1, 1, d]) })
        var x = b.patchTokens("\(embeddings).patch_embedding", width: d, patch: c.patchSize, bias: false)
        x = b.prependingClassToken(classToken, to: x, width: d)
        x = b.add(x, b.weight("\(embeddings).position_embedding.weight", [c.tokens, d]), name: "\(embeddings).position_embedding.add")
        x = b.layerNorm(x, "vision_model.pre_layrnorm", width: d, epsilon: c.layerNormEpsilon)
        for layer in 0..<c.layers {
            x = encoderLayer(x, "vision_model.encoder.layers.\(layer)", c, &b)
        }
        let pooled = b.layerNorm(b.firstToken(x, name: "class_token.select"), "vision_model.post_layernorm",
                                 width: d, epsilon: c.layerNormEpsilon)
        let projection = b.load("visual_projection.weight", [c.projection, d])
        let w = b.derived("visual_projection.weight_t", projection.map { TransformerWeights.transposed($0, scale: 1, rowScale: nil) })
        return b.node("MatMul", [pooled, w], name: "visual_projection")
    }

    private static func encoderLayer(_ x: String, _ prefix: String, _ c: Config, _ b: inout GraphBuilder) -> String {
        let d = c.hidden
        let attention = "\(prefix).self_attn"
        var h = b.layerNorm(x, "\(prefix).layer_norm1", width: d, epsilon: c.layerNormEpsilon)
        h = b.separateProjectionAttention(h, prefix: attention, names: (
            "\(attention).q_proj", "\(attention).k_proj", "\(attention).v_proj", "\(attention).out_proj"), width: d, heads: c.heads)
        let afterAttention = b.add(x, h, name: "\(prefix).attention.residual")
        var m = b.layerNorm(afterAttention, "\(prefix).layer_norm2", width: d, epsilon: c.layerNormEpsilon)
        m = b.tokenLinear(m, "\(prefix).mlp.fc1", in: d, out: c.mlp)
        m = b.quickGELU(m, name: "\(prefix).mlp.activation")
        m = b.tokenLinear(m, "\(prefix).mlp.fc2", in: c.mlp, out: d)
        return b.add(afterAttention, m, name: "\(prefix).mlp.residual")
    }
}
