/// Copies a tensor into a padded (or cropped) one, row by row along the last axis.
struct PadCopier {
    let mode: PadOperator.Mode
    let inShape: [Int], outShape: [Int], begin: [Int]
    let elementSize: Int
    let fill: UnsafeRawPointer
    let label: String

    /// The source coordinate for output coordinate `o` along an axis of `extent`, or `nil` for the fill value.
    @inline(__always)
    func sourceIndex(_ o: Int, begin: Int, extent n: Int) -> Int? {
        let i = o - begin
        if i >= 0 && i < n { return i }
        switch mode {
        case .constant: return nil
        case .edge: return i < 0 ? 0 : n - 1
        case .wrap: return ((i % n) + n) % n
        case .reflect:
            if n == 1 { return 0 }
            let period = 2 * (n - 1)
            let r = ((i % period) + period) % period
            return r < n ? r : period - r
        }
    }

    func run(source: UnsafeRawPointer, target: UnsafeMutableRawPointer) throws {
        let rank = outShape.count
        let inWidth = inShape[rank - 1], outWidth = outShape[rank - 1], beginX = begin[rank - 1]
        let rows = outShape.dropLast().reduce(1, *)
        var inStrides = [Int](repeating: 1, count: rank)
        for axis in stride(from: rank - 2, through: 0, by: -1) { inStrides[axis] = inStrides[axis + 1] * inShape[axis + 1] }
        let size = elementSize
        // Output columns whose source lies inside the input row.
        let firstInside = min(outWidth, max(0, beginX)), endInside = max(firstInside, min(outWidth, beginX + inWidth))
        var coordinate = [Int](repeating: 0, count: max(0, rank - 1))
        for row in 0..<rows {
            // Source row offset, or nil when this row is entirely fill.
            var offset: Int? = 0
            for axis in 0..<(rank - 1) {
                guard let base = offset else { break }
                if let i = sourceIndex(coordinate[axis], begin: begin[axis], extent: inShape[axis]) {
                    offset = base + i * inStrides[axis]
                } else { offset = nil }
            }
            let out = target + row * outWidth * size
            if let offset {
                let sourceRow = source + offset * size
                if endInside > firstInside {
                    (out + firstInside * size).copyMemory(from: sourceRow + (firstInside - beginX) * size,
                                                          byteCount: (endInside - firstInside) * size)
                }
                for x in Array(0..<firstInside) + Array(endInside..<outWidth) {
                    let from = sourceIndex(x, begin: beginX, extent: inWidth).map { sourceRow + $0 * size } ?? fill
                    (out + x * size).copyMemory(from: from, byteCount: size)
                }
            } else {
                for x in 0..<outWidth { (out + x * size).copyMemory(from: fill, byteCount: size) }
            }
            // Next row coordinate.
            var axis = rank - 2
            while axis >= 0 {
                coordinate[axis] += 1
                if coordinate[axis] < outShape[axis] { break }
                coordinate[axis] = 0
                axis -= 1
            }
        }
    }
}
