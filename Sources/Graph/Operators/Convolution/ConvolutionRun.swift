import Kernels

/// One execution of a convolution: splits the work over the thread pool.
struct ConvolutionRun {
    let geometry: ConvolutionGeometry
    let input: UnsafePointer<Float>
    /// The weights as stored (read in place by the depthwise path only; the others use
    /// packed copies, so their original weights are never touched by a run).
    let weights: UnsafePointer<Float>?
    let bias: UnsafePointer<Float>?
    let activation: Activation?
    let output: UnsafeMutablePointer<Float>
    /// A skip connection added before the activation (same shape as `output`); only the
    /// per-image GEMM path takes it here, the others get it from ``ConvOperator``'s post-pass.
    let residual: UnsafePointer<Float>?
    /// A scale per input channel (squeeze-excitation's), `inputChannels` floats per image, that
    /// multiplies the input as the GEMM reads it; pointwise convolutions only (see ``InputScale``).
    let inputScale: InputScale?
    let context: ExecutionContext

    /// Per-image, per-channel factors for the input: image `i`'s at `values + i * imageStride`
    /// (`imageStride` 0: one set for every image).
    struct InputScale {
        let values: UnsafePointer<Float>
        let imageStride: Int

        func channels(image: Int, from channel: Int) -> UnsafePointer<Float> { values + image * imageStride + channel }
    }

    init(geometry: ConvolutionGeometry, input: UnsafePointer<Float>, weights: UnsafePointer<Float>?,
         bias: UnsafePointer<Float>?, activation: Activation?, output: UnsafeMutablePointer<Float>,
         residual: UnsafePointer<Float>? = nil, inputScale: InputScale? = nil, context: ExecutionContext) {
        precondition(inputScale == nil || geometry.isPointwise, "an input scale needs a pointwise convolution")
        self.geometry = geometry; self.input = UnsafePointer(input); self.weights = weights
        self.bias = bias; self.activation = activation; self.output = output; self.residual = residual
        self.inputScale = inputScale
        self.context = context
    }

    /// Runs `items` work items in contiguous chunks, one chunk per worker; `body(item, worker)`.
    static func forEachItem(_ items: Int, pool: ThreadPool, body: (Int, Int) -> Void) {
        let workers = min(pool.threadCount, items)
        if workers <= 1 {
            for item in 0..<items { body(item, 0) }
            return
        }
        pool.parallelFor(workers) { worker in
            for item in (items * worker / workers)..<(items * (worker + 1) / workers) { body(item, worker) }
        }
    }

    /// Depthwise (activation fused in the kernel). The channel-blocked path splits its blocks
    /// (``DepthwiseConvolution/blockChannels(_:)`` consecutive planes) over the pool, and
    /// also the output rows when there are too few blocks to share evenly; the per-plane path
    /// splits planes.
    func depthwise() {
        let g = geometry
        let scratchFloats = DepthwiseConvolution.scratchCount(g)
        context.reserveScratch(byteCount: scratchFloats * 4)
        let threads = context.threadPool.threadCount
        let context = self.context, input = self.input, weights = self.weights!, bias = self.bias
        let output = self.output, activation = self.activation
        let work = DepthwiseWork(geometry: g, threads: threads)
        let run = { (item: Int, worker: Int) in
            let scratch = context.scratch(byteCount: scratchFloats * 4, slot: worker).assumingMemoryBound(to: Float.self)
            let (planes, rows) = work.item(item)
            DepthwiseConvolution.convolve(input, weights: weights, bias: bias, activation: activation, output: output,
                                          geometry: g, planes: planes, rows: rows, scratch: scratch)
        }
        let workers = min(threads, work.count)
        if workers <= 1 { run(0, 0); return }
        context.threadPool.parallelFor(workers) { worker in
            for item in (work.count * worker / workers)..<(work.count * (worker + 1) / workers) { run(item, worker) }
        }
    }

