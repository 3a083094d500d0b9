import Foundation
import ImgVec
import Testing
import TestSupport

/// Every fixture model, run by imgvec's engine, against ONNX Runtime's outputs.
@Suite(.serialized) struct ModelParityTests {
    static let models = ReferenceModel.all

    @Test(arguments: models)
    func randomBatchMatchesONNXRuntime(_ reference: ReferenceModel) throws {
        let inputURL = try #require(Manifest.locate("reference/random_batch/input.npy"))
        let expectedURL = try #require(Manifest.locate("reference/random_batch/\(reference.name).npy"))
        let model = try InferenceModel(contentsOf: reference.modelURL, options: SessionOptions(threadCount: 2))
        let input = try NumPyFile.read(inputURL)
        let expected = try NumPyFile.read(expectedURL)
        let output = try model.run(input)
        #expect(output.shape == expected.shape)
        let got = output.toFloats(), want = expected.toFloats()
        let worst = Comparison.maxAbsDifference(got, want)
        #expect(worst <= reference.atolRandomBatch, "\(reference.name): max abs diff \(worst) > \(reference.atolRandomBatch)")
        let rows = expected.shape[0], width = expected.count / rows
        for row in 0..<rows {
            let cosine = Comparison.cosine(Array(got[row * width..<(row + 1) * width]), Array(want[row * width..<(row + 1) * width]))
            #expect(cosine >= 0.99999, "\(reference.name) row \(row): cosine \(cosine)")
        }
        // Batch 1 gives the same rows as batch 4, up to float32 rounding (kernels may block
        // a batch differently from a single image): 2e-6 of the row's largest magnitude.
        for row in [0, rows - 1] {
            let batchRow = Array(got[row * width..<(row + 1) * width])
            let single = try model.run(input.slice(rows: row..<row + 1).copy()).toFloats()
            let drift = Comparison.maxAbsDifference(single, batchRow)
            let scale = max(1, batchRow.map(abs).max() ?? 0)
            #expect(drift <= 2e-6 * scale, "\(reference.name) row \(row): batch 1 vs batch 4 differ by \(drift)")
        }
    }

    @Test(arguments: models)
    func imageEmbeddingsMatchONNXRuntime(_ reference: ReferenceModel) throws {
        guard let shared = Fixtures.shared else { return }
        let model = try InferenceModel(contentsOf: reference.modelURL, options: SessionOptions(threadCount: 2))
        let folder = shared.appendingPathComponent("reference/embeddings/\(reference.name)")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".npy") }.sorted()
        #expect(files.count >= 20)
        for file in files {
            let stem = String(file.dropLast(4))
            let baseStem = String(stem.split(separator: "@").first!)
            let tensorName = stem.contains("@msb") ? "\(baseStem).torch_msb.npy" : "\(baseStem).torch.npy"
            let tensor = try NumPyFile.read(shared.appendingPathComponent("reference/tensors/\(tensorName)"))
            let expected = try NumPyFile.read(folder.appendingPathComponent(file)).toFloats()
            let got = try model.run(tensor.reshaped([1] + tensor.shape)).toFloats()
            let degenerate = !stem.contains("@") && Manifest.degenerateStems.contains(baseStem)
            let tolerance = degenerate ? reference.atolDegenerate : reference.atolImages
            let worst = Comparison.maxAbsDifference(got, expected)
            #expect(worst <= tolerance, "\(reference.name) \(stem): max abs diff \(worst) > \(tolerance)")
        }
    }
}
