extension RGBImage {
    /// The image turned upright for an EXIF Orientation value, exactly like
    /// `PIL.ImageOps.exif_transpose`: 2 mirror, 3 rotate 180, 4 flip, 5 transpose,
    /// 6 rotate 90° clockwise, 7 transverse, 8 rotate 90° counter-clockwise.
    /// Other values return the image unchanged.
    public func oriented(byEXIF orientation: Int) -> RGBImage {
        guard (2...8).contains(orientation) else { return self }
        let w = width, h = height
        let swaps = orientation >= 5
        let outWidth = swaps ? h : w, outHeight = swaps ? w : h
        // Source (x, y) of output pixel (u, v).
        let source: (Int, Int) -> (Int, Int)
        switch orientation {
        case 2: source = { u, v in (w - 1 - u, v) }
        case 3: source = { u, v in (w - 1 - u, h - 1 - v) }
        case 4: source = { u, v in (u, h - 1 - v) }
        case 5: source = { u, v in (v, u) }
        case 6: source = { u, v in (v, h - 1 - u) }
        case 7: source = { u, v in (w - 1 - v, h - 1 - u) }
        default: source = { u, v in (w - 1 - v, u) }
        }
        var out = [UInt8](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for v in 0..<outHeight {
                    for u in 0..<outWidth {
                        let (x, y) = source(u, v)
                        let s = (y * w + x) * 3, d = (v * outWidth + u) * 3
                        dst[d] = src[s]; dst[d + 1] = src[s + 1]; dst[d + 2] = src[s + 2]
                    }
                }
            }
        }
        return RGBImage(width: outWidth, height: outHeight, pixels: out)
    }
}