    /// GEMM per (group, column tile) with the pre-packed weights; see ``ConvolutionTiling``.
    func gemm(weights packed: ConvolutionWeights) {
        let g = geometry
        let plane = g.outputPlane, depth = g.reductionDepth, rows = g.outputChannelsPerGroup
        let pointwise = g.isPointwise
        let threads = context.threadPool.threadCount
        let alignment = packed.groups[0].rowAlignment
        let rowBlocks = Self.rowBlockCount(geometry: g, threads: threads, alignment: alignment)
        let tiling = ConvolutionTiling(plane: plane, batch: g.batch, groups: g.groups, depth: depth,
                                       unfolds: !pointwise, threads: rowBlocks > 1 ? 1 : threads)
        // Per worker: the unfolded / gathered tile (depth x width), then a C tile (rows x width).
        let scratchFloats = (depth + rows) * tiling.width
        context.reserveScratch(byteCount: scratchFloats * 4)
        let context = self.context, input = self.input, bias = self.bias
        let output = self.output, activation = self.activation, residual = self.residual, inputScale = self.inputScale

        Self.forEachItem(g.groups * tiling.count * rowBlocks, pool: context.threadPool) { item, worker in
            let tileItem = item / rowBlocks
            let block = Self.rowBlock(item % rowBlocks, of: rowBlocks, rows: rows, alignment: alignment)
            let group = tileItem / tiling.count, columns = tiling.columns(tileItem % tiling.count)
            let width = columns.count
            let scratch = context.scratch(byteCount: scratchFloats * 4, slot: worker).assumingMemoryBound(to: Float.self)
            let groupBias = bias.map { $0 + group * rows }
            let firstImage = columns.lowerBound / plane, lastImage = (columns.upperBound - 1) / plane
            func source(_ image: Int) -> UnsafePointer<Float> {
                input + (image * g.inputChannels + group * g.inputChannelsPerGroup) * g.inputPlane
            }
            if firstImage == lastImage {
                // Within one image: B is the input itself (pointwise) or its unfolded tile; C is the output.
                let position = columns.lowerBound - firstImage * plane
                let b: UnsafePointer<Float>, ldb: Int
                if pointwise {
                    (b, ldb) = (source(firstImage) + position, g.inputPlane)
                } else {
                    Im2Col.unfold(source(firstImage), geometry: g, columns: position..<(position + width), into: scratch)
                    (b, ldb) = (UnsafePointer(scratch), width)
                }
                let c = output + (firstImage * g.outputChannels + group * rows) * plane + position
                let blockC = c + block.lowerBound * plane
                let epilogue = GEMMEpilogue(activation: activation, residual: residual.map { $0 + (blockC - output) },
                                            residualStride: plane, rowBias: groupBias, residualBeforeActivation: true)
                let scale = inputScale?.channels(image: firstImage, from: group * g.inputChannelsPerGroup)
                GEMM.multiply(packedA: packed.groups[group], rows: block, n: width, b: b, ldb: ldb, bRowScale: scale,
                              c: blockC, ldc: plane, epilogue: epilogue)
                return
            }
            // Across images: gather every image's part of the tile, multiply once, scatter.
            let c = scratch + depth * width
            for image in firstImage...lastImage {
                let lower = max(columns.lowerBound, image * plane), upper = min(columns.upperBound, image * plane + plane)
                let offset = lower - columns.lowerBound, local = (lower - image * plane)..<(upper - image * plane)
                if pointwise {
                    let scale = inputScale?.channels(image: image, from: group * g.inputChannelsPerGroup)
                    for channel in 0..<g.inputChannelsPerGroup {
                        let target = scratch + channel * width + offset
                        let from = source(image) + channel * g.inputPlane + local.lowerBound
                        if let scale {
                            VectorKernels.scale(from, by: scale[channel], into: target, count: local.count)
                        } else {
                            target.update(from: from, count: local.count)
                        }
                    }
                } else {
                    Im2Col.unfold(source(image), geometry: g, columns: local, into: scratch + offset, rowStride: width)
                }
            }
            // A residual must come before the activation: each image's part of the product gets
            // it in scratch, then is copied out (the residual is read before its place in the
            // output is written: the output may be the residual's buffer).
            GEMM.multiply(packedA: packed.groups[group], rows: block, n: width, b: scratch, ldb: width,
                          c: c + block.lowerBound * width, ldc: width,
                          epilogue: GEMMEpilogue(activation: residual == nil ? activation : nil, rowBias: groupBias))
            for image in firstImage...lastImage {
                let lower = max(columns.lowerBound, image * plane), upper = min(columns.upperBound, image * plane + plane)
                let target = output + (image * g.outputChannels + group * rows) * plane + (lower - image * plane)
                let from = c + (lower - columns.lowerBound)
                if let residual {
                    GEMMEpilogue(activation: activation, residual: residual + (target - output), residualStride: plane,
                                 residualBeforeActivation: true)
                        .apply(from, ldc: width, rows: block, columns: 0..<(upper - lower))
                }
                for row in block { (target + row * plane).update(from: from + row * width, count: upper - lower) }
            }
        }
    }

