import CKernels
import Foundation
import Kernels

/// How a Winograd convolution cuts its work: tile rows (4 output rows each, numbered across
/// the batch) are grouped into blocks, one work item each. A block's transformed input
/// (`36 × Cin × T` floats for its `T` tiles) and products (`36 × Cout × T`) stay near the
/// L2-sized ``budget``, but never below ``minimumTiles`` tiles (the 36 GEMMs' `N`).
struct WinogradTiling: Equatable {
    let tilesY: Int, tilesX: Int
    /// Tile rows of the whole batch.
    let rows: Int
    let rowsPerBlock: Int
    let count: Int

    /// Floats of transformed input and products a block aims at.
    static let budget = 384 * 1024
    static let minimumTiles = 48
    static let maximumTiles = 256

    init(_ g: ConvolutionGeometry, threads: Int) {
        tilesY = (g.outputHeight + 3) / 4
        tilesX = (g.outputWidth + 3) / 4
        rows = g.batch * tilesY
        let wanted = min(Self.maximumTiles, max(Self.minimumTiles, Self.budget / (36 * (g.inputChannels + g.outputChannels))))
        var perBlock = max(1, min(rows, (wanted + tilesX / 2) / tilesX))
        var blocks = (rows + perBlock - 1) / perBlock
        if blocks % threads != 0 && blocks < 4 * threads {
            blocks = min(rows, (blocks + threads - 1) / threads * threads)
            perBlock = (rows + blocks - 1) / blocks
        }
        rowsPerBlock = perBlock
        count = (rows + perBlock - 1) / perBlock
    }

    /// Tiles of the largest block.
    var tilesPerBlock: Int { rowsPerBlock * tilesX }

    /// The tile rows of block `block`: near-equal shares (14 rows in 4 blocks: 3, 4, 3, 4, so
    /// that two threads get 7 each, not 8 and 6).
    func rows(ofBlock block: Int) -> Range<Int> {
        (rows * block / count)..<(rows * (block + 1) / count)
    }

    /// Row stride of the transformed input and products, with room for the transforms' overrun
    /// past the last tile row (its vectors of up to 16 tiles).
    var leadingDimension: Int { (tilesPerBlock - tilesX + (tilesX + 15) / 16 * 16 + 15) / 16 * 16 }
}

extension ConvolutionRun {
    /// Whether `g` is a convolution Winograd F(4x4, 3x3) computes, with enough tiles per image
    /// for the GEMMs to stay efficient. The choice never depends on the batch size, so an image
    /// gives the same result alone or in a batch. `IMGVEC_WINOGRAD=0` turns the path off.
    static func usesWinograd(_ g: ConvolutionGeometry) -> Bool {
        winogradEnabled && g.kernelHeight == 3 && g.kernelWidth == 3 && g.strideHeight == 1 && g.strideWidth == 1
            && g.dilationHeight == 1 && g.dilationWidth == 1 && g.groups == 1
            && ((g.outputHeight + 3) / 4) * ((g.outputWidth + 3) / 4) >= minimumWinogradTiles
    }

    static let winogradEnabled = ProcessInfo.processInfo.environment["IMGVEC_WINOGRAD"] != "0"
    /// Tiles per image below which (7x7 planes: 4) the 36 narrow GEMMs stream 4x the weights
    /// of im2col for little work at batch 1: im2col wins there.
    /// `IMGVEC_WINOGRAD_MIN_TILES` overrides it (for tuning).
    static let minimumWinogradTiles = ProcessInfo.processInfo.environment["IMGVEC_WINOGRAD_MIN_TILES"].flatMap { Int($0) } ?? 9

