import Foundation
import Testing
import TestSupport
@testable import Imaging

/// torchvision Resize(int) / CenterCrop geometry.
@Suite("Resize and crop geometry")
struct PreprocessingGeometryTests {
    /// (decoded width, height) -> (resize_to, crop_box_ltrb), from manifest.json.
    static let seedGeometry: [(size: [Int], resized: [Int], box: [Int])] = [
        ([451, 300], [384, 256], [80, 16, 304, 240]),
        ([384, 384], [256, 256], [16, 16, 240, 240]),
        ([320, 480], [256, 384], [16, 80, 240, 304]),
        ([401, 301], [341, 256], [58, 16, 282, 240]),   // 58.5 -> 58 (half to even)
        ([300, 280], [274, 256], [25, 16, 249, 240]),
        ([384, 256], [384, 256], [80, 16, 304, 240]),   // already 256: no resize
        ([301, 257], [299, 256], [38, 16, 262, 240]),
        ([1, 1], [256, 256], [16, 16, 240, 240]),
        ([4000, 50], [20480, 256], [10128, 16, 10352, 240]),
        ([640, 427], [383, 256], [80, 16, 304, 240]),
        ([97, 61], [407, 256], [92, 16, 316, 240]),     // upsampling, 91.5 -> 92
    ]

    static func check(size: [Int], resized: [Int], box: [Int]) throws {
        let r = try ResizeGeometry.shorterSide(width: size[0], height: size[1], size: 256)
        #expect([r.width, r.height] == resized, "\(size)")
        let b = ResizeGeometry.centerCropBox(width: r.width, height: r.height, cropWidth: 224, cropHeight: 224)
        #expect([b.left, b.top, b.right, b.bottom] == box, "\(size)")
    }

    @Test("seed geometry (committed table)")
    func committedTable() throws {
        for row in Self.seedGeometry { try Self.check(size: row.size, resized: row.resized, box: row.box) }
    }

    @Test("every image of manifest.json")
    func manifest() throws {
        guard let url = Fixtures.sharedFile("manifest.json") else { return }
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let images = try #require(root["images"] as? [[String: Any]])
        var checked = 0
        for image in images {
            guard let recipe = image["torch_recipe"] as? [String: Any],
                  let size = recipe["decoded_size_after_exif"] as? [Int],
                  let resized = recipe["resize_to"] as? [Int], let box = recipe["crop_box_ltrb"] as? [Int] else { continue }
            try Self.check(size: size, resized: resized, box: box)
            checked += 1
        }
        #expect(checked >= 20)
    }

    @Test("max_size, padding and floor rounding")
    func otherRules() throws {
        let capped = try ResizeGeometry.shorterSide(width: 4000, height: 50, size: 256, maxSize: 1000)
        #expect(capped.width == 1000 && capped.height == 12)   // short = int(1000 * 256 / 20480) = int(12.5)
        #expect(throws: PreprocessingError.self) { try ResizeGeometry.shorterSide(width: 10, height: 10, size: 256, maxSize: 256) }
        // Crop larger than the image: torchvision pads (crop - size) // 2 on the left/top.
        let padded = ResizeGeometry.centerCropOrigin(width: 5, height: 10, cropWidth: 8, cropHeight: 4)
        #expect(padded.left == -1 && padded.top == 3)
        let floor = ResizeGeometry.centerCropOrigin(width: 259, height: 256, cropWidth: 224, cropHeight: 224, rounding: .floor)
        #expect(floor.left == 17)
        let even = ResizeGeometry.centerCropOrigin(width: 259, height: 256, cropWidth: 224, cropHeight: 224)
        #expect(even.left == 18)   // round(17.5) = 18
    }

    @Test("a crop larger than the resized image is zero padded like torchvision")
    func paddedCrop() throws {
        let image = RGBImage(width: 3, height: 2, pixels: (1...18).map(UInt8.init))
        let recipe = PreprocessingRecipe(resize: .none, interpolation: .bilinear, centerCrop: .init(width: 6, height: 3),
                                         scale: 1, mean: [0, 0, 0], std: [1, 1, 1])
        let out = try recipe.preparedImage(image)
        // pad left (6-3)//2 = 1, right 2; top (3-2)//2 = 0, bottom 1.
        #expect(out.width == 6 && out.height == 3)
        #expect(out[0, 0] == (0, 0, 0) && out[1, 0] == (1, 2, 3) && out[3, 1] == (16, 17, 18))
        #expect(out[4, 0] == (0, 0, 0) && out[1, 2] == (0, 0, 0))
    }
}
