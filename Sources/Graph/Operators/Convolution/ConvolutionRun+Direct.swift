import Foundation
import Kernels

/// Convolutions that would unfold their input (kernels larger than 1x1, or strided), computed
/// directly: each band of output rows gets a padded, stride-phase-split copy of its input rows
/// (``DirectConvolutionInput``), and the micro-kernel reads every tap's row of B from it in
/// place through a table of offsets, storing NCHW output rows with the bias, skip connection and
/// activation fused. No unfolded matrix is written and none is packed: for resnet50's 7x7
/// stride-2 stem (147 taps from 3 channels) those two copies cost a third of the layer.
extension ConvolutionRun {
    /// `IMGVEC_DIRECT=0` turns the path off (for comparisons).
    static let directEnabled = ProcessInfo.processInfo.environment["IMGVEC_DIRECT"] != "0"

    /// Narrowest output row taken. A row is cut into tiles of the kernel's width (32), the last
    /// one partial, while the unfolding path tiles the flattened plane: measured in resnet50 at
    /// batch 1 on one thread, its stride-2 3x3 convolutions lost 5% at 28 columns (1.95 ->
    /// 2.04 ms) and 12% at 14 (2.11 -> 2.36 ms), while the 7x7 stem at 112 gained 22%
    /// (2.09 -> 1.64 ms).
    static let directMinimumWidth = 56

    /// Reductions taken: at least 64 taps (MobileNetV3's and EfficientNet-B0's 27-tap stems
    /// measured even or 2% slower than the row sweep over their unfolded tiles), and at most one
    /// k block of the kernel (384), so that a line's taps stay in L1 while every row panel of
    /// the weights reads them: with 1152 (128 channels, 3x3) they are read from L2 at scattered
    /// offsets, and the packed panels of the unfolding path stream better.
    static let directDepths = 64...384

    /// Whether a convolution of this geometry with these packed weights runs directly.
    static func usesDirect(_ g: ConvolutionGeometry, weights: ConvolutionWeights) -> Bool {
        directEnabled && !g.isPointwise && !g.isDepthwise && DirectConvolutionInput.supports(g)
            && g.outputWidth >= directMinimumWidth && directDepths.contains(g.reductionDepth)
            && weights.groups.count == 1 && GEMM.hasDirect(weights.groups[0])
    }

    /// Runs the convolution directly: work items are (image, band of output rows), at least one
    /// per thread (a batch smaller than the pool cuts each image into that many bands).
    func direct(weights packed: ConvolutionWeights) {
        let g = geometry, pool = context.threadPool
        let bandsPerImage = pool.threadCount > g.batch ? (pool.threadCount + g.batch - 1) / g.batch : 1
        let layout = DirectConvolutionInput(g, maximumBandRows: (g.outputHeight + bandsPerImage - 1) / bandsPerImage)
        let offsets = layout.offsets()
        context.reserveScratch(byteCount: layout.count * 4)
        let context = self.context, input = self.input, output = self.output, residual = self.residual
        let bias = self.bias, activation = self.activation, weights = packed.groups[0]
        let bands = layout.bands
        offsets.withUnsafeBufferPointer { table in
            Self.forEachItem(g.batch * bands, pool: pool) { item, worker in
                let image = item / bands, band = item % bands
                let buffer = context.scratch(byteCount: layout.count * 4, slot: worker).assumingMemoryBound(to: Float.self)
                layout.fill(band: band, image: input + image * g.inputChannels * g.inputPlane, into: buffer)
                let rows = layout.rows(ofBand: band)
                let offset = image * g.outputChannels * g.outputPlane + rows.lowerBound * g.outputWidth
                let epilogue = GEMMEpilogue(activation: activation, residual: residual.map { $0 + offset },
                                            residualStride: g.outputPlane, rowBias: bias, residualBeforeActivation: true)
                GEMM.multiplyDirect(packedA: weights, rows: 0..<g.outputChannels, offsets: table.baseAddress!, b: buffer,
                                    lines: rows.count, lineColumns: g.outputWidth, lineStride: layout.lineStride,
                                    c: output + offset, ldc: g.outputPlane, epilogue: epilogue)
            }
        }
    }
}
