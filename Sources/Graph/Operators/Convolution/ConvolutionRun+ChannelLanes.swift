import CKernels
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
    /// path. One thread: measured at batch 1 (alternating runs, medians of 3), it takes resnet50
    /// from 71.0 to 66.9 ms and MobileNetV3 from 7.0 to 6.1 ms. On more threads, convolutions
    /// that unfold their input (the 3x3 ones at 7x7), with the unfold shared: each thread
    /// unfolds a slice of the input channels, then multiplies its share of output channels.
    /// Pointwise ones too when their output channels split evenly over the threads
    /// (``splitsEvenly(channels:threads:)``). On 2 threads (medians of 3 alternating runs, one-conv
    /// models): 512->2048 0.65 -> 0.53 ms, 2048->512 0.67 -> 0.57, 320->1280 0.27 -> 0.23,
    /// 192->1152 with SiLU 0.18 -> 0.155; but 960->160 (five 32-wide tiles for two threads)
    /// 0.141 -> 0.148 against the row-block path. Whole models, fastest / median of 10
    /// alternating rounds: EfficientNet-B0 -4.4% / -5.6%, resnet50 -1.0% / -1.8%.
    ///
    /// A 1x1 plane (squeeze-excitation) stays on the GEMM path, whose single-column product
    /// streams the packed weights eight row panels at a time: 3x fewer cycles than one-row tiles.
    static func usesChannelLanes(_ g: ConvolutionGeometry, threads: Int) -> Bool {
        channelLanesEnabled && g.batch == 1 && g.groups == 1 && !g.isDepthwise
            && (threads == 1 || !g.isPointwise || splitsEvenly(channels: g.outputChannels, threads: threads))
            && g.outputPlane > 1 && g.outputPlane <= channelLanesMaximumPlane
            && g.outputChannels >= 64 && g.reductionDepth >= 64
    }

    /// Whether `channels` columns of C, cut at multiples of the GEMM kernel's column tile (as
    /// ``PackedWeights`` splits them), give every one of `threads` threads the same number of
    /// tiles, or so many that one more costs at most an eighth.
    static func splitsEvenly(channels: Int, threads: Int) -> Bool {
        let tile = max(1, GEMM.Kernel.automatic.columnTile)
        let tiles = (channels + tile - 1) / tile
        return tiles % threads == 0 || tiles >= 8 * threads
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
            // Squeeze-excitation's scale, a share of the channels per thread. Done serially, it was
            // the largest part of a 7x7 projection's loss on two threads (EfficientNet-B0's
            // 1152 -> 192 at batch 1: 0.155 -> 0.144 ms).
            let scale = inputScale.channels(image: 0, from: 0), input = self.input
            context.threadPool.parallelChunks(depth) { channels in
                for channel in channels {
                    VectorKernels.scale(input + channel * plane, by: scale[channel], into: scratch + channel * plane, count: plane)
                }
            }
            unfolded = UnsafePointer(scratch)
        } else if g.isPointwise {
            unfolded = input
        } else {
            Self.unfoldShared(input, geometry: g, into: scratch, pool: context.threadPool)
            unfolded = UnsafePointer(scratch)
        }
        let transposed = scratch + unfoldFloats
        // Each block goes back to NCHW on the thread that computed it, while it is in cache.
        weights.multiply(pool: context.threadPool, transposeA: true, m: plane, a: unfolded, lda: plane,
                         c: transposed, ldc: channels) { positions, channelRange in
            writeLanes(transposed + positions.lowerBound * channels, ldc: channels, image: 0, positions: positions,
                       channels: channelRange)
        }
    }

    /// The whole unfolded input (K × plane), each thread unfolding a slice of the input channels
    /// (its rows of the unfolded matrix) into the one shared buffer.
    static func unfoldShared(_ input: UnsafePointer<Float>, geometry g: ConvolutionGeometry,
                             into output: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        let parts = min(pool.threadCount, g.inputChannels)
        guard parts > 1 else {
            Im2Col.unfold(input, geometry: g, columns: 0..<g.outputPlane, into: output)
            return
        }
        let rowsPerChannel = g.kernelHeight * g.kernelWidth * g.outputPlane
        pool.parallelFor(parts) { part in
            let channels = (g.inputChannels * part / parts)..<(g.inputChannels * (part + 1) / parts)
            var slice = g
            slice.inputChannels = channels.count
            slice.outputChannels = channels.count   // unused by the unfold; keeps the geometry consistent
            Im2Col.unfold(input + channels.lowerBound * g.inputPlane, geometry: slice, columns: 0..<g.outputPlane,
                          into: output + channels.lowerBound * rowsPerChannel)
        }
    }
}
