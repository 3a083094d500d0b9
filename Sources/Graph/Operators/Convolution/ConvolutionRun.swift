import Kernels

/// One execution of a convolution: splits the work over the thread pool.
struct ConvolutionRun {
    let geometry: ConvolutionGeometry
    let input: UnsafePointer<Float>
    let weights: UnsafePointer<Float>
    let bias: UnsafePointer<Float>?
    let activation: Activation?
    let output: UnsafeMutablePointer<Float>
    let context: ExecutionContext

    init(geometry: ConvolutionGeometry, input: UnsafePointer<Float>, weights: UnsafePointer<Float>,
         bias: UnsafePointer<Float>?, activation: Activation?, output: UnsafeMutablePointer<Float>,
         context: ExecutionContext) {
        self.geometry = geometry; self.input = UnsafePointer(input); self.weights = weights
        self.bias = bias; self.activation = activation; self.output = output; self.context = context
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

    /// One plane per work item with the SIMD depthwise kernel.
    func depthwise() {
        let g = geometry
        let scratchFloats = DepthwiseConvolution.scratchCount(g)
        context.reserveScratch(byteCount: scratchFloats * 4)
        let taps = g.kernelHeight * g.kernelWidth
        let channels = g.outputChannels
        let context = self.context, input = self.input, weights = self.weights, bias = self.bias
        let output = self.output, activation = self.activation
        Self.forEachItem(g.batch * channels, pool: context.threadPool) { item, worker in
            let channel = item % channels
            let scratch = context.scratch(byteCount: scratchFloats * 4, slot: worker).assumingMemoryBound(to: Float.self)
            DepthwiseConvolution.convolvePlane(input + item * g.inputPlane, weights: weights + channel * taps,
                                               bias: bias?[channel] ?? 0, activation: activation,
                                               output: output + item * g.outputPlane, geometry: g, scratch: scratch)
        }
    }

    /// A 1x1 convolution on 1x1 planes: one GEMM `[N, Cin] x W^T` for the whole batch.
    func fullyConnected() {
        let g = geometry
        let bias = self.bias, activation = self.activation, output = self.output
        ParallelGEMM.multiply(pool: context.threadPool, split: .columns, transposeB: true,
                              m: g.batch, n: g.outputChannels, k: g.inputChannels,
                              a: input, lda: g.inputChannels, b: weights, ldb: g.inputChannels,
                              c: output, ldc: g.outputChannels) { rows, columns in
            ConvolutionEpilogue.applyColumnBias(output, ldc: g.outputChannels, rows: rows, columns: columns,
                                                bias: bias, activation: activation)
        }
    }

    /// GEMM per (image, group, tile of output positions), unfolding with im2col unless pointwise.
    func gemm(tileBudget: Int) {
        let g = geometry
        let plane = g.outputPlane, depth = g.reductionDepth, rowsPerGroup = g.outputChannelsPerGroup
        let threads = context.threadPool.threadCount
        let images = g.batch * g.groups
        // Tiles of at least 256 columns (narrower GEMMs lose efficiency), else within the scratch budget.
        let widest = max(min(plane, 256), tileBudget / max(1, depth))
        var tiles = (plane + widest - 1) / widest
        // Enough items for every thread, in a multiple of the thread count when cheap.
        if images * tiles < threads { tiles = max(tiles, min(max(1, plane / 64), (threads + images - 1) / images)) }
        while images * tiles % threads != 0 && images * tiles < 4 * threads && tiles < plane / 64 { tiles += 1 }
        let tileWidth = (plane + tiles - 1) / tiles
        tiles = (plane + tileWidth - 1) / tileWidth
        let pointwise = g.isPointwise
        let scratchFloats = pointwise ? 0 : depth * tileWidth
        if scratchFloats > 0 { context.reserveScratch(byteCount: scratchFloats * 4) }
        let items = images * tiles
        let context = self.context, input = self.input, weights = self.weights, bias = self.bias
        let output = self.output, activation = self.activation

        // Columns matrix for one item: the unfolded tile, or the NCHW input itself.
        func columns(_ image: Int, _ group: Int, _ range: Range<Int>, slot: Int) -> (UnsafePointer<Float>, Int) {
            let source = input + (image * g.inputChannels + group * g.inputChannelsPerGroup) * g.inputPlane
            if pointwise { return (source + range.lowerBound, g.inputPlane) }
            let scratch = context.scratch(byteCount: scratchFloats * 4, slot: slot).assumingMemoryBound(to: Float.self)
            Im2Col.unfold(source, geometry: g, columns: range, into: scratch)
            return (UnsafePointer(scratch), range.count)
        }
        func locate(_ item: Int) -> (image: Int, group: Int, range: Range<Int>) {
            let tile = item % tiles, imageGroup = item / tiles
            let start = tile * tileWidth
            return (imageGroup / g.groups, imageGroup % g.groups, start..<min(plane, start + tileWidth))
        }

        if items >= threads {
            Self.forEachItem(items, pool: context.threadPool) { item, worker in
                let (image, group, range) = locate(item)
                let (b, ldb) = columns(image, group, range, slot: worker)
                let c = output + (image * g.outputChannels + group * rowsPerGroup) * plane + range.lowerBound
                GEMM.multiply(m: rowsPerGroup, n: range.count, k: depth, a: weights + group * rowsPerGroup * depth,
                              lda: depth, b: b, ldb: ldb, c: c, ldc: plane)
                ConvolutionEpilogue.apply(c, ldc: plane, rows: 0..<rowsPerGroup, columns: 0..<range.count,
                                          bias: bias.map { $0 + group * rowsPerGroup }, activation: activation)
            }
            return
        }
        // Too few items: split each GEMM over the pool instead.
        for item in 0..<items {
            let (image, group, range) = locate(item)
            let (b, ldb) = columns(image, group, range, slot: threads)
            let c = output + (image * g.outputChannels + group * rowsPerGroup) * plane + range.lowerBound
            let groupBias = bias.map { $0 + group * rowsPerGroup }
            ParallelGEMM.multiply(pool: context.threadPool, split: .largest, m: rowsPerGroup, n: range.count, k: depth,
                                  a: weights + group * rowsPerGroup * depth, lda: depth, b: b, ldb: ldb,
                                  c: c, ldc: plane) { rows, cols in
                ConvolutionEpilogue.apply(c, ldc: plane, rows: rows, columns: cols, bias: groupBias, activation: activation)
            }
        }
    }
}
