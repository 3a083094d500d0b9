import Foundation
import Testing
import TestSupport
@testable import Imaging

/// Batch building: rows equal single-image tensors; failures name their index.
@Suite("Batch preprocessing")
struct PreprocessingBatchTests {
    static func randomImage(width: Int, height: Int, seed: UInt64) -> RGBImage {
        var generator = SeededGenerator(seed: seed)
        return RGBImage(width: width, height: height,
                        pixels: (0..<(width * height * 3)).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    static let recipe = PreprocessingRecipe(resize: .shorterSide(20), interpolation: .bicubic,
                                            centerCrop: .init(width: 16, height: 12), scale: 1.0 / 255.0,
                                            mean: PreprocessingRecipe.imageNetMean, std: PreprocessingRecipe.imageNetStd)

    @Test("rows equal apply(to:) for every layout and thread count", arguments: [1, 3])
    func rowsMatchSingleImages(threads: Int) throws {
        let images = (0..<5).map { Self.randomImage(width: 17 + 9 * $0, height: 31 - 2 * $0, seed: UInt64($0)) }
        for recipe in [Self.recipe, PreprocessingRecipe.kerasVGG16] {
            let batch = try BatchPreprocessor(recipe: recipe, threads: threads).makeBatch(count: images.count) { images[$0] }
            let item = try recipe.apply(to: images[0])
            #expect(batch.shape == [images.count] + item.shape)
            let all = batch.toFloats()
            for (i, image) in images.enumerated() {
                let expected = try recipe.apply(to: image).toFloats()
                let row = Array(all[(i * expected.count)..<((i + 1) * expected.count)])
                #expect(PreprocessingFixtures.mismatches(row, expected).count == 0, "image \(i)")
            }
        }
    }

    struct LoadFailure: Error {}

    @Test("a failing load reports its index")
    func failureIndex() throws {
        let preprocessor = BatchPreprocessor(recipe: Self.recipe, threads: 2)
        do {
            _ = try preprocessor.makeBatch(count: 6) { index in
                if index == 4 || index == 5 { throw LoadFailure() }
                return Self.randomImage(width: 20, height: 20, seed: 1)
            }
            Issue.record("expected an error")
        } catch let error as BatchPreprocessingError {
            #expect(error.index == 4 || error.index == 5)
            #expect(error.underlying is LoadFailure)
        }
        do {
            _ = try preprocessor.makeBatch(count: 3) { index in
                index == 1 ? RGBImage(width: 0, height: 0) : Self.randomImage(width: 20, height: 20, seed: 1)
            }
            Issue.record("expected an error")
        } catch let error as BatchPreprocessingError {
            #expect(error.index == 1 && error.underlying is PreprocessingError)
        }
        // No fixed output size: refused up front.
        var variable = Self.recipe
        variable.centerCrop = nil
        #expect(throws: PreprocessingError.self) {
            try BatchPreprocessor(recipe: variable).makeBatch(count: 1) { _ in Self.randomImage(width: 4, height: 4, seed: 0) }
        }
        let empty = try preprocessor.makeBatch(count: 0) { _ in RGBImage(width: 1, height: 1) }
        #expect(empty.shape == [0, 3, 12, 16])
    }
}
