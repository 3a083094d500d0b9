import Foundation
import Graph
import ONNX
import Tensor

/// A model ready to run: an ONNX file loaded, validated and compiled into a ``Session``.
///
/// ```swift
/// let model = try InferenceModel(contentsOf: URL(fileURLWithPath: "resnet18.onnx"))
/// let features = try model.session.run(batch)
/// ```
public final class InferenceModel: @unchecked Sendable {
    /// The file the model came from.
    public let url: URL
    /// The graph as imported (before optimisation).
    public let graph: Graph
    /// The compiled graph; run batches through it.
    public let session: Session
    /// The producer recorded in the file (for example "pytorch 2.5").
    public let producer: String

    /// Loads, validates and compiles the ONNX model at `url`.
    /// Unsupported ops are all listed in one error before anything runs.
    public init(contentsOf url: URL, options: SessionOptions = SessionOptions()) throws {
        let model = try ONNXModel.load(contentsOf: url)
        try ModelValidator.validate(model.graph, opsetVersion: model.opsetVersion, registry: .standard)
        self.url = url
        self.graph = model.graph
        self.producer = [model.producerName, model.producerVersion].filter { !$0.isEmpty }.joined(separator: " ")
        self.session = try Session(graph: model.graph, options: options)
    }

    /// Compiles a graph built in Swift (an architecture builder's) from the weights at `source`.
    public init(graph: Graph, source: URL, producer: String = "imgvec architecture builder",
                options: SessionOptions = SessionOptions()) throws {
        self.url = source
        self.graph = graph
        self.producer = producer
        self.session = try Session(graph: graph, options: options)
    }

    /// The first input's name.
    public var inputName: String { graph.inputs.first?.name ?? "input" }

    /// Runs `batch` through the model and returns `output` (default: the first graph output).
    public func run(_ batch: Tensor, output: String? = nil) throws -> Tensor {
        let name = output ?? graph.outputs.first?.name ?? ""
        guard let result = try session.run([inputName: batch], outputs: [name])[name] else {
            throw GraphError.missingValue(name)
        }
        return result
    }
}
