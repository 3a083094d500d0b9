import Foundation
import Imaging
import Tensor
import TestSupport

/// Locates and loads the committed preprocessing expectations
/// (`Tests/ImagingTests/Fixtures/preprocessing`, written by scripts/make_resample_references.py).
enum PreprocessingFixtures {
    static let directory = Fixtures.repositoryRoot.appendingPathComponent("Tests/ImagingTests/Fixtures/preprocessing")

    static func url(_ relativePath: String) -> URL { directory.appendingPathComponent(relativePath) }

    /// A uint8 `[H, W, 3]` .npy file as an image.
    static func image(at url: URL) throws -> RGBImage {
        let tensor = try NumPyFile.read(url)
        guard tensor.dataType == .uint8, tensor.rank == 3, tensor.shape[2] == 3 else {
            throw PreprocessingError.invalidSize("\(url.lastPathComponent): expected uint8 [H, W, 3], got \(tensor.dataType) \(tensor.shape)")
        }
        let bytes = [UInt8](UnsafeBufferPointer(start: tensor.rawPointer.assumingMemoryBound(to: UInt8.self),
                                                count: tensor.count))
        return RGBImage(width: tensor.shape[1], height: tensor.shape[0], pixels: bytes)
    }

    /// A float32 .npy file as (shape, values).
    static func floats(at url: URL) throws -> (shape: [Int], values: [Float]) {
        let tensor = try NumPyFile.read(url)
        return (tensor.shape, tensor.toFloats())
    }

    /// Bit patterns, so that equality means bit-for-bit equality (and NaN == NaN).
    static func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

    /// Number of differing elements and the first differing index.
    static func mismatches(_ a: [Float], _ b: [Float]) -> (count: Int, first: Int?) {
        var count = 0
        var first: Int?
        for i in 0..<min(a.count, b.count) where a[i].bitPattern != b[i].bitPattern {
            count += 1
            if first == nil { first = i }
        }
        return (count + abs(a.count - b.count), first)
    }
}
