/// Output sizes and crop placement of torchvision / Keras / Hugging Face transforms.
public enum ResizeGeometry {
    /// torchvision `Resize(size, max_size=maxSize)` with an int size: the shorter side becomes
    /// `size`, the longer `int(size * long / short)` (truncated); if that exceeds `maxSize`
    /// the longer side becomes `maxSize` and the shorter `int(maxSize * size / long)`.
    /// Returns (width, height).
    public static func shorterSide(width: Int, height: Int, size: Int, maxSize: Int? = nil) throws -> (width: Int, height: Int) {
        guard width > 0, height > 0 else { throw PreprocessingError.invalidSize("image is \(width)×\(height)") }
        guard size > 0 else { throw PreprocessingError.invalidSize("shorter side \(size)") }
        let (short, long) = width <= height ? (width, height) : (height, width)
        var newShort = size
        // Python: int(size * long / short), a correctly rounded double quotient truncated.
        var newLong = Int(Double(size * long) / Double(short))
        if let maxSize {
            guard maxSize > size else {
                throw PreprocessingError.invalidSize("max_size \(maxSize) must be greater than the shorter side \(size)")
            }
            if newLong > maxSize {
                newShort = Int(Double(maxSize * newShort) / Double(newLong))
                newLong = maxSize
            }
        }
        return width <= height ? (newShort, newLong) : (newLong, newShort)
    }

    /// Python's `round()` of `value / 2` for an integer `value`: round half to even.
    static func halfOfRoundedEven(_ value: Int) -> Int {
        let floorHalf = value >> 1                       // floor(value / 2)
        if value & 1 == 0 { return floorHalf }
        return floorHalf & 1 == 0 ? floorHalf : floorHalf + 1   // x.5 -> even neighbour
    }

    /// Where a centre crop of `cropWidth`×`cropHeight` reads from a `width`×`height` image:
    /// the source coordinate of the crop's top-left pixel (negative when the crop is larger than
    /// the image and torchvision zero-pads it).
    ///
    /// torchvision (`.halfEven`): when the crop is larger, pad left/top by `(crop - size) // 2`
    /// and right/bottom by `(crop - size + 1) // 2`; otherwise `top = int(round((H - h) / 2.0))`
    /// with Python's round-half-to-even (58.5 -> 58). Hugging Face (`.floor`): `(H - h) // 2`.
    public static func centerCropOrigin(width: Int, height: Int, cropWidth: Int, cropHeight: Int,
                                        rounding: CropRounding = .halfEven) -> (left: Int, top: Int) {
        func origin(_ size: Int, _ crop: Int) -> Int {
            if crop > size { return -((crop - size) / 2) }
            switch rounding {
            case .halfEven: return halfOfRoundedEven(size - crop)
            case .floor: return (size - crop) / 2
            }
        }
        return (origin(width, cropWidth), origin(height, cropHeight))
    }

    /// torchvision's crop box `(left, top, right, bottom)` in the image's coordinates.
    public static func centerCropBox(width: Int, height: Int, cropWidth: Int, cropHeight: Int,
                                     rounding: CropRounding = .halfEven) -> (left: Int, top: Int, right: Int, bottom: Int) {
        let o = centerCropOrigin(width: width, height: height, cropWidth: cropWidth, cropHeight: cropHeight,
                                 rounding: rounding)
        return (o.left, o.top, o.left + cropWidth, o.top + cropHeight)
    }
}

/// How a centre crop rounds an odd margin.
public enum CropRounding: String, Codable, Sendable {
    /// torchvision / timm: `int(round((H - h) / 2.0))`, round half to even.
    case halfEven
    /// Hugging Face image processors: `(H - h) // 2`.
    case floor
}
