/// Cutting `0..<extent` into near-equal parts whose inner edges fall on multiples of an
/// alignment (a micro-kernel's panel width or height), so each part keeps whole panels.
public enum AlignedSplit {
    /// The start of part `index` of `parts` (`extent` for `index >= parts`): the exact share
    /// `extent * index / parts`, rounded to the nearest multiple of `alignment`, at most `extent`.
    @inlinable
    public static func boundary(_ index: Int, of parts: Int, extent: Int, alignment: Int) -> Int {
        index >= parts ? extent : Swift.min(extent, (extent * index / parts + alignment / 2) / alignment * alignment)
    }

    /// Part `index` of `parts` (possibly empty when `extent` is small).
    @inlinable
    public static func part(_ index: Int, of parts: Int, extent: Int, alignment: Int) -> Range<Int> {
        boundary(index, of: parts, extent: extent, alignment: alignment)
            ..< boundary(index + 1, of: parts, extent: extent, alignment: alignment)
    }
}