    /// Few output columns (batch 1, 7x7 and 14x14 planes): split each GEMM by output channels
    /// (rows of the packed weights) instead, so every thread streams only its share of the
    /// weights and keeps full-width micro-kernel tiles. Each thread then unfolds the same
    /// (small) input tile.
    static func rowBlockCount(geometry g: ConvolutionGeometry, threads: Int, alignment: Int) -> Int {
        guard threads > 1, g.groups == 1, g.batch * g.outputPlane < 192 * threads,
              g.outputChannelsPerGroup >= 4 * alignment * threads else { return 1 }
        return threads
    }

    /// Rows of block `index` of `count`: near-equal shares starting at multiples of `alignment`.
    static func rowBlock(_ index: Int, of count: Int, rows: Int, alignment: Int) -> Range<Int> {
        AlignedSplit.part(index, of: count, extent: rows, alignment: alignment)
    }
}

/// How a depthwise convolution's work is cut: near-equal ranges of whole blocks of planes
/// (or planes on the row and per-plane paths) per worker, times row parts when the units are
/// too few to share evenly (batch 1, few channels, or a single block per thread) and the path
/// takes row ranges.
struct DepthwiseWork {
    let count: Int
    private let units: Int, unitPlanes: Int, planes: Int, rowParts: Int, height: Int, parts: Int

    init(geometry g: ConvolutionGeometry, threads: Int) {
        planes = g.batch * g.outputChannels
        height = g.outputHeight
        // Blocks of consecutive planes, across images (see imgvec_depthwise_run).
        unitPlanes = DepthwiseConvolution.usesChannelBlocks(g) ? DepthwiseConvolution.blockChannels() : 1
        units = (planes + unitPlanes - 1) / unitPlanes
        let uneven = threads > 1 && units % threads != 0 && units < 4 * threads
        rowParts = DepthwiseConvolution.splitsRows(g) && uneven && height >= 2 * threads ? threads : 1
        // Row parts: every unit is cut into `threads` row ranges, the items dealt out in order.
        // Else whole units: one near-equal range per thread.
        parts = rowParts > 1 ? units : min(units, max(1, threads))
        count = parts * rowParts
    }

    /// Planes and output rows of item `index` (nil rows: all).
    func item(_ index: Int) -> (Range<Int>, Range<Int>?) {
        let part = index / rowParts, rowPart = index % rowParts
        let unitRange = (units * part / parts)..<(units * (part + 1) / parts)
        let rows: Range<Int>? = rowParts == 1 ? nil : (height * rowPart / rowParts)..<(height * (rowPart + 1) / rowParts)
        return (min(planes, unitRange.lowerBound * unitPlanes)..<min(planes, unitRange.upperBound * unitPlanes), rows)
    }
}
