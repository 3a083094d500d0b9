import Tensor

extension PreprocessingRecipe {
    /// The model input for `image`: float32 `[3, H, W]` (``Layout/chw``) or `[H, W, 3]`.
    public func apply(to image: RGBImage) throws -> Tensor {
        try validate()
        return try tensor(fromPrepared: try preparedImage(image))
    }

    /// `image` resized and centre-cropped (the 8-bit pixels the tensor is computed from).
    ///
    /// Only the pixels the crop keeps are resampled (bit-identical to resizing the whole image
    /// with Pillow and cropping afterwards); a crop larger than the image is zero-padded.
    public func preparedImage(_ image: RGBImage) throws -> RGBImage {
        let window = try preparationWindow(width: image.width, height: image.height)
        let resized = try PillowResampler.resize(image, width: window.resizedWidth, height: window.resizedHeight,
                                                 interpolation: interpolation, columns: window.columns, rows: window.rows)
        return window.finish(resized)
    }

    /// The float32 model input from pixels `preparedImage` (or a streaming decoder) produced.
    public func tensor(fromPrepared prepared: RGBImage) throws -> Tensor {
        try validate()
        let tensor = Tensor(zeros: tensorShape(width: prepared.width, height: prepared.height))
        NormalizationTable(self).write(prepared, into: tensor.floatPointer, layout: layout)
        return tensor
    }

    /// The part of the resized image that a `width`×`height` image's preparation keeps.
    func preparationWindow(width: Int, height: Int) throws -> PreparationWindow {
        guard width > 0, height > 0 else {
            throw PreprocessingError.invalidSize("cannot preprocess an empty \(width)×\(height) image")
        }
        let resized = try resizedSize(width: width, height: height)
        guard let centerCrop else {
            return PreparationWindow(resizedWidth: resized.width, resizedHeight: resized.height,
                                     columns: 0..<resized.width, rows: 0..<resized.height, canvas: nil)
        }
        let origin = ResizeGeometry.centerCropOrigin(width: resized.width, height: resized.height,
                                                     cropWidth: centerCrop.width, cropHeight: centerCrop.height,
                                                     rounding: cropRounding)
        let columns = max(origin.left, 0)..<min(origin.left + centerCrop.width, resized.width)
        let rows = max(origin.top, 0)..<min(origin.top + centerCrop.height, resized.height)
        let canvas = PreparationWindow.Canvas(width: centerCrop.width, height: centerCrop.height,
                                              left: columns.lowerBound - origin.left, top: rows.lowerBound - origin.top)
        return PreparationWindow(resizedWidth: resized.width, resizedHeight: resized.height,
                                 columns: columns, rows: rows, canvas: canvas)
    }
}

/// Which pixels of the resized image a preparation keeps (`columns`×`rows`), and where they
/// go on the crop's canvas when the crop is larger than the resized image.
struct PreparationWindow {
    struct Canvas { let width: Int, height: Int, left: Int, top: Int }
    let resizedWidth: Int
    let resizedHeight: Int
    let columns: Range<Int>
    let rows: Range<Int>
    /// The crop's black canvas; nil when there is no crop.
    let canvas: Canvas?

    /// The prepared image from the resampled window.
    func finish(_ window: RGBImage) -> RGBImage {
        guard let canvas, window.width != canvas.width || window.height != canvas.height else { return window }
        return window.placed(onBlackCanvasOfWidth: canvas.width, height: canvas.height, left: canvas.left, top: canvas.top)
    }
}

extension RGBImage {
    /// This image pasted at (`left`, `top`) onto a black `width`×`height` canvas.
    func placed(onBlackCanvasOfWidth width: Int, height: Int, left: Int, top: Int) -> RGBImage {
        var canvas = [UInt8](repeating: 0, count: width * height * 3)
        let rowBytes = self.width * 3
        pixels.withUnsafeBufferPointer { src in
            canvas.withUnsafeMutableBufferPointer { dst in
                for y in 0..<self.height {
                    (dst.baseAddress! + ((top + y) * width + left) * 3)
                        .update(from: src.baseAddress! + y * rowBytes, count: rowBytes)
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: canvas)
    }
}

/// The float32 value of every (output channel, 8-bit value) pair: the whole normalisation
/// collapses into a 3×256 lookup computed with the exact float32 operations of the recipe.
struct NormalizationTable {
    /// `values[c * 256 + v]` for output channel `c`.
    let values: [Float]
    /// Source (RGB) channel of each output channel.
    let sourceChannel: (Int, Int, Int)

    init(_ recipe: PreprocessingRecipe) {
        let inverse = 1.0 / recipe.scale
        let divisor: Float? = abs(inverse - inverse.rounded()) <= 1e-9 * inverse ? Float(inverse.rounded()) : nil
        let factor = Float(recipe.scale)
        var values = [Float](repeating: 0, count: 3 * 256)
        for c in 0..<3 {
            for v in 0..<256 {
                let scaled = divisor.map { Float(v) / $0 } ?? Float(v) * factor
                values[c * 256 + v] = (scaled - recipe.mean[c]) / recipe.std[c]
            }
        }
        self.values = values
        sourceChannel = recipe.channelOrder == .rgb ? (0, 1, 2) : (2, 1, 0)
    }

    /// Writes `image` as floats in `layout` starting at `destination`.
    func write(_ image: RGBImage, into destination: UnsafeMutablePointer<Float>, layout: PreprocessingRecipe.Layout) {
        let count = image.width * image.height
        let sources = [sourceChannel.0, sourceChannel.1, sourceChannel.2]
        values.withUnsafeBufferPointer { tableBuffer in
            image.pixels.withUnsafeBufferPointer { pixelBuffer in
                let pixels = pixelBuffer.baseAddress!
                switch layout {
                case .chw:
                    for c in 0..<3 {
                        let table = tableBuffer.baseAddress! + c * 256
                        let source = pixels + sources[c]
                        let plane = destination + c * count
                        for i in 0..<count { plane[i] = table[Int(source[i * 3])] }
                    }
                case .hwc:
                    let t0 = tableBuffer.baseAddress!, t1 = t0 + 256, t2 = t0 + 512
                    let (s0, s1, s2) = (sources[0], sources[1], sources[2])
                    for i in 0..<count {
                        let p = pixels + i * 3
                        let o = destination + i * 3
                        o[0] = t0[Int(p[s0])]
                        o[1] = t1[Int(p[s1])]
                        o[2] = t2[Int(p[s2])]
                    }
                }
            }
        }
    }
}
