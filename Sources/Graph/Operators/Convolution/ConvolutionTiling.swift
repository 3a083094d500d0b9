import Kernels

/// How a GEMM convolution cuts its output columns into tiles, one GEMM per (group, tile).
///
/// Columns are the output positions of all images, flattened (`image * plane + position`).
/// Planes at least one tile wide are cut per image, so a tile never crosses an image and its
/// GEMM writes the NCHW output in place. Smaller planes (late layers, squeeze-excitation's
/// 1x1 planes) are batched: a tile then spans several images, so the GEMM's `N` is large
/// enough for the micro-kernel, and results go through scratch.
///
/// Every worker multiplies whole tiles with all of a group's output channels (the packed
/// weights are shared read-only); tile counts are chosen so that the threads get equal
/// numbers of tiles. Inner tile edges fall on multiples of 16 (the micro-kernels' half panel).
struct ConvolutionTiling: Equatable {
    /// The widest tile (scratch is sized for it).
    let width: Int
    /// Tiles per image, or `nil` when tiles run across image boundaries.
    let perImage: Int?
    /// Tiles per group.
    let count: Int
    let plane: Int
    let total: Int

    /// Floats of unfolded input one tile may hold (keeps the tile and its packed copy in L2).
    static let unfoldBudget = 160 * 1024
    /// Narrowest tile worth a GEMM (narrower tiles re-stream the weights too often).
    static let minimumWidth = 128
    /// Widest tile.
    static let maximumWidth = 512

    init(plane: Int, batch: Int, groups: Int, depth: Int, unfolds: Bool, threads: Int) {
        self.plane = plane
        total = plane * batch
        let budgetWidth = unfolds ? Self.unfoldBudget / max(1, depth) / 32 * 32 : Self.maximumWidth
        let preferred = min(Self.maximumWidth, max(Self.minimumWidth, budgetWidth))
        if plane >= preferred {
            var tiles = (plane + preferred - 1) / preferred
            // Balance: a multiple of the thread count, unless there are plenty of items anyway.
            while batch * groups * tiles % threads != 0 && batch * groups * tiles < 8 * threads && tiles * 32 < plane {
                tiles += 1
            }
            perImage = tiles
            count = batch * tiles
            width = (plane + tiles - 1) / tiles + 16
        } else {
            var tiles = (total + preferred - 1) / preferred
            if groups * tiles % threads != 0 { tiles = min(Self.roundUp(groups * tiles, threads) / groups, max(1, total / 16)) }
            perImage = nil
            count = tiles
            width = (total + tiles - 1) / tiles + 16
        }
    }

    /// The flattened columns of tile `tile`: near-equal shares with inner edges on multiples of 16.
    func columns(_ tile: Int) -> Range<Int> {
        if let perImage {
            let image = tile / perImage, local = tile % perImage
            return (image * plane + Self.edge(local, of: perImage, extent: plane))
                ..< (image * plane + Self.edge(local + 1, of: perImage, extent: plane))
        }
        return Self.edge(tile, of: count, extent: total)..<Self.edge(tile + 1, of: count, extent: total)
    }

    static func edge(_ index: Int, of parts: Int, extent: Int) -> Int {
        AlignedSplit.boundary(index, of: parts, extent: extent, alignment: 16)
    }

    static func roundUp(_ value: Int, _ multiple: Int) -> Int { (value + multiple - 1) / multiple * multiple }
}
