import Foundation
import ModelZoo
import Tensor
import TestSupport
import Testing

/// ``PositionGridResize`` against hand-computed cases, the committed numpy transcription of
/// ATen's bicubic kernel (Tests/Fixtures/position-grid/make_bicubic.py) and the test's own
/// per-pixel Double implementation.
@Suite struct PositionGridResizeTests {
    static let folder = Fixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/position-grid")

    static func load(_ name: String) throws -> [Float] {
        try NumPyFile.read(folder.appendingPathComponent(name + ".npy")).toFloats()
    }

    @Test func handComputedCases() throws {
        // 2 x 2 -> 1 x 1: source coordinate 2 * 0.5 - 0.5 = 0.5 on both axes, t = 0.5; taps -1, 0, 1, 2 clamp
        // to 0, 0, 1, 1 with weights -0.09375, 0.59375, 0.59375, -0.09375: each pixel gets 1/2 per axis.
        let one = try #require(PositionGridResize.resize([1, 10, 2, 20, 3, 30, 4, 40], channels: 2, from: 2, to: 1))
        #expect(one == [2.5, 25])
        // Same size: t = 0 and weights (0, 1, 0, 0): the identity.
        let grid: [Float] = (0..<18).map { Float($0) * 0.37 - 2 }
        #expect(PositionGridResize.resize(grid, channels: 2, from: 3, to: 3) == grid)
        // A constant grid stays constant (the weights sum to 1, up to float32 rounding as in torch).
        let constant = try #require(PositionGridResize.resize([Float](repeating: 1.5, count: 25), channels: 1, from: 5, to: 3))
        #expect(constant.allSatisfy { abs($0 - 1.5) < 1e-5 })
        // 1 x 2 rows are not grids; scale_factor sampling that misses the size is refused.
        #expect(PositionGridResize.resize([1, 2], channels: 1, from: 2, to: 1) == nil)
        #expect(PositionGridResize.resize([Float](repeating: 0, count: 4), channels: 1, from: 2, to: 3, sampling: .scaleFactor(offset: -0.5)) == nil)
    }

    @Test func matchesTheNumpyTranscription() throws {
        let grid37 = try Self.load("grid37"), grid5 = try Self.load("grid5")
        let cases: [(input: [Float], channels: Int, from: Int, to: Int, sampling: PositionGridResize.Sampling, file: String)] = [
            (grid37, 3, 37, 16, .size, "grid37_to16_size"),
            (grid37, 3, 37, 16, .scaleFactor(offset: 0.1), "grid37_to16_offset"),
            (grid5, 2, 5, 3, .size, "grid5_to3_size"),
            (grid5, 2, 5, 8, .size, "grid5_to8_size"),
        ]
        for item in cases {
            let expected = try Self.load(item.file)
            let actual = try #require(PositionGridResize.resize(item.input, channels: item.channels, from: item.from, to: item.to,
                                                               sampling: item.sampling))
            #expect(Comparison.maxAbsDifference(actual, expected) <= 2e-6, "\(item.file)")
        }
        // The two samplings really differ (HF today vs the original DINOv2 code), by this much on N(0, 1) data.
        let size = try Self.load("grid37_to16_size"), offset = try Self.load("grid37_to16_offset")
        #expect(Comparison.maxAbsDifference(size, offset) > 0.5)
    }

    @Test func matchesThePerPixelDoubleImplementation() throws {
        let grid37 = try Self.load("grid37")
        let actual = try #require(PositionGridResize.resize(grid37, channels: 3, from: 37, to: 16))
        let expected = ReferenceHFTransformer.bicubic(grid37, channels: 3, from: 37, to: 16, step: 37.0 / 16.0)
        #expect(Comparison.maxAbsDifference(actual, expected) <= 2e-6)
    }
}
