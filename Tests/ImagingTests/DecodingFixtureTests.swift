import Foundation
import Testing
@testable import Imaging
import TestSupport

/// Every valid fixture decodes to Pillow's size, mode and exact pixels.
@Suite("Decoding fixtures")
struct DecodingFixtureTests {
    static let validNames = DecodingFixtures.expected.valid.keys.sorted()

    @Test("decodes like Pillow", arguments: validNames)
    func decodesLikePillow(_ name: String) throws {
        let expected = try #require(DecodingFixtures.expected.valid[name])
        let decoded = try ImageDecoder().decode(contentsOf: DecodingFixtures.url(name))
        #expect(decoded.format.rawValue == expected.format)
        #expect(decoded.mode == expected.mode)
        #expect(decoded.exifOrientation == expected.exif_orientation)
        // Pillow reports a TIFF's size after applying its Orientation tag.
        let stored = [decoded.storedWidth, decoded.storedHeight]
        #expect(stored == expected.stored || (expected.format == "TIFF" && stored == expected.stored.reversed()))
        let check = expected.msb ?? expected.pixels   // I;16: the default is value >> 8
        let result = try DecodingFixtures.compare(decoded.image, with: check)
        #expect(result.equal, "\(name): \(result.detail)")
    }

    @Test("16-bit gray: Pillow's clipping quirk on request")
    func pillowClip() throws {
        let expected = try #require(DecodingFixtures.expected.valid["png_gray16.png"])
        let decoder = ImageDecoder(sixteenBitGray: .pillowClip)
        let decoded = try decoder.decode(contentsOf: DecodingFixtures.url("png_gray16.png"))
        let result = try DecodingFixtures.compare(decoded.image, with: expected.pixels)
        #expect(result.equal, "\(result.detail)")
    }

    @Test("lossy decodes equal the shared reference/decoded arrays",
          arguments: ["jpeg_baseline", "jpeg_progressive", "jpeg_gray", "jpeg_cmyk", "jpeg_420_odd",
                      "jpeg_444", "china", "flower", "webp_lossy"])
    func sharedDecodedReference(_ stem: String) throws {
        guard let reference = Fixtures.sharedFile("reference/decoded/\(stem).rgb.npy") else { return }
        let name = DecodingFixtures.expected.valid.keys.first { $0.hasPrefix(stem + ".") }!
        let decoded = try ImageDecoder().decode(contentsOf: DecodingFixtures.url(name))
        let want = try DecodingFixtures.loadRGB(reference)
        #expect(decoded.image.width == want.width && decoded.image.height == want.height)
        var maxDiff = 0
        for (a, b) in zip(decoded.image.pixels, want.bytes) { maxDiff = max(maxDiff, abs(Int(a) - Int(b))) }
        #expect(maxDiff == 0, "\(stem): max abs diff \(maxDiff) against Pillow's decode")
    }

    @Test("EXIF orientation is optional")
    func orientationCanBeSkipped() throws {
        let decoded = try ImageDecoder(applyEXIFOrientation: false)
            .decode(contentsOf: DecodingFixtures.url("jpeg_exif6.jpg"))
        #expect(decoded.exifOrientation == 6)
        #expect(decoded.image.width == 480 && decoded.image.height == 320)
        let upright = try ImageDecoder().decode(contentsOf: DecodingFixtures.url("jpeg_exif6.jpg"))
        #expect(upright.image == decoded.image.oriented(byEXIF: 6))
    }

    @Test("JPEG draft decoding matches Pillow's Image.draft", arguments: DecodingFixtures.expected.draft.indices)
    func draft(_ index: Int) throws {
        let entry = DecodingFixtures.expected.draft[index]
        let decoded = try ImageDecoder().decode(contentsOf: DecodingFixtures.url(entry.file),
                                                draftSize: (entry.request[0], entry.request[1]))
        let result = try DecodingFixtures.compare(decoded.image, with: entry.pixels)
        #expect(result.equal, "\(entry.file): \(result.detail)")
    }

    @Test("decode(data:name:) equals decode(contentsOf:)")
    func fromData() throws {
        let url = DecodingFixtures.url("png_small_odd.png")
        let a = try ImageDecoder().decode(contentsOf: url)
        let b = try ImageDecoder().decode(data: Data(contentsOf: url), name: "x.png")
        #expect(a == b)
    }
}
