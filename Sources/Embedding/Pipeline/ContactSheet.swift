import Foundation
import Imaging

/// A grid of thumbnails, so people can look at a cluster instead of reading paths.
public enum ContactSheet {
    /// Writes a PNG contact sheet of `paths` (unreadable files become grey tiles).
    /// - Parameters:
    ///   - tile: the side of each square cell in pixels; thumbnails keep their aspect.
    ///   - columns: cells per row (default: close to square).
    ///   - limit: at most this many images.
    public static func write(paths: [String], to url: URL, tile: Int = 160, columns: Int? = nil, limit: Int = 100) throws {
        let shown = Array(paths.prefix(limit))
        guard !shown.isEmpty else { return }
        let columnCount = columns ?? max(1, Int(Double(shown.count).squareRoot().rounded(.up)))
        let rowCount = (shown.count + columnCount - 1) / columnCount
        let gap = 4
        let width = columnCount * (tile + gap) + gap, height = rowCount * (tile + gap) + gap
        var sheet = RGBImage(width: width, height: height, pixels: [UInt8](repeating: 255, count: width * height * 3))
        let decoder = ImageDecoder()
        for (index, path) in shown.enumerated() {
            let originX = gap + (index % columnCount) * (tile + gap)
            let originY = gap + (index / columnCount) * (tile + gap)
            guard let image = try? decoder.decode(contentsOf: URL(fileURLWithPath: path), draftSize: (tile, tile)).image else {
                fill(&sheet, x: originX, y: originY, width: tile, height: tile, value: 200)
                continue
            }
            let scale = Double(tile) / Double(max(image.width, image.height))
            let thumbWidth = max(1, Int((Double(image.width) * scale).rounded()))
            let thumbHeight = max(1, Int((Double(image.height) * scale).rounded()))
            guard let thumb = try? PillowResampler.resize(image, width: thumbWidth, height: thumbHeight, interpolation: .bilinear) else {
                fill(&sheet, x: originX, y: originY, width: tile, height: tile, value: 200)
                continue
            }
            let offsetX = originX + (tile - thumbWidth) / 2, offsetY = originY + (tile - thumbHeight) / 2
            for row in 0..<thumbHeight {
                let source = row * thumbWidth * 3
                let target = ((offsetY + row) * width + offsetX) * 3
                sheet.pixels.replaceSubrange(target..<target + thumbWidth * 3, with: thumb.pixels[source..<source + thumbWidth * 3])
            }
        }
        try PNGEncoder.write(sheet, to: url)
    }

    private static func fill(_ image: inout RGBImage, x: Int, y: Int, width: Int, height: Int, value: UInt8) {
        for row in y..<y + height {
            let start = (row * image.width + x) * 3
            for i in start..<start + width * 3 { image.pixels[i] = value }
        }
    }
}
