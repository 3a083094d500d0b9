import ArgumentParser
import Foundation
import ImgVec

/// `imgvec inspect MODEL.onnx`: what a model takes, gives and costs.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print a model's inputs, outputs, op histogram, parameters and multiply-adds.",
        discussion: "Example: imgvec inspect resnet18.onnx --values"
    )

    @Argument(help: "An ONNX model file.")
    var model: String

    @Flag(help: "Also list every intermediate value name (usable as `imgvec run --node NAME`).")
    var values = false

    func run() throws {
        let loaded = try InferenceModel(contentsOf: URL(fileURLWithPath: model), options: SessionOptions(threadCount: 1))
        let summary = ModelSummary(loaded)
        var out = "model: \(model)\n"
        if !loaded.producer.isEmpty { out += "producer: \(loaded.producer)\n" }
        out += "opset: \(summary.opsetVersion)\n"
        out += "inputs:\n" + summary.inputs.map { "  \($0.name): \($0.dataType) [\($0.shape.joined(separator: ", "))]" }.joined(separator: "\n") + "\n"
        out += "outputs:\n" + summary.outputs.map { "  \($0.name): \($0.dataType) [\($0.shape.joined(separator: ", "))]" }.joined(separator: "\n") + "\n"
        out += "nodes: \(summary.nodeCount) (\(summary.optimizedNodeCount) after folding and fusion)\n"
        out += "ops:\n" + summary.opHistogram.map { "  \($0.opType.padding(toLength: 24, withPad: " ", startingAt: 0)) \($0.count)" }.joined(separator: "\n") + "\n"
        out += "parameters: \(Formatting.grouped(summary.parameterCount)) (\(Formatting.megabytes(summary.parameterCount * 4)) as float32)\n"
        if let macs = summary.multiplyAddsPerImage {
            out += "multiply-adds per image: \(Formatting.grouped(macs)) (\(String(format: "%.2f", Double(macs) / 1e9)) G)\n"
        }
        if values {
            out += "values:\n" + loaded.session.valueNames.map { "  \($0)" }.joined(separator: "\n") + "\n"
        }
        print(out, terminator: "")
    }
}
