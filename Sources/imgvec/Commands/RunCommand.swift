import ArgumentParser
import Foundation
import ImgVec

/// `imgvec run MODEL.onnx --input X.npy --output Y.npy`: one batch through the engine.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a model on a batch stored as .npy and write the result as .npy.",
        discussion: """
        The input is a float32 NumPy array shaped as the model expects (for an image model
        [N, 3, 224, 224]). The output is float32, C order, NumPy format 1.0.
        Example: imgvec run resnet18.onnx --input batch.npy --output features.npy --threads 2
        """
    )

    @Argument(help: "An ONNX model file.")
    var model: String

    @Option(help: "Input tensor (.npy).")
    var input: String

    @Option(help: "Where to write the output tensor (.npy).")
    var output: String

    @Option(help: "Output value to return: a graph output or any intermediate value (see `imgvec inspect --values`).")
    var node: String?

    @Option(help: "Intra-op threads (default: one per core).")
    var threads: Int?

    func run() throws {
        let loaded = try InferenceModel(contentsOf: URL(fileURLWithPath: model), options: SessionOptions(threadCount: threads))
        var batch = try NumPyFile.read(URL(fileURLWithPath: input))
        if batch.dataType != .float32 { batch = batch.convertedToFloat32() }
        let result = try loaded.run(batch, output: node)
        try NumPyFile.write(result.convertedToFloat32(), to: URL(fileURLWithPath: output))
    }
}