    /// Winograd F(4x4, 3x3): per block of tile rows, the input transform (C), 36 GEMMs
    /// `Cout × Cin` by `Cin × T` with the pre-transformed weights, then the output transform
    /// with bias and clamp fused (other activations run on the block's output rows after).
    /// With `maxPool`, `output` receives the 2x2 stride-2 max pool of the result instead
    /// (planes `outputHeight / 2 × outputWidth / 2`; the activation must be a clamp or none).
    func winograd(weights: WinogradWeights, maxPool: Bool = false) {
        let g = geometry
        let threads = context.threadPool.threadCount
        let alignment = weights.positions[0].rowAlignment
        // One image with few tiles (14x14 planes: 16): splitting the tiles would leave each
        // thread streaming all 36 weight matrices for a handful of columns. Split the output
        // channels instead (rows of the 36 GEMMs). The threads first transform the input
        // together (a share of its channels each), then multiply their channels from it.
        let splitsChannels = g.batch == 1 && threads > 1 && g.outputChannels >= 4 * alignment * threads
            && WinogradTiling(g, threads: 1).tilesPerBlock * threads <= 2 * WinogradTiling.minimumTiles
        let channelBlocks = splitsChannels ? threads : 1
        let tiling = WinogradTiling(g, threads: splitsChannels ? 1 : threads)
        var shape = imgvec_winograd_shape(channels: g.inputChannels, input_height: g.inputHeight, input_width: g.inputWidth,
                                          pad_top: g.padTop, pad_left: g.padLeft, output_height: g.outputHeight,
                                          output_width: g.outputWidth, tiles_y: tiling.tilesY, tiles_x: tiling.tilesX)
        let ld = tiling.leadingDimension, cin = g.inputChannels, cout = g.outputChannels
        let transformFloats = (imgvec_winograd_input_scratch_floats(&shape) + 15) / 16 * 16
        let vFloats = 36 * cin * ld, mFloats = 36 * cout * ld
        let scratchBytes = (vFloats + mFloats + transformFloats) * 4
        context.reserveScratch(byteCount: scratchBytes)
        let context = self.context, input = self.input, bias = self.bias, output = self.output
        let activation = self.activation
        let bounds = activation.flatMap { VectorKernels.clampBounds($0) }
        let clamp: Int32 = bounds == nil ? 0 : 1
        let (lo, hi) = bounds ?? (0, 0)
        precondition(!maxPool || activation == nil || bounds != nil, "a pooled Winograd output takes a clamp only")
        let pool: Int32 = maxPool ? 1 : 0
        let plane = maxPool ? (g.outputHeight / 2) * (g.outputWidth / 2) : g.outputPlane

        let inputPlane = g.inputPlane
        /// Input transform of block `block`'s tiles for input channels `channels` into `v`
        /// (a channel sub-range only at batch 1, where channels are consecutive planes).
        let transformInput = { (block: Int, channels: Range<Int>, v: UnsafeMutablePointer<Float>,
                                transform: UnsafeMutablePointer<Float>) in
            let blockRows = tiling.rows(ofBlock: block), first = blockRows.lowerBound, rowCount = blockRows.count
            var part = shape
            part.channels = channels.count
            imgvec_winograd_input(IMGVEC_SGEMM_KERNEL_AUTO, &part, input + channels.lowerBound * inputPlane, first, rowCount,
                                  v + channels.lowerBound * ld, ld, cin * ld, transform)
        }
        /// The 36 GEMMs of block `block` for output channels `channels`, then the output
        /// transform (bias and clamp fused) and any other activation.
        let multiply = { (block: Int, channels: Range<Int>, v: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>) in
            let blockRows = tiling.rows(ofBlock: block), first = blockRows.lowerBound, rowCount = blockRows.count
            var shape = shape
            let n = rowCount * tiling.tilesX
            for position in 0..<36 {
                GEMM.multiply(packedA: weights.positions[position], rows: channels, n: n, b: v + position * cin * ld,
                              ldb: ld, c: m + (position * cout + channels.lowerBound) * ld, ldc: ld)
            }
            if channels.count == cout {
                imgvec_winograd_output(IMGVEC_SGEMM_KERNEL_AUTO, &shape, cout, m, ld, cout * ld, first, rowCount,
                                       bias, clamp, lo, hi, pool, output)
            } else {
                // Batch 1: the channel range is a contiguous slab of the output.
                imgvec_winograd_output(IMGVEC_SGEMM_KERNEL_AUTO, &shape, channels.count, m + channels.lowerBound * ld, ld,
                                       cout * ld, first, rowCount, bias.map { $0 + channels.lowerBound }, clamp, lo, hi,
                                       pool, output + channels.lowerBound * plane)
            }
            guard let activation, bounds == nil else { return }
            // Other activations: the block's output rows, per image and channel.
            var row = first
            while row < first + rowCount {
                let image = row / tiling.tilesY, ty = row % tiling.tilesY
                let lastTy = min(tiling.tilesY, ty + first + rowCount - row)
                let top = 4 * ty, bottom = min(g.outputHeight, 4 * lastTy)
                for channel in channels {
                    activation.apply(output + (image * cout + channel) * plane + top * g.outputWidth,
                                     count: (bottom - top) * g.outputWidth)
                }
                row += lastTy - ty
            }
        }

        if splitsChannels {
            // The threads share one transformed input: each transforms a share of the input
            // channels into slot 0's V, then multiplies its output channels (M in its own slot).
            let shared = context.scratch(byteCount: scratchBytes, slot: 0).assumingMemoryBound(to: Float.self)
            let pool = context.threadPool
            for block in 0..<tiling.count {
                pool.parallelFor(threads) { part in
                    let scratch = context.scratch(byteCount: scratchBytes, slot: part).assumingMemoryBound(to: Float.self)
                    transformInput(block, (cin * part / threads)..<(cin * (part + 1) / threads), shared, scratch + vFloats + mFloats)
                }
                pool.parallelFor(channelBlocks) { part in
                    let scratch = context.scratch(byteCount: scratchBytes, slot: part).assumingMemoryBound(to: Float.self)
                    multiply(block, Self.rowBlock(part, of: channelBlocks, rows: cout, alignment: alignment), shared, scratch + vFloats)
                }
            }
            return
        }
        Self.forEachItem(tiling.count, pool: context.threadPool) { block, worker in
            let scratch = context.scratch(byteCount: scratchBytes, slot: worker).assumingMemoryBound(to: Float.self)
            transformInput(block, 0..<cin, scratch, scratch + vFloats + mFloats)
            multiply(block, 0..<cout, scratch, scratch + vFloats)
        }
    }
}
