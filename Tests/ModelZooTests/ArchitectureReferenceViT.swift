import Foundation
import ModelZoo
import Tensor

/// A direct (loop) implementation of torchvision's VisionTransformer forward pass for one
/// image, written from the paper's equations, to check the builder's graph.
struct ReferenceViT {
    let weights: [String: Tensor]
    let config: VisionTransformer.Config

    private func w(_ name: String) -> [Float] { weights[name]!.toFloats() }

    /// y[t][o] = sum_i x[t][i] * W[o][i] + b[o].
    private func linear(_ x: [[Float]], _ prefix: String, out: Int) -> [[Float]] {
        let weight = w("\(prefix).weight"), bias = w("\(prefix).bias")
        let inputs = x[0].count
        return x.map { row in (0..<out).map { o in bias[o] + (0..<inputs).reduce(0) { $0 + row[$1] * weight[o * inputs + $1] } } }
    }

    private func layerNorm(_ x: [[Float]], _ prefix: String) -> [[Float]] {
        let gamma = w("\(prefix).weight"), beta = w("\(prefix).bias")
        return x.map { row in
            let mean = row.reduce(0, +) / Float(row.count)
            let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(row.count)
            let scale = 1 / (variance + config.layerNormEpsilon).squareRoot()
            return row.indices.map { (row[$0] - mean) * scale * gamma[$0] + beta[$0] }
        }
    }

    func classToken(_ image: [Float]) -> [Float] {
        let d = config.hidden, p = config.patchSize, size = config.imageSize, grid = size / p
        let convWeight = w("conv_proj.weight"), convBias = w("conv_proj.bias")
        var tokens: [[Float]] = [w("class_token")]
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
        let position = w("encoder.pos_embedding")
        var x = tokens.enumerated().map { t, row in row.indices.map { row[$0] + position[t * d + $0] } }
        let headDim = d / config.heads
        for layer in 0..<config.layers {
            let prefix = "encoder.layers.encoder_layer_\(layer)"
            let h = layerNorm(x, "\(prefix).ln_1")
            let packed = w("\(prefix).self_attention.in_proj_weight"), packedBias = w("\(prefix).self_attention.in_proj_bias")
            let qkv = h.map { row in (0..<3 * d).map { o in packedBias[o] + (0..<d).reduce(0) { $0 + row[$1] * packed[o * d + $1] } } }
            var context = Array(repeating: Array(repeating: Float(0), count: d), count: x.count)
            for head in 0..<config.heads {
                let offset = head * headDim
                for t in x.indices {
                    var scores = x.indices.map { s in
                        (0..<headDim).reduce(Float(0)) { $0 + qkv[t][offset + $1] * qkv[s][d + offset + $1] } / Float(headDim).squareRoot()
                    }
                    let peak = scores.max()!
                    scores = scores.map { exp($0 - peak) }
                    let total = scores.reduce(0, +)
                    for s in x.indices { for j in 0..<headDim { context[t][offset + j] += scores[s] / total * qkv[s][2 * d + offset + j] } }
                }
            }
            let attention = linear(context, "\(prefix).self_attention.out_proj", out: d)
            x = x.indices.map { t in x[t].indices.map { x[t][$0] + attention[t][$0] } }
            var m = linear(layerNorm(x, "\(prefix).ln_2"), "\(prefix).mlp.0", out: config.mlp)
            m = m.map { $0.map { Float(0.5 * Double($0) * (1 + erf(Double($0) / 2.0.squareRoot()))) } }
            m = linear(m, "\(prefix).mlp.3", out: d)
            x = x.indices.map { t in x[t].indices.map { x[t][$0] + m[t][$0] } }
        }
        return layerNorm([x[0]], "encoder.ln")[0]
    }
}
