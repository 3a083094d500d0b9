import Graph
import Tensor

/// DINOv2 with Hugging Face's `Dinov2Model` layout and state-dict names (`facebook/dinov2-*`).
///
/// Oquab et al., "DINOv2: Learning Robust Visual Features without Supervision", TMLR 2024
/// (arXiv:2304.07193).
///
/// - `embeddings.patch_embeddings.projection`: patch x patch conv, stride patch (bias) -> `[B, N, D]`;
///   `embeddings.cls_token` `[1, 1, D]` prepended; `embeddings.position_embeddings` `[1, 1 + G*G, D]`
///   (G = 37: trained at 518 px) resized to the input's grid at BUILD time (``PositionGridResize``,
///   bicubic, `size=` sampling like today's Hugging Face code) and added. `embeddings.mask_token` is
///   training-only and ignored.
/// - `encoder.layer.<i>`: `norm1` -> self-attention (`attention.attention.query/key/value`,
///   `attention.output.dense`) x `layer_scale1.lambda1` -> residual; `norm2` -> `mlp.fc1`, exact
///   GELU, `mlp.fc2` x `layer_scale2.lambda1` -> residual. The layer scales are folded into the
///   output projections' rows at build time.
/// - `layernorm` (eps 1e-6) on every token; the output is the CLS token (`pooler_output`) or the
///   mean of the patch tokens.
public enum DINOv2 {
    /// The shape of a DINOv2 network.
    public struct Config: Sendable, Hashable {
        public var imageSize: Int, patchSize: Int, layers: Int, heads: Int, hidden: Int, mlp: Int
        /// Side of the checkpoint's position-embedding grid (37 for the released models).
        public var positionGrid: Int
        public var layerNormEpsilon: Float = 1e-6
        public var sampling: PositionGridResize.Sampling = .size

        public init(imageSize: Int, patchSize: Int = 14, layers: Int, heads: Int, hidden: Int, mlp: Int, positionGrid: Int = 37) {
            self.imageSize = imageSize; self.patchSize = patchSize; self.layers = layers
            self.heads = heads; self.hidden = hidden; self.mlp = mlp; self.positionGrid = positionGrid
        }

        /// Side of the token grid the input produces (`imageSize / patchSize`, as the conv floors it).
        public var grid: Int { imageSize / patchSize }
        /// Tokens including the CLS token.
        public var tokens: Int { grid * grid + 1 }

        /// `facebook/dinov2-small` at 224 px (16 x 16 patches).
        public static let small = Config(imageSize: 224, layers: 12, heads: 6, hidden: 384, mlp: 1536)
        /// `facebook/dinov2-base` at 224 px.
        public static let base = Config(imageSize: 224, layers: 12, heads: 12, hidden: 768, mlp: 3072)
    }

    /// What the network outputs, `[batch, hidden]`.
    public enum Pooling: String, Sendable, Hashable, CaseIterable {
        /// The CLS token after the final LayerNorm (Hugging Face's `pooler_output`).
        case cls
        /// The mean of the patch tokens after the final LayerNorm.
        case meanPatches
    }

    /// Builds the network from a `Dinov2Model` state dict (`model.safetensors`).
    public static func build(config: Config, weights: WeightSource, pooling: Pooling = .cls, name: String = "dinov2") throws -> Graph {
        var builder = GraphBuilder(architecture: name, weights: weights, inputShape: ImageInput.fixed(config.imageSize))
        let output = construct(config, pooling: pooling, &builder)
        return try builder.finish(output: output, outputShape: [.symbolic("batch"), .fixed(config.hidden)],
                                  ignoring: { $0 == "embeddings.mask_token" })
    }

    /// Every tensor the configuration reads (the unused `embeddings.mask_token` excluded).
    public static func parameters(config: Config) -> [ParameterSpec] {
        GraphBuilder.parameterSpecs(architecture: "dinov2") { construct(config, pooling: .cls, &$0) }
    }

    private static func construct(_ c: Config, pooling: Pooling, _ b: inout GraphBuilder) -> String {
        if c.imageSize % c.patchSize != 0 { b.fail("image size \(c.imageSize) is not a multiple of the patch size \(c.patchSize)") }
        if c.hidden % max(c.heads, 1) != 0 { b.fail("hidden width \(c.hidden) does not split into \(c.heads) heads") }
        let d = c.hidden
        let classToken = b.weight("embeddings.cls_token", [1, 1, d])
        var x = b.patchTokens("embeddings.patch_embeddings.projection", width: d, patch: c.patchSize, bias: true)
        x = b.prependingClassToken(classToken, to: x, width: d)
        x = b.add(x, positionEmbedding(c, &b), name: "embeddings.position_embeddings.add")
        for layer in 0..<c.layers {
            x = layerBlock(x, "encoder.layer.\(layer)", c, &b)
        }
        x = b.layerNorm(x, "layernorm", width: d, epsilon: c.layerNormEpsilon)
        switch pooling {
        case .cls: return b.firstToken(x, name: "pooler_output")
        case .meanPatches: return b.meanOfPatchTokens(x, tokens: c.tokens, name: "patch_tokens.mean")
        }
    }

    /// The checkpoint's position embeddings resized to the input's token grid (build time).
    private static func positionEmbedding(_ c: Config, _ b: inout GraphBuilder) -> String {
        let name = "embeddings.position_embeddings"
        let stored = b.load(name, [1, c.positionGrid * c.positionGrid + 1, c.hidden])
        guard c.grid != c.positionGrid else { return b.derived(name, stored) }
        if PositionGridResize.outputSize(from: c.positionGrid, to: c.grid, sampling: c.sampling) != c.grid {
            b.fail("\(name): \(c.sampling) sampling does not turn a \(c.positionGrid)x\(c.positionGrid) grid into \(c.grid)x\(c.grid)")
            return name
        }
        let resized = stored.flatMap { tensor -> Tensor? in
            let values = tensor.toFloats()
            let patches = PositionGridResize.resize(Array(values[c.hidden...]), channels: c.hidden,
                                                    from: c.positionGrid, to: c.grid, sampling: c.sampling)
            return patches.map { Tensor(shape: [1, c.tokens, c.hidden], floats: Array(values[..<c.hidden]) + $0) }
        }
        return b.derived("\(name).resized_\(c.grid)x\(c.grid)", resized)
    }

    private static func layerBlock(_ x: String, _ prefix: String, _ c: Config, _ b: inout GraphBuilder) -> String {
        let d = c.hidden
        var h = b.layerNorm(x, "\(prefix).norm1", width: d, epsilon: c.layerNormEpsilon)
        let scale1 = b.load("\(prefix).layer_scale1.lambda1", [d])
        h = b.separateProjectionAttention(h, prefix: "\(prefix).attention", names: (
            "\(prefix).attention.attention.query", "\(prefix).attention.attention.key",
            "\(prefix).attention.attention.value", "\(prefix).attention.output.dense"), width: d, heads: c.heads, outputRowScale: scale1)
        let afterAttention = b.add(x, h, name: "\(prefix).attention.residual")
        var m = b.layerNorm(afterAttention, "\(prefix).norm2", width: d, epsilon: c.layerNormEpsilon)
        m = b.tokenLinear(m, "\(prefix).mlp.fc1", in: d, out: c.mlp)
        m = b.activation(m, .gelu, name: "\(prefix).mlp.activation")
        let scale2 = b.load("\(prefix).layer_scale2.lambda1", [d])
        m = b.tokenLinear(m, "\(prefix).mlp.fc2", in: c.mlp, out: d, rowScale: scale2)
        return b.add(afterAttention, m, name: "\(prefix).mlp.residual")
    }
}
