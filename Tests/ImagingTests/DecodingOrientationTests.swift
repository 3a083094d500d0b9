import Testing
@testable import Imaging

/// The EXIF orientation transform and the EXIF parser.
@Suite("EXIF orientation")
struct DecodingOrientationTests {
    /// 3x2 image whose pixel (x, y) has R = 10*y + x (G, B = R + 100, R + 200).
    static let image: RGBImage = {
        var pixels: [UInt8] = []
        for y in 0..<2 { for x in 0..<3 { let v = UInt8(10 * y + x); pixels += [v, v &+ 100, v &+ 200] } }
        return RGBImage(width: 3, height: 2, pixels: pixels)
    }()

    /// Red channel rows expected for each orientation (ImageOps.exif_transpose, by hand).
    static let expected: [Int: [[UInt8]]] = [
        1: [[0, 1, 2], [10, 11, 12]],
        2: [[2, 1, 0], [12, 11, 10]],            // mirror
        3: [[12, 11, 10], [2, 1, 0]],            // rotate 180
        4: [[10, 11, 12], [0, 1, 2]],            // flip
        5: [[0, 10], [1, 11], [2, 12]],          // transpose
        6: [[10, 0], [11, 1], [12, 2]],          // rotate 90 clockwise
        7: [[12, 2], [11, 1], [10, 0]],          // transverse
        8: [[2, 12], [1, 11], [0, 10]],          // rotate 90 counter-clockwise
    ]

    @Test(arguments: 1...8)
    func transform(_ orientation: Int) throws {
        let rows = try #require(Self.expected[orientation])
        let out = Self.image.oriented(byEXIF: orientation)
        #expect(out.height == rows.count && out.width == rows[0].count)
        let red = stride(from: 0, to: out.pixels.count, by: 3).map { out.pixels[$0] }
        #expect(red == rows.flatMap { $0 })
        #expect(out.pixels.enumerated().allSatisfy { i, v in v == red[i / 3] &+ UInt8(100 * (i % 3)) })
    }

    @Test func invalidValuesLeaveTheImage() {
        for value in [0, 9, -1, 1000] { #expect(Self.image.oriented(byEXIF: value) == Self.image) }
    }

    /// A minimal TIFF header + IFD0 with one Orientation entry.
    static func exif(_ value: UInt16, bigEndian: Bool, type: UInt16 = 3) -> [UInt8] {
        func u16(_ v: UInt16) -> [UInt8] { bigEndian ? [UInt8(v >> 8), UInt8(v & 0xFF)] : [UInt8(v & 0xFF), UInt8(v >> 8)] }
        func u32(_ v: UInt32) -> [UInt8] { bigEndian ? u16(UInt16(v >> 16)) + u16(UInt16(v & 0xFFFF)) : u16(UInt16(v & 0xFFFF)) + u16(UInt16(v >> 16)) }
        let value4: [UInt8] = type == 4 ? u32(UInt32(value)) : u16(value) + [0, 0]
        return (bigEndian ? Array("MM".utf8) : Array("II".utf8)) + u16(42) + u32(8) + u16(1)
            + u16(0x0112) + u16(type) + u32(1) + value4 + u32(0)
    }

    @Test func parser() {
        for v in 1...8 {
            #expect(EXIF.orientation(tiffData: Self.exif(UInt16(v), bigEndian: false)) == v)
            #expect(EXIF.orientation(tiffData: Self.exif(UInt16(v), bigEndian: true)) == v)
            #expect(EXIF.orientation(tiffData: Self.exif(UInt16(v), bigEndian: true, type: 4)) == v)
            #expect(EXIF.orientation(tiffData: Array("Exif\u{0}\u{0}".utf8) + Self.exif(UInt16(v), bigEndian: false)) == v)
        }
        #expect(EXIF.orientation(tiffData: Self.exif(9, bigEndian: false)) == nil)
        #expect(EXIF.orientation(tiffData: Self.exif(0, bigEndian: true)) == nil)
        let good = Self.exif(6, bigEndian: false)
        // The SHORT value ends at byte 20: every shorter prefix has no orientation.
        for length in 0..<20 { #expect(EXIF.orientation(tiffData: Array(good.prefix(length))) == nil) }
        var badOffset = good; badOffset[4] = 0xFF   // IFD offset past the end
        #expect(EXIF.orientation(tiffData: badOffset) == nil)
    }

    @Test("the orientation is found in every container", arguments: [
        ("synthetic/exif_5.jpg", 5), ("jpeg_exif3.jpg", 3), ("synthetic/png_exif6.png", 6),
        ("synthetic/webp_exif8.webp", 8), ("synthetic/tiff_orientation6.tif", 6), ("png_rgb.png", nil),
        ("gif_2frames.gif", nil),
    ] as [(String, Int?)])
    func containers(_ name: String, _ value: Int?) throws {
        let bytes = try [UInt8](Data(contentsOf: DecodingFixtures.url(name)))
        #expect(EXIF.orientation(imageFile: bytes) == value)
    }
}

import Foundation
