import Foundation
import Testing
@testable import Imaging

/// Corrupt, truncated, unknown and oversized inputs throw `ImageDecodingError`s naming the file.
@Suite("Decoding errors")
struct DecodingErrorTests {
    @Test("every invalid fixture throws with its path", arguments: DecodingFixtures.expected.invalid)
    func invalidFixtureThrows(_ name: String) throws {
        let url = DecodingFixtures.url(name)
        do {
            let decoded = try ImageDecoder().decode(contentsOf: url)
            Issue.record("\(name) decoded to \(decoded.image.width)x\(decoded.image.height)")
        } catch let error as ImageDecodingError {
            #expect(error.description.hasPrefix(url.path + ": "), "\(error)")
            #expect(!error.reason.isEmpty)
        }
    }

    @Test("the reasons say what went wrong")
    func reasons() throws {
        func reason(_ name: String) -> ImageDecodingError? {
            do { _ = try ImageDecoder().decode(contentsOf: DecodingFixtures.url(name)); return nil }
            catch { return error as? ImageDecodingError }
        }
        #expect(reason("corrupt_empty.jpg")?.kind == .empty)
        #expect(reason("corrupt_random.jpg")?.reason == "not a recognised image format")
        #expect(reason("corrupt_truncated.jpg")?.kind == .truncated)
        #expect(reason("corrupt_truncated.png")?.kind == .truncated)
        #expect(reason("synthetic/corrupt_truncated_progressive.jpg")?.kind == .truncated)
        #expect(reason("corrupt_bad_crc.png")?.reason.contains("CRC") == true)
        #expect(reason("synthetic/bomb_100000x100000.png")?.kind == .tooManyPixels)
        #expect(reason("synthetic/bomb_65000x65000.jpg")?.kind == .tooManyPixels)
    }

    @Test("the pixel limit is checked from the header, before decoding")
    func pixelLimit() throws {
        // 100000 x 100000 RGB would need 30 GB; the refusal must be immediate.
        let start = Date()
        #expect(throws: ImageDecodingError.self) {
            _ = try ImageDecoder().decode(contentsOf: DecodingFixtures.url("synthetic/bomb_100000x100000.png"))
        }
        #expect(Date().timeIntervalSince(start) < 1)
        // The limit is configurable: a 97x61 image is refused under 5000 pixels, accepted at 5917.
        let small = DecodingFixtures.url("png_small_odd.png")
        #expect(throws: ImageDecodingError.self) { _ = try ImageDecoder(maxPixels: 5000).decode(contentsOf: small) }
        #expect(try ImageDecoder(maxPixels: 97 * 61).decode(contentsOf: small).image.width == 97)
    }

    @Test("a missing file is an error naming it")
    func missingFile() {
        let url = URL(fileURLWithPath: "/nonexistent/picture.png")
        #expect { _ = try ImageDecoder().decode(contentsOf: url) } throws: { error in
            (error as? ImageDecodingError)?.description.hasPrefix("/nonexistent/picture.png: ") == true
        }
    }

    @Test("in-memory data uses the given name")
    func dataName() {
        #expect { _ = try ImageDecoder().decode(data: Data([1, 2, 3, 4]), name: "upload #3") } throws: { error in
            (error as? ImageDecodingError)?.description == "upload #3: not a recognised image format"
        }
    }

    @Test("every prefix of a small file throws or decodes, never crashes",
          arguments: ["synthetic/exif_6.jpg", "synthetic/png_palette_trns.png", "synthetic/gif_offset_frame.gif",
                      "synthetic/bmp_palette4.bmp", "synthetic/tiff_tiled.tif", "synthetic/webp_exif8.webp"])
    func prefixes(_ name: String) throws {
        let bytes = try Data(contentsOf: DecodingFixtures.url(name))
        var threw = 0
        for length in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 97)) {
            do { _ = try ImageDecoder().decode(data: bytes.prefix(length), name: name) } catch { threw += 1 }
        }
        #expect(threw > 0)
    }
}

@Suite("Image format sniffing")
struct DecodingFormatTests {
    @Test func signatures() {
        #expect(ImageFormat.sniff([0xFF, 0xD8, 0xFF, 0xE0]) == .jpeg)
        #expect(ImageFormat.sniff([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) == .png)
        #expect(ImageFormat.sniff(Array("RIFF\u{0}\u{0}\u{0}\u{0}WEBPVP8 ".utf8)) == .webp)
        #expect(ImageFormat.sniff(Array("RIFF\u{0}\u{0}\u{0}\u{0}WAVEfmt ".utf8)) == nil)
        #expect(ImageFormat.sniff(Array("GIF89a".utf8)) == .gif)
        #expect(ImageFormat.sniff(Array("GIF87a".utf8)) == .gif)
        #expect(ImageFormat.sniff(Array("BM".utf8)) == .bmp)
        #expect(ImageFormat.sniff([0x49, 0x49, 0x2A, 0x00]) == .tiff)
        #expect(ImageFormat.sniff([0x4D, 0x4D, 0x00, 0x2A]) == .tiff)
        #expect(ImageFormat.sniff([0x49, 0x49, 0x2B, 0x00]) == nil)
        #expect(ImageFormat.sniff([UInt8]()) == nil)
    }

    @Test("the extension does not matter")
    func contentNotExtension() throws {
        let png = try Data(contentsOf: DecodingFixtures.url("tiny_1x1.png"))
        let decoded = try ImageDecoder().decode(data: png, name: "really.jpg")
        #expect(decoded.format == .png)
        #expect(decoded.image.pixels == [200, 30, 90])
    }
}
