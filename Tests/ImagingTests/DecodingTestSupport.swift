import Foundation
import Imaging
import Tensor
import TestSupport

/// The committed decoder fixtures: Tests/ImagingTests/Fixtures/images (see
/// scripts/make_decoded_references.py) and their Pillow expectations.
enum DecodingFixtures {
    static let directory = Fixtures.repositoryRoot.appendingPathComponent("Tests/ImagingTests/Fixtures/images")

    struct PixelCheck: Decodable {
        let fnv1a64: String
        let step: Int
        let array: String
        let shape: [Int]
    }

    struct Valid: Decodable {
        let format: String
        let mode: String
        let stored: [Int]
        let exif_orientation: Int
        let pixels: PixelCheck
        let msb: PixelCheck?
    }

    struct Draft: Decodable {
        let file: String
        let request: [Int]
        let pixels: PixelCheck
    }

    struct Expected: Decodable {
        let valid: [String: Valid]
        let invalid: [String]
        let draft: [Draft]
    }

    static let expected: Expected = {
        let data = try! Data(contentsOf: directory.appendingPathComponent("expected.json"))
        return try! JSONDecoder().decode(Expected.self, from: data)
    }()

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// FNV-1a 64 of the bytes, as hex (what the script stores).
    static func fnv1a64(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in bytes { hash = (hash ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Loads a uint8 [H,W,3] .npy as bytes.
    static func loadRGB(_ url: URL) throws -> (height: Int, width: Int, bytes: [UInt8]) {
        let tensor = try NumPyFile.read(url)
        precondition(tensor.dataType == .uint8 && tensor.rank == 3 && tensor.shape[2] == 3)
        let raw = UnsafeRawBufferPointer(start: tensor.rawPointer, count: tensor.byteCount)
        return (tensor.shape[0], tensor.shape[1], [UInt8](raw))
    }

    /// Compares a decoded image with a stored check: exact hash, and on mismatch the max
    /// abs difference over the stored (subsampled) array, for the failure message.
    static func compare(_ image: RGBImage, with check: PixelCheck) throws -> (equal: Bool, detail: String) {
        guard image.height == check.shape[0], image.width == check.shape[1] else {
            return (false, "size \(image.width)x\(image.height), expected \(check.shape[1])x\(check.shape[0])")
        }
        if fnv1a64(image.pixels) == check.fnv1a64 { return (true, "identical") }
        let sub = try loadRGB(directory.appendingPathComponent(check.array))
        var maxDiff = 0, differing = 0
        for y in 0..<sub.height {
            for x in 0..<sub.width {
                let i = ((y * check.step) * image.width + x * check.step) * 3
                let o = (y * sub.width + x) * 3
                var d = 0
                for c in 0..<3 { d = max(d, abs(Int(image.pixels[i + c]) - Int(sub.bytes[o + c]))) }
                maxDiff = max(maxDiff, d)
                if d > 0 { differing += 1 }
            }
        }
        return (false, "hash differs; on the 1/\(check.step) grid max abs diff \(maxDiff), \(differing) of \(sub.height * sub.width) pixels differ")
    }
}
