import CKernels
import Foundation
import Kernels

/// Convolutions that would unfold their input (3x3 at stride 2, or on 7x7 planes), computed
/// with output channels across the vector lanes and the patches read in place:
/// `outputᵀ (positions × Cout) = patches (positions × K) · Wᵀ (K × Cout)`, where the
/// micro-kernel broadcasts each patch value straight from a padded, stride-phase-split copy of
/// the input (``DirectConvolutionInput``: consecutive output positions read consecutive floats
/// under every tap) and multiplies it with a 32-wide vector of packed weights. No unfolded
/// matrix is written or packed, and a tile is as wide as the weights' panel however narrow the
/// output plane (the unfolding path's 32-position vectors fill 77% of two tiles at 7x7).
/// The result goes back to NCHW by 16x16 blocks, with the bias, skip connection and activation.
extension ConvolutionRun {
    /// `IMGVEC_GATHERED_LANES=0` turns the path off (for comparisons).
    static let gatheredLanesEnabled = ProcessInfo.processInfo.environment["IMGVEC_GATHERED_LANES"] != "0"

    /// Output positions per product: a block's taps of one k block stay in L2 while every
    /// panel of the weights meets them (one-conv models on one thread: 128->128 3x3 stride 2
    /// at 56x56 ran 5% slower with the whole 28x28 plane in one product).
    static let gatheredBlockPositions = 128

    /// Whether a convolution of this geometry takes the gathered-lane path: the kernel in use has
    /// the product (checked before any weights are packed for it), one group, a kernel
    /// larger than 1x1 (a strided 1x1 would copy every stride phase of its input to read one:
    /// resnet50's downsampling projections lost 0.4-0.7 ms each), undilated, at least 64 taps and
    /// 64 output channels (the 27-tap stems of MobileNetV3 and EfficientNet stay on the unfolding
    /// path), strides up to 2 (a ViT's 16x16 or CLIP's 32x32 patch embedding splits its input into
    /// 256 or 1024 stride phases of 14 or 7 columns: CLIP's, batch 1, one thread, 2.33-2.41 ms
    /// unfolded against 2.41-2.55 here), and not one the direct path takes (resnet50's 7x7 stem:
    /// 2.27 ms there, 2.68 here, batch 1, one thread).
    static func usesGatheredLanes(_ g: ConvolutionGeometry) -> Bool {
        gatheredLanesEnabled && GEMM.hasGatheredA && g.kernelHeight * g.kernelWidth > 1 && !g.isDepthwise
            && DirectConvolutionInput.supports(g)
            && g.strideHeight <= 2 && g.strideWidth <= 2
            && g.reductionDepth >= 64 && g.outputChannels >= 64
            && !(g.outputWidth >= directMinimumWidth && directDepths.contains(g.reductionDepth))
    }

