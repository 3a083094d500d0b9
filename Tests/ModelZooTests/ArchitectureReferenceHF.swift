import Foundation
import ModelZoo
import Tensor

/// Direct (loop, one image) implementations of Hugging Face's `Dinov2Model` and `CLIPModel`
/// image tower, written from `modeling_dinov2.py` / `modeling_clip.py`'s maths, to check the builders.
/// The DINOv2 position grid is resized here per output pixel with 16 taps in Double
/// (the builder resizes separably in Float).
struct ReferenceHFTransformer {
    let weights: [String: Tensor]
    let epsilon: Float

    func w(_ name: String) -> [Float] { weights[name]!.toFloats() }

    /// y[t][o] = sum_i x[t][i] * W[o][i] (+ b[o]).
    func linear(_ x: [[Float]], _ prefix: String, out: Int, bias: Bool = true) -> [[Float]] {
        let weight = w("\(prefix).weight"), b = bias ? w("\(prefix).bias") : [Float](repeating: 0, count: out)
        let inputs = x[0].count
        return x.map { row in (0..<out).map { o in b[o] + (0..<inputs).reduce(0) { $0 + row[$1] * weight[o * inputs + $1] } } }
    }

    func layerNorm(_ x: [[Float]], _ prefix: String) -> [[Float]] {
        let gamma = w("\(prefix).weight"), beta = w("\(prefix).bias")
        return x.map { row in
            let mean = row.reduce(0, +) / Float(row.count)
            let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(row.count)
            let scale = 1 / (variance + epsilon).squareRoot()
            return row.indices.map { (row[$0] - mean) * scale * gamma[$0] + beta[$0] }
        }
    }

    /// softmax(q k^T / sqrt(hd)) v per head, then the output projection.
    func attention(_ h: [[Float]], q: String, k: String, v: String, out: String, heads: Int) -> [[Float]] {
        let d = h[0].count, headDim = d / heads
        let queries = linear(h, q, out: d), keys = linear(h, k, out: d), values = linear(h, v, out: d)
        var context = Array(repeating: Array(repeating: Float(0), count: d), count: h.count)
        for head in 0..<heads {
            let offset = head * headDim
            for t in h.indices {
                var scores = h.indices.map { s in
                    (0..<headDim).reduce(Float(0)) { $0 + queries[t][offset + $1] * keys[s][offset + $1] } / Float(headDim).squareRoot()
                }
                let peak = scores.max()!
                scores = scores.map { exp($0 - peak) }
                let total = scores.reduce(0, +)
                for s in h.indices { for j in 0..<headDim { context[t][offset + j] += scores[s] / total * values[s][offset + j] } }
            }
        }
        return linear(context, out, out: d)
    }

    /// Patch tokens of a [3, size, size] image: conv with kernel = stride = patch.
    func patches(_ image: [Float], size: Int, patch p: Int, prefix: String, width d: Int, bias: Bool) -> [[Float]] {
        let convWeight = w("\(prefix).weight"), convBias = bias ? w("\(prefix).bias") : [Float](repeating: 0, count: d)
        let grid = size / p
        var tokens: [[Float]] = []
        for gy in 0..<grid {
            for gx in 0..<grid {
                tokens.append((0..<d).map { o in
                    var sum = convBias[o]
                    for c in 0..<3 { for ky in 0..<p { for kx in 0..<p {
                        sum += convWeight[((o * 3 + c) * p + ky) * p + kx] * image[(c * size + gy * p + ky) * size + gx * p + kx]
                    } } }
                    return sum
                })
            }
        }
        return tokens
    }

    static func add(_ a: [[Float]], _ b: [[Float]]) -> [[Float]] { a.indices.map { t in a[t].indices.map { a[t][$0] + b[t][$0] } } }

    // MARK: DINOv2

