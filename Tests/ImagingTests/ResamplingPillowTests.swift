import Foundation
import Testing
@testable import Imaging

/// Pillow `Image.resize` outputs for every filter on small synthetic images must be reproduced
/// exactly (fixtures from scripts/make_resample_references.py).
@Suite("Resampling matches Pillow")
struct ResamplingPillowTests {
    struct Case: Decodable {
        let name: String
        let input: String
        let width: Int
        let height: Int
        let outputs: [String: String]
    }

    static func cases() throws -> [Case] {
        struct Index: Decodable { let cases: [Case] }
        let data = try Data(contentsOf: PreprocessingFixtures.url("resample/index.json"))
        return try JSONDecoder().decode(Index.self, from: data).cases
    }

    @Test("every filter, every case, bit for bit")
    func allCases() throws {
        let cases = try Self.cases()
        #expect(cases.count >= 14)
        for testCase in cases {
            let input = try PreprocessingFixtures.image(at: PreprocessingFixtures.url("resample/\(testCase.input)"))
            #expect(testCase.outputs.count == Interpolation.allCases.count)
            for (filterName, file) in testCase.outputs.sorted(by: { $0.key < $1.key }) {
                let filter = try #require(Interpolation(rawValue: filterName))
                let expected = try PreprocessingFixtures.image(at: PreprocessingFixtures.url("resample/\(file)"))
                let actual = try PillowResampler.resize(input, width: testCase.width, height: testCase.height,
                                                        interpolation: filter)
                let differing = zip(actual.pixels, expected.pixels).filter { $0 != $1 }.count
                #expect(actual.width == expected.width && actual.height == expected.height,
                        "\(testCase.name) \(filterName): size")
                #expect(differing == 0, "\(testCase.name) \(filterName): \(differing) bytes differ from Pillow")
            }
        }
    }

    @Test("a window of the resize equals the same pixels of the full resize")
    func windowMatchesFullResize() throws {
        let testCase = try #require(try Self.cases().first { $0.name == "mixed_37x29_to_29x41" })
        let input = try PreprocessingFixtures.image(at: PreprocessingFixtures.url("resample/\(testCase.input)"))
        for filter in Interpolation.allCases {
            let full = try PillowResampler.resize(input, width: 29, height: 41, interpolation: filter)
            let window = try PillowResampler.resize(input, width: 29, height: 41, interpolation: filter,
                                                    columns: 5..<17, rows: 9..<40)
            let expected = PillowResampler.crop(full, columns: 5..<17, rows: 9..<40)
            #expect(window == expected, "\(filter)")
        }
    }

    @Test("same size is a copy; bad sizes throw")
    func edgeCases() throws {
        let image = RGBImage(width: 3, height: 2, pixels: Array(0..<18).map(UInt8.init))
        #expect(try PillowResampler.resize(image, width: 3, height: 2, interpolation: .lanczos) == image)
        #expect(throws: PreprocessingError.self) {
            try PillowResampler.resize(image, width: 0, height: 2, interpolation: .bilinear)
        }
        #expect(throws: PreprocessingError.self) {
            try PillowResampler.resize(RGBImage(width: 0, height: 0), width: 4, height: 4, interpolation: .bilinear)
        }
        #expect(throws: PreprocessingError.self) {
            try PillowResampler.resize(image, width: 4, height: 4, interpolation: .bilinear, columns: 0..<5, rows: 0..<4)
        }
    }
}
