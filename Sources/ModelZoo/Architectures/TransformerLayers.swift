import Graph
import Tensor

/// The layers every Vision Transformer family shares (torchvision ViT, DINOv2, CLIP),
/// independent of how a checkpoint names them: token projections, multi-head
/// self-attention, LayerNorm, QuickGELU, patch embedding and the class token.
///
/// Linear layers run as `MatMul` with the weight transposed once at build time, then the
/// bias; any scaling (attention's 1/sqrt(head dim), DINOv2's layer scale) is folded into
/// the weight and bias rows then too.
extension GraphBuilder {
    /// `nn.LayerNorm(width)` over the last axis (`prefix.weight`, `prefix.bias`).
    mutating func layerNorm(_ x: String, _ prefix: String, width: Int, epsilon: Float) -> String {
        let inputs = [x, weight("\(prefix).weight", [width]), weight("\(prefix).bias", [width])]
        return node("LayerNormalization", inputs, name: prefix, ["axis": .int(-1), "epsilon": .float(epsilon)])
    }

    /// `nn.Linear` on `[B, T, in]` from already loaded tensors (`weight` is `[out, in]`). Output
    /// feature `o` is multiplied by `scale * rowScale[o]` (folded into the weight and bias).
    mutating func tokenLinear(_ x: String, _ prefix: String, weight: Tensor?, bias: Tensor?, hasBias: Bool = true,
                              scale: Float = 1, rowScale: Tensor? = nil) -> String {
        let factors = rowScale?.toFloats()
        let w = derived("\(prefix).weight_t", weight.map { TransformerWeights.transposed($0, scale: scale, rowScale: factors) })
        let y = node("MatMul", [x, w], name: prefix)
        guard hasBias else { return y }
        let b = derived("\(prefix).bias_scaled", bias.map { TransformerWeights.scaled($0, scale: scale, rowScale: factors) })
        return add(y, b, name: "\(prefix).add_bias")
    }

    /// `nn.Linear(in, out)` named `prefix` on `[B, T, in]` (weights `prefix.weight`, `prefix.bias`).
    mutating func tokenLinear(_ x: String, _ prefix: String, in inFeatures: Int, out outFeatures: Int, bias: Bool = true,
                              scale: Float = 1, rowScale: Tensor? = nil) -> String {
        let w = load("\(prefix).weight", [outFeatures, inFeatures])
        let b = bias ? load("\(prefix).bias", [outFeatures]) : nil
        return tokenLinear(x, prefix, weight: w, bias: b, hasBias: bias, scale: scale, rowScale: rowScale)
    }

    /// Scaled dot-product attention over `heads` heads: `query` (already multiplied by
    /// 1/sqrt(head dim)), `key`, `value` are `[B, T, width]`; returns the merged context `[B, T, width]`.
    mutating func multiHeadAttention(query: String, key: String, value: String, prefix: String,
                                     width: Int, heads: Int) -> String {
        let headDim = width / max(heads, 1)
        let splitShape = constant("attention.split_heads.\(heads)x\(headDim)", int64s: [0, 0, Int64(heads), Int64(headDim)])
        var parts: [String] = []
        for (part, value) in [("q", query), ("k", key), ("v", value)] {
            let y = node("Reshape", [value, splitShape], name: "\(prefix).\(part).heads")
            // q, v: [B, H, T, hd]; k: [B, H, hd, T].
            let perm = part == "k" ? [0, 2, 3, 1] : [0, 2, 1, 3]
            parts.append(node("Transpose", [y], name: "\(prefix).\(part).transpose", ["perm": .ints(perm)]))
        }
        var scores = node("MatMul", [parts[0], parts[1]], name: "\(prefix).scores")
        scores = node("Softmax", [scores], name: "\(prefix).softmax", ["axis": .int(-1)])
        var context = node("MatMul", [scores, parts[2]], name: "\(prefix).context")
        context = node("Transpose", [context], name: "\(prefix).context.transpose", ["perm": .ints([0, 2, 1, 3])])
        return node("Reshape", [context, constant("attention.merge_heads.\(width)", int64s: [0, 0, Int64(width)])],
                    name: "\(prefix).context.merge")
    }

    /// Self-attention with separate `q`/`k`/`v`/`out` linear layers (named by `names`, all with bias).
    mutating func separateProjectionAttention(_ x: String, prefix: String, names: (q: String, k: String, v: String, out: String),
                                              width: Int, heads: Int, outputRowScale: Tensor? = nil) -> String {
        let scale = 1 / Float(width / max(heads, 1)).squareRoot()
        let q = tokenLinear(x, names.q, in: width, out: width, scale: scale)
        let k = tokenLinear(x, names.k, in: width, out: width)
        let v = tokenLinear(x, names.v, in: width, out: width)
        let context = multiHeadAttention(query: q, key: k, value: v, prefix: prefix, width: width, heads: heads)
        return tokenLinear(context, names.out, in: width, out: width, rowScale: outputRowScale)
    }

