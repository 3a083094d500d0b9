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
/// numbers of tiles. Widths are multiples of 16 (the micro-kernels' half panel).
struct ConvolutionTiling: Equatable {
    /// Columns per tile (the last tile of an image or of the batch may be narrower).
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
            let width = Self.roundUp((plane + tiles - 1) / tiles, 16)
            self.width = width
            perImage = (plane + width - 1) / width
            count = batch * perImage!
        } else {
            var tiles = (total + preferred - 1) / preferred
            if groups * tiles % threads != 0 { tiles = min(Self.roundUp(groups * tiles, threads) / groups, max(1, total / 16)) }
            let width = Self.roundUp((total + tiles - 1) / tiles, 16)
            self.width = width
            perImage = nil
            count = (total + width - 1) / width
        }
    }

    /// The flattened columns of tile `tile`.
    func columns(_ tile: Int) -> Range<Int> {
        if let perImage {
            let image = tile / perImage, start = image * plane + tile % perImage * width
            return start..<min(start + width, image * plane + plane)
        }
        let start = tile * width
        return start..<min(start + width, total)
    }

    static func roundUp(_ value: Int, _ multiple: Int) -> Int { (value + multiple - 1) / multiple * multiple }
}