    /// `Dinov2Model(...).pooler_output` (or the patch-token mean) for one image.
    func dinov2(_ image: [Float], config c: DINOv2.Config, pooling: DINOv2.Pooling) -> [Float] {
        let d = c.hidden
        var x = [w("embeddings.cls_token")] + patches(image, size: c.imageSize, patch: c.patchSize,
                                                      prefix: "embeddings.patch_embeddings.projection", width: d, bias: true)
        let stored = w("embeddings.position_embeddings")
        let grid = Self.bicubic(Array(stored[d...]), channels: d, from: c.positionGrid, to: c.grid, step: Double(c.positionGrid) / Double(c.grid))
        let position = [Array(stored[..<d])] + (0..<c.grid * c.grid).map { Array(grid[$0 * d..<($0 + 1) * d]) }
        x = Self.add(x, position)
        for layer in 0..<c.layers {
            let p = "encoder.layer.\(layer)"
            var a = attention(layerNorm(x, "\(p).norm1"), q: "\(p).attention.attention.query", k: "\(p).attention.attention.key",
                              v: "\(p).attention.attention.value", out: "\(p).attention.output.dense", heads: c.heads)
            let lambda1 = w("\(p).layer_scale1.lambda1"), lambda2 = w("\(p).layer_scale2.lambda1")
            a = a.map { row in row.indices.map { row[$0] * lambda1[$0] } }
            x = Self.add(x, a)
            var m = linear(layerNorm(x, "\(p).norm2"), "\(p).mlp.fc1", out: c.mlp)
            m = m.map { $0.map { Float(0.5 * Double($0) * (1 + erf(Double($0) / 2.0.squareRoot()))) } }
            m = linear(m, "\(p).mlp.fc2", out: d).map { row in row.indices.map { row[$0] * lambda2[$0] } }
            x = Self.add(x, m)
        }
        x = layerNorm(x, "layernorm")
        switch pooling {
        case .cls: return x[0]
        case .meanPatches: return (0..<d).map { j in x.dropFirst().reduce(0) { $0 + $1[j] } / Float(x.count - 1) }
        }
    }

    /// torch bicubic (a = -0.75, align_corners=False) of a [from, from, channels] grid, one output
    /// cell at a time: sum over the 4 x 4 clamped neighbours of w(dy) * w(dx) * value.
    static func bicubic(_ values: [Float], channels: Int, from: Int, to: Int, step: Double) -> [Float] {
        func kernel(_ distance: Double) -> Double {
            let a = -0.75, x = abs(distance)
            if x <= 1 { return (a + 2) * x * x * x - (a + 3) * x * x + 1 }
            if x < 2 { return a * x * x * x - 5 * a * x * x + 8 * a * x - 4 * a }
            return 0
        }
        var result = [Float](repeating: 0, count: to * to * channels)
        for oy in 0..<to {
            for ox in 0..<to {
                let sy = step * (Double(oy) + 0.5) - 0.5, sx = step * (Double(ox) + 0.5) - 0.5
                let by = Int(sy.rounded(.down)), bx = Int(sx.rounded(.down))
                for ny in by - 1...by + 2 {
                    for nx in bx - 1...bx + 2 {
                        let weight = kernel(sy - Double(ny)) * kernel(sx - Double(nx))
                        let cy = min(max(ny, 0), from - 1), cx = min(max(nx, 0), from - 1)
                        for ch in 0..<channels {
                            result[(oy * to + ox) * channels + ch] += Float(weight * Double(values[(cy * from + cx) * channels + ch]))
                        }
                    }
                }
            }
        }
        return result
    }

    // MARK: CLIP

    /// `CLIPModel.get_image_features` for one image.
    func clipImageFeatures(_ image: [Float], config c: CLIPVision.Config) -> [Float] {
        let d = c.hidden, e = "vision_model.embeddings"
        var x = [w("\(e).class_embedding")] + patches(image, size: c.imageSize, patch: c.patchSize,
                                                      prefix: "\(e).patch_embedding", width: d, bias: false)
        let position = w("\(e).position_embedding.weight")
        x = Self.add(x, x.indices.map { Array(position[$0 * d..<($0 + 1) * d]) })
        x = layerNorm(x, "vision_model.pre_layrnorm")
        for layer in 0..<c.layers {
            let p = "vision_model.encoder.layers.\(layer)"
            x = Self.add(x, attention(layerNorm(x, "\(p).layer_norm1"), q: "\(p).self_attn.q_proj", k: "\(p).self_attn.k_proj",
                                      v: "\(p).self_attn.v_proj", out: "\(p).self_attn.out_proj", heads: c.heads))
            var m = linear(layerNorm(x, "\(p).layer_norm2"), "\(p).mlp.fc1", out: c.mlp)
            m = m.map { $0.map { $0 / (1 + exp(-1.702 * $0)) } }
            x = Self.add(x, linear(m, "\(p).mlp.fc2", out: d))
        }
        let pooled = layerNorm([x[0]], "vision_model.post_layernorm")
        return linear(pooled, "visual_projection", out: c.projection, bias: false)[0]
    }
}