    /// CLIP's QuickGELU: `x * sigmoid(1.702 * x)`.
    mutating func quickGELU(_ x: String, name: String) -> String {
        let scaled = mul(x, constant("quick_gelu.alpha", floats: [1.702], shape: []), name: name + ".scaled")
        let gate = node("Sigmoid", [scaled], name: name + ".sigmoid")
        return mul(x, gate, name: name)
    }

    /// A `patch x patch` stride-`patch` convolution on the image, flattened to tokens `[B, N, width]`.
    mutating func patchTokens(_ prefix: String, width: Int, patch: Int, bias: Bool) -> String {
        var x = conv("input", prefix, in: 3, out: width, kernel: patch, stride: patch, pads: [0, 0, 0, 0], bias: bias)
        x = node("Reshape", [x, constant("\(prefix).shape", int64s: [0, Int64(width), -1])], name: "\(prefix).flatten")
        return node("Transpose", [x], name: "\(prefix).permute", ["perm": .ints([0, 2, 1])])
    }

    /// `token` (`[1, 1, width]`) expanded to the batch and put before `tokens` (`[B, N, width]`).
    mutating func prependingClassToken(_ token: String, to tokens: String, width: Int) -> String {
        let shape = node("Shape", [tokens], name: "batch.shape")
        let batch = node("Gather", [shape, constant("batch.index", int64s: [0])], name: "batch.size", ["axis": .int(0)])
        let target = node("Concat", [batch, constant("class_token.tail", int64s: [1, Int64(width)])], name: "class_token.shape",
                          ["axis": .int(0)])
        let expanded = node("Expand", [token, target], name: "class_token.expand")
        return node("Concat", [expanded, tokens], name: "encoder.input", ["axis": .int(1)])
    }

    /// Token 0 of `[B, T, width]`: `[B, width]`.
    mutating func firstToken(_ x: String, name: String) -> String {
        node("Gather", [x, constant("class_token.index", int64s: [0], shape: [])], name: name, ["axis": .int(1)])
    }

    /// The mean of tokens 1..<T of `[B, T, width]` (the patch tokens): `[B, width]`.
    mutating func meanOfPatchTokens(_ x: String, tokens: Int, name: String) -> String {
        let patches = node("Slice", [x, constant("patch_tokens.starts", int64s: [1]), constant("patch_tokens.ends", int64s: [Int64(tokens)]),
                                     constant("patch_tokens.axes", int64s: [1])], name: name + ".patches")
        return node("ReduceMean", [patches], name: name, ["axes": .ints([1]), "keepdims": .int(0)])
    }
}

/// Build-time weight rearrangements for the transformer layers.
enum TransformerWeights {
    /// A `[rows, columns]` matrix transposed to `[columns, rows]`, row `r` multiplied by `scale * rowScale[r]`.
    static func transposed(_ matrix: Tensor, scale: Float, rowScale: [Float]?) -> Tensor {
        transposedRows(matrix, from: 0, count: matrix.shape[0], scale: scale, rowScale: rowScale)
    }

    /// Rows `[from, from + count)` of a `[rows, columns]` matrix, transposed to `[columns, count]` and scaled.
    static func transposedRows(_ matrix: Tensor, from start: Int, count: Int, scale: Float, rowScale: [Float]? = nil) -> Tensor {
        let columns = matrix.shape[1]
        let source = matrix.floatPointer
        let result = Tensor(zeros: [columns, count])
        let target = result.floatPointer
        for row in 0..<count {
            let factor = scale * (rowScale?[row] ?? 1)
            let sourceRow = source + (start + row) * columns
            for column in 0..<columns { target[column * count + row] = sourceRow[column] * factor }
        }
        return result
    }

    /// A vector, element `i` multiplied by `scale * rowScale[i]`.
    static func scaled(_ vector: Tensor, scale: Float, rowScale: [Float]?) -> Tensor {
        slice(vector, from: 0, count: vector.count, scale: scale, rowScale: rowScale)
    }

    /// Elements `[from, from + count)` of a vector, scaled.
    static func slice(_ vector: Tensor, from start: Int, count: Int, scale: Float, rowScale: [Float]? = nil) -> Tensor {
        let source = vector.floatPointer + start
        return Tensor(shape: [count], floats: (0..<count).map { source[$0] * scale * (rowScale?[$0] ?? 1) })
    }
}
