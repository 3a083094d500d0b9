import Foundation
import Kernels

/// Convolutions with very small output planes (batch 1 at 7x7) with the operands swapped:
/// `outputᵀ (plane × Cout) = unfoldedᵀ (plane × K) · Wᵀ (K × Cout)`, so the micro-kernel's
/// 32-wide vectors run across output channels instead of across the 49 output positions
/// (which fill only 77% of two 32-wide tiles). The weights are packed as a GEMM right
/// operand (``PackedWeights``, split by output-channel panels over the pool), and the
/// transposed result is written back to NCHW with the skip connection and activation.
extension ConvolutionRun {
    /// `IMGVEC_CHANNEL_LANES=0` turns the path off (for comparisons).
    static let channelLanesEnabled = ProcessInfo.processInfo.environment["IMGVEC_CHANNEL_LANES"] != "0"

    /// Largest output plane (one image) that takes this path.
    static let channelLanesMaximumPlane = 64

    /// Whether a convolution of this geometry, run on `threads` threads, takes the channel-lane
    /// path. One thread only: measured at batch 1 (alternating runs, medians of 3), it takes
    /// resnet50 from 71.0 to 66.9 ms and MobileNetV3 from 7.0 to 6.1 ms on one thread. On two
    /// threads, even with the unfold shared and the weights split by output channels, it lost
    /// 20-50% on MobileNetV3's 7x7 layers and only matched the row-block path on resnet50's
    /// deep ones (whole model within noise, 30 MB more for the second weight layout).
    ///
    /// A 1x1 plane (squeeze-excitation) stays on the GEMM path, whose single-column product
    /// streams the packed weights four row panels at a time: 3x fewer cycles than one-row tiles.
    static func usesChannelLanes(_ g: ConvolutionGeometry, threads: Int) -> Bool {
        channelLanesEnabled && threads == 1 && g.batch == 1 && g.groups == 1 && !g.isDepthwise
            && g.outputPlane > 1 && g.outputPlane <= channelLanesMaximumPlane
            && g.outputChannels >= 64 && g.reductionDepth >= 64
    }

    /// Runs the convolution with `weights` (`Wᵀ`, `K × Cout`) for a batch of one image.
    func channelLanes(weights: PackedWeights) {
        let g = geometry
        let plane = g.outputPlane, depth = g.reductionDepth, channels = g.outputChannels
        // Scratch: the unfolded input (K × plane; the input itself when pointwise and unscaled),
        // then Cᵀ (plane × Cout).
        let unfoldFloats = g.isPointwise && inputScale == nil ? 0 : depth * plane
        let scratch = context.scratch(byteCount: (unfoldFloats + plane * channels) * 4, slot: 0)
            .assumingMemoryBound(to: Float.self)
        let unfolded: UnsafePointer<Float>
        if g.isPointwise, let inputScale {
            let scale = inputScale.channels(image: 0, from: 0)
            for channel in 0..<depth {
                VectorKernels.scale(input + channel * plane, by: scale[channel], into: scratch + channel * plane, count: plane)
            }
            unfolded = UnsafePointer(scratch)
        } else if g.isPointwise {
            unfolded = input
        } else {
            Im2Col.unfold(input, geometry: g, columns: 0..<plane, into: scratch)
            unfolded = UnsafePointer(scratch)
        }
        let transposed = scratch + unfoldFloats
        let epilogue = GEMMEpilogue(bias: bias, activation: residual == nil ? activation : nil)
        weights.multiply(pool: context.threadPool, transposeA: true, m: plane, a: unfolded, lda: plane,
                         c: transposed, ldc: channels, epilogue: epilogue)
        // Back to NCHW: output[c][p] = transposed[p][c] (+ residual, then the activation).
        let output = self.output, residual = self.residual, activation = self.activation
        for channel in 0..<channels {
            let row = output + channel * plane
            for position in 0..<plane { row[position] = transposed[position * channels + channel] }
            if let residual {
                VectorKernels.add(residual + channel * plane, to: row, count: plane)
                if let activation { VectorKernels.activate(row, count: plane, activation) }
            }
        }
    }
}
