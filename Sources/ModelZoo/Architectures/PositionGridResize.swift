/// Resizes a square grid of position embeddings exactly as
/// `torch.nn.functional.interpolate(mode="bicubic", align_corners=False, antialias=False)` does
/// on a `[1, channels, from, from]` float32 tensor: Keys' cubic convolution with a = -0.75,
/// source coordinate `scale * (dst + 0.5) - 0.5` (no clamping), taps clamped to the border.
///
/// Used at build time when a checkpoint's position grid (DINOv2: 37 x 37, trained at 518 px)
/// differs from the token grid of the chosen input size (224 px / 14 = 16 x 16).
public enum PositionGridResize {
    /// How the resampling step is chosen, which is where implementations differ.
    public enum Sampling: Sendable, Hashable {
        /// `interpolate(size=(to, to))`: step `from / to`. Hugging Face `Dinov2Embeddings.interpolate_pos_encoding`
        /// today (and every ViT model since the `torch_int` refactor).
        case size
        /// `interpolate(scale_factor=(to + offset) / from)`: step `from / (to + offset)`, output size
        /// `floor(from * factor)`. The original DINO/DINOv2 code and older Hugging Face releases
        /// (offset 0.1, "to avoid floating point error"). For 37 -> 16 the step is 2.2981 instead of
        /// 2.3125: sample positions move by up to 0.11 of a grid cell at the far edge.
        case scaleFactor(offset: Double)
    }

    /// The step (input cells per output cell) torch uses, as float32 like its CPU kernel.
    static func step(from: Int, to: Int, sampling: Sampling) -> Float {
        switch sampling {
        case .size: return Float(from) / Float(to)
        case let .scaleFactor(offset): return Float(1.0 / ((Double(to) + offset) / Double(from)))
        }
    }

    /// The output size `sampling` produces when aiming for `to` (torch: `floor(from * scale_factor)`).
    static func outputSize(from: Int, to: Int, sampling: Sampling) -> Int {
        switch sampling {
        case .size: return to
        case let .scaleFactor(offset): return Int((Double(from) * ((Double(to) + offset) / Double(from))).rounded(.down))
        }
    }

    /// For each output index along one axis: the four input indices (clamped) and their weights.
    static func taps(from: Int, to: Int, sampling: Sampling) -> [(indices: [Int], weights: [Float])] {
        let scale = step(from: from, to: to, sampling: sampling)
        let a: Float = -0.75
        func near(_ x: Float) -> Float { ((a + 2) * x - (a + 3)) * x * x + 1 }            // |x| <= 1
        func far(_ x: Float) -> Float { ((a * x - 5 * a) * x + 8 * a) * x - 4 * a }       // 1 < |x| < 2
        return (0..<to).map { destination in
            let real = scale * (Float(destination) + 0.5) - 0.5
            let index = min(Int(real.rounded(.down)), from - 1)
            let t = min(max(real - Float(index), 0), 1)
            let weights = [far(t + 1), near(t), near(1 - t), far(2 - t)]
            let indices = (0..<4).map { min(max(index - 1 + $0, 0), from - 1) }
            return (indices, weights)
        }
    }

    /// Resizes `values` (`from * from` grid cells in row-major order, `channels` floats each) to
    /// `to * to` cells. Returns `nil` when `sampling` would not produce a `to x to` grid.
    public static func resize(_ values: [Float], channels: Int, from: Int, to: Int, sampling: Sampling = .size) -> [Float]? {
        guard from > 0, to > 0, channels > 0, values.count == from * from * channels,
              outputSize(from: from, to: to, sampling: sampling) == to else { return nil }
        let axis = taps(from: from, to: to, sampling: sampling)
        // Along x for every input row: [from][to][channels].
        var rows = [Float](repeating: 0, count: from * to * channels)
        for y in 0..<from {
            for x in 0..<to {
                let (indices, weights) = axis[x]
                let target = (y * to + x) * channels
                for tap in 0..<4 {
                    let source = (y * from + indices[tap]) * channels
                    for c in 0..<channels { rows[target + c] += weights[tap] * values[source + c] }
                }
            }
        }
        // Then along y: [to][to][channels].
        var result = [Float](repeating: 0, count: to * to * channels)
        for y in 0..<to {
            let (indices, weights) = axis[y]
            for x in 0..<to {
                let target = (y * to + x) * channels
                for tap in 0..<4 {
                    let source = (indices[tap] * to + x) * channels
                    for c in 0..<channels { result[target + c] += weights[tap] * rows[source + c] }
                }
            }
        }
        return result
    }
}
