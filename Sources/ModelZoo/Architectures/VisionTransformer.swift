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
/// TODO: CLIP (`visual.transformer.resblocks.<i>.attn`, `ln_pre`, `proj`, QuickGELU) and
/// DINOv2 (`blocks.<i>.attn.qkv`, layer scale `ls1`/`ls2`, register tokens) naming.
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
        // Patch embedding: [B, D, g, g] -> [B, D, N] -> [B, N, D].
        let classToken = b.weight("class_token", [1, 1, d])
        var x = b.conv("input", "conv_proj", in: 3, out: d, kernel: c.patchSize, stride: c.patchSize, pads: [0, 0, 0, 0], bias: true)
        x = b.node("Reshape", [x, b.constant("conv_proj.shape", int64s: [0, Int64(d), -1])], name: "conv_proj.flatten")
        x = b.node("Transpose", [x], name: "conv_proj.permute", ["perm": .ints([0, 2, 1])])
        // Class token expanded to the batch: Expand(class_token, [batch, 1, D]).
        let shape = b.node("Shape", [x], name: "batch.shape")
        let batch = b.node("Gather", [shape, b.constant("batch.index", int64s: [0])], name: "batch.size", ["axis": .int(0)])
        let target = b.node("Concat", [batch, b.constant("class_token.tail", int64s: [1, Int64(d)])], name: "class_token.shape",
                            ["axis": .int(0)])
        let tokens = b.node("Expand", [classToken, target], name: "class_token.expand")
        x = b.node("Concat", [tokens, x], name: "encoder.input", ["axis": .int(1)])
        x = b.add(x, b.weight("encoder.pos_embedding", [1, c.tokens, d]), name: "encoder.pos_embedding.add")

        for layer in 0..<c.layers {
            x = encoderBlock(x, "encoder.layers.encoder_layer_\(layer)", c, &b)
        }
        let cls = b.node("Gather", [x, b.constant("class_token.index", int64s: [0], shape: [])], name: "class_token.select",
                         ["axis": .int(1)])
        let features = layerNorm(cls, "encoder.ln", d, c.layerNormEpsilon, &b)
        return head == .classifier ? b.linear(features, "heads.head", in: d, out: classes) : features
    }

    private static func encoderBlock(_ x: String, _ prefix: String, _ c: Config, _ b: inout GraphBuilder) -> String {
        let d = c.hidden
        let headDim = d / max(c.heads, 1)
        var h = layerNorm(x, "\(prefix).ln_1", d, c.layerNormEpsilon, &b)
        h = selfAttention(h, "\(prefix).self_attention", d: d, heads: c.heads, headDim: headDim, &b)
        let afterAttention = b.add(x, h, name: "\(prefix).attention.residual")
        var m = layerNorm(afterAttention, "\(prefix).ln_2", d, c.layerNormEpsilon, &b)
        m = projection(m, "\(prefix).mlp.0", in: d, out: c.mlp, &b)
        m = b.activation(m, .gelu, name: "\(prefix).mlp.1")
        m = projection(m, "\(prefix).mlp.3", in: c.mlp, out: d, &b)
        return b.add(afterAttention, m, name: "\(prefix).mlp.residual")
    }

    private static func selfAttention(_ x: String, _ prefix: String, d: Int, heads: Int, headDim: Int,
                                      _ b: inout GraphBuilder) -> String {
        let packedWeight = b.load("\(prefix).in_proj_weight", [3 * d, d])
        let packedBias = b.load("\(prefix).in_proj_bias", [3 * d])
        let scale = 1 / Float(headDim).squareRoot()
        let splitShape = b.constant("attention.split_heads", int64s: [0, 0, Int64(heads), Int64(headDim)])
        var parts: [String] = []
        for (index, part) in ["q", "k", "v"].enumerated() {
            let factor: Float = index == 0 ? scale : 1
            let w = b.derived("\(prefix).\(part).weight_t", packedWeight.map { transposedRows($0, from: index * d, count: d, scale: factor) })
            let bias = b.derived("\(prefix).\(part).bias", packedBias.map { slice($0, from: index * d, count: d, scale: factor) })
            var y = b.node("MatMul", [x, w], name: "\(prefix).\(part)")
            y = b.add(y, bias, name: "\(prefix).\(part).add_bias")
            y = b.node("Reshape", [y, splitShape], name: "\(prefix).\(part).heads")
            // q, v: [B, H, T, hd]; k: [B, H, hd, T].
            let perm = part == "k" ? [0, 2, 3, 1] : [0, 2, 1, 3]
            parts.append(b.node("Transpose", [y], name: "\(prefix).\(part).transpose", ["perm": .ints(perm)]))
        }
        var scores = b.node("MatMul", [parts[0], parts[1]], name: "\(prefix).scores")
        scores = b.node("Softmax", [scores], name: "\(prefix).softmax", ["axis": .int(-1)])
        var context = b.node("MatMul", [scores, parts[2]], name: "\(prefix).context")
        context = b.node("Transpose", [context], name: "\(prefix).context.transpose", ["perm": .ints([0, 2, 1, 3])])
        context = b.node("Reshape", [context, b.constant("attention.merge_heads", int64s: [0, 0, Int64(d)])],
                         name: "\(prefix).context.merge")
        return projection(context, "\(prefix).out_proj", in: d, out: d, &b)
    }

    /// `nn.Linear` on `[B, T, in]`: MatMul with the transposed weight, then the bias.
    private static func projection(_ x: String, _ prefix: String, in inFeatures: Int, out outFeatures: Int,
                                   _ b: inout GraphBuilder) -> String {
        let weight = b.load("\(prefix).weight", [outFeatures, inFeatures])
        let w = b.derived("\(prefix).weight_t", weight.map { transposedRows($0, from: 0, count: outFeatures, scale: 1) })
        let y = b.node("MatMul", [x, w], name: prefix)
        return b.add(y, b.weight("\(prefix).bias", [outFeatures]), name: "\(prefix).add_bias")
    }

    private static func layerNorm(_ x: String, _ prefix: String, _ d: Int, _ epsilon: Float, _ b: inout GraphBuilder) -> String {
        let inputs = [x, b.weight("\(prefix).weight", [d]), b.weight("\(prefix).bias", [d])]
        return b.node("LayerNormalization", inputs, name: prefix, ["axis": .int(-1), "epsilon": .float(epsilon)])
    }

    /// Rows `[from, from + count)` of a `[rows, columns]` matrix, transposed to `[columns, count]` and scaled.
    static func transposedRows(_ matrix: Tensor, from start: Int, count: Int, scale: Float) -> Tensor {
        let columns = matrix.shape[1]
        let source = matrix.floatPointer
        let result = Tensor(zeros: [columns, count])
        let target = result.floatPointer
        for row in 0..<count {
            let sourceRow = source + (start + row) * columns
            for column in 0..<columns { target[column * count + row] = sourceRow[column] * scale }
        }
        return result
    }

    /// Elements `[from, from + count)` of a vector, scaled.
    static func slice(_ vector: Tensor, from start: Int, count: Int, scale: Float) -> Tensor {
        let source = vector.floatPointer + start
        return Tensor(shape: [count], floats: (0..<count).map { source[$0] * scale })
    }
}