    /// Runs the convolution with `weights` (`Wᵀ`, `K × Cout`, ``PackedWeights/multipliesGatheredA``).
    /// One image: its padded input is made once (input channels split over the pool), then each
    /// thread multiplies all positions by its share of output channels, streaming only its part
    /// of the weights. Several images: work items are (image, band of output rows), each thread
    /// padding its own band and multiplying it by all the weights.
    func gatheredLanes(weights: PackedWeights) {
        let g = geometry, pool = context.threadPool, threads = pool.threadCount
        let channels = g.outputChannels, plane = g.outputPlane
        let alignment = max(1, GEMM.Kernel.automatic.columnTile)
        let panels = (channels + alignment - 1) / alignment
        let splitsChannels = g.batch == 1 && threads > 1 && panels >= threads
        let bandsPerImage = !splitsChannels && threads > g.batch ? (threads + g.batch - 1) / g.batch : 1
        let layout = splitsChannels
            ? DirectConvolutionInput(g, maximumBandRows: g.outputHeight, budget: .max)
            : DirectConvolutionInput(g, maximumBandRows: (g.outputHeight + bandsPerImage - 1) / bandsPerImage)
        let tiles = GatheredTiles(lines: layout.bandRows, width: g.outputWidth, lineStride: layout.lineStride)
        let linesPerBlock = max(1, Self.gatheredBlockPositions / g.outputWidth)
        let offsets = layout.offsets()
        let input = self.input

        /// Positions of band `band` (output lines `lines`, whose padded input is `a`) by output
        /// channels `columns`, into C (band positions × Cout, row 0 at `c`), block by block,
        /// each block written to `image`'s output as soon as it is done.
        func multiply(band: Int, image: Int, a: UnsafePointer<Float>, columns: Range<Int>, c: UnsafeMutablePointer<Float>) {
            let lines = layout.rows(ofBand: band)
            // Near-equal blocks (9 lines in blocks of at most 4: 3 + 3 + 3, not 4 + 4 + 1).
            let blocks = (lines.count + linesPerBlock - 1) / linesPerBlock
            offsets.withUnsafeBufferPointer { table in
                for index in 0..<blocks {
                    let block = (lines.count * index / blocks)..<(lines.count * (index + 1) / blocks)
                    let blockC = c + block.lowerBound * g.outputWidth * channels
                    let done = tiles.withSlice(lines: block) { slice in
                        weights.multiplyGathered(a: a, offsets: table.baseAddress!, tiles: slice, columns: columns,
                                                 c: blockC, ldc: channels)
                    }
                    precondition(done, "gathered-lane convolution without a gathered-A kernel")
                    let first = (lines.lowerBound + block.lowerBound) * g.outputWidth
                    writeLanes(blockC, ldc: channels, image: image, positions: first..<(first + block.count * g.outputWidth),
                               channels: columns)
                }
            }
        }

        if splitsChannels {
            let buffer = context.scratch(byteCount: (layout.count + plane * channels) * 4, slot: 0)
                .assumingMemoryBound(to: Float.self)
            let transposed = buffer + layout.count
            let parts = min(threads, g.inputChannels)
            pool.parallelFor(parts) { part in
                layout.fill(band: 0, image: input, into: buffer,
                            channels: (g.inputChannels * part / parts)..<(g.inputChannels * (part + 1) / parts))
            }
            pool.parallelFor(threads) { part in
                let columns = AlignedSplit.part(part, of: threads, extent: channels, alignment: alignment)
                guard !columns.isEmpty else { return }
                multiply(band: 0, image: 0, a: UnsafePointer(buffer), columns: columns, c: transposed)
            }
            return
        }
        let bands = layout.bands
        let scratchFloats = layout.count + layout.bandRows * g.outputWidth * channels
        context.reserveScratch(byteCount: scratchFloats * 4)
        let context = self.context
        Self.forEachItem(g.batch * bands, pool: pool) { item, worker in
            let image = item / bands, band = item % bands
            let buffer = context.scratch(byteCount: scratchFloats * 4, slot: worker).assumingMemoryBound(to: Float.self)
            layout.fill(band: band, image: input + image * g.inputChannels * g.inputPlane, into: buffer)
            multiply(band: band, image: image, a: UnsafePointer(buffer), columns: 0..<channels, c: buffer + layout.count)
        }
    }

    /// Writes a block of a channel-lane result back to NCHW: `transposed` holds output positions
    /// `positions` of `image` as rows (row stride `ldc`, column = output channel), of which the
    /// columns `channels` are written: the bias added, then the activation, or the skip
    /// connection then the activation. By 16x16 blocks: a channel-by-channel copy reads with a
    /// stride of Cout floats (8 KB at 2048 channels), missing L1 and the TLB on every value (21% of
    /// a 512->2048 1x1 conv at 7x7).
    func writeLanes(_ transposed: UnsafeMutablePointer<Float>, ldc: Int, image: Int, positions: Range<Int>,
                    channels: Range<Int>) {
        let plane = geometry.outputPlane
        let imageOutput = output + image * geometry.outputChannels * plane
        GEMMEpilogue(bias: bias, activation: residual == nil ? activation : nil)
            .apply(transposed, ldc: ldc, rows: 0..<positions.count, columns: channels)
        imgvec_transpose(transposed + channels.lowerBound, ldc, positions.count, channels.count,
                         imageOutput + channels.lowerBound * plane + positions.lowerBound, plane)
        guard let residual else { return }
        let imageResidual = residual + image * geometry.outputChannels * plane
        for channel in channels {
            let row = imageOutput + channel * plane + positions.lowerBound
            VectorKernels.add(imageResidual + channel * plane + positions.lowerBound, to: row, count: positions.count)
            if let activation { VectorKernels.activate(row, count: positions.count, activation) }
        }
    }
}
