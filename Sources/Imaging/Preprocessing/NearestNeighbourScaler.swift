/// Pillow's `resize(..., NEAREST)`: an affine nearest-neighbour scale (`ImagingScaleAffine`),
/// not the convolution resampler.
///
/// With `a = in / out` (double), the source coordinate of output `o` is the running sum
/// `a * 0.5 + a + a + ...` (`o` additions, accumulated in double exactly as Pillow does),
/// truncated toward zero; coordinates outside the image give black pixels.
enum NearestNeighbourScaler {
    static func resize(_ image: RGBImage, width: Int, height: Int,
                       columns: Range<Int>, rows: Range<Int>) -> RGBImage {
        let sourceColumns = sourceIndices(inputSize: image.width, outputSize: width, upTo: columns.upperBound)
        let sourceRows = sourceIndices(inputSize: image.height, outputSize: height, upTo: rows.upperBound)
        var out = [UInt8](repeating: 0, count: columns.count * rows.count * 3)
        image.pixels.withUnsafeBufferPointer { srcBuffer in
            out.withUnsafeMutableBufferPointer { dstBuffer in
                let src = srcBuffer.baseAddress!
                var dst = dstBuffer.baseAddress!
                for y in rows {
                    let sy = sourceRows[y]
                    guard sy >= 0 else { dst += columns.count * 3; continue }
                    let row = src + sy * image.width * 3
                    for x in columns {
                        let sx = sourceColumns[x]
                        if sx >= 0 {
                            let p = row + sx * 3
                            dst[0] = p[0]; dst[1] = p[1]; dst[2] = p[2]
                        }
                        dst += 3
                    }
                }
            }
        }
        return RGBImage(width: columns.count, height: rows.count, pixels: out)
    }

    /// Source index of each output index below `end` (-1 when it falls outside the image).
    static func sourceIndices(inputSize: Int, outputSize: Int, upTo end: Int) -> [Int] {
        let step = Double(Float(inputSize)) / Double(outputSize)
        var position = step * 0.5
        var table = [Int](repeating: -1, count: end)
        for o in 0..<end {
            let index = position < 0 ? -1 : Int(position)
            if index >= 0 && index < inputSize { table[o] = index }
            position += step
        }
        return table
    }
}
