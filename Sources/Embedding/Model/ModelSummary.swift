import Foundation
import Graph
import Tensor

/// What `imgvec inspect` prints about a model: inputs, outputs, op histogram,
/// parameter count and multiply-adds.
public struct ModelSummary: Sendable {
    public struct Value: Sendable {
        public var name: String
        public var dataType: String
        public var shape: [String]
    }

    public var inputs: [Value]
    public var outputs: [Value]
    public var opHistogram: [(opType: String, count: Int)]
    public var parameterCount: Int
    /// Multiply-adds of one image (batch 1), when the input shape is known.
    public var multiplyAddsPerImage: Int?
    public var nodeCount: Int
    public var optimizedNodeCount: Int
    public var opsetVersion: Int

    /// Summarises `model`, planning a batch-1 run to count multiply-adds.
    public init(_ model: InferenceModel) {
        let graph = model.graph
        func describe(_ info: ValueInfo) -> Value {
            Value(name: info.name, dataType: info.dataType.description, shape: info.shape?.map(\.description) ?? ["?"])
        }
        inputs = graph.inputs.map(describe)
        outputs = graph.outputs.map(describe)
        var histogram: [String: Int] = [:]
        for node in graph.nodes { histogram[node.opType, default: 0] += 1 }
        opHistogram = histogram.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { ($0.key, $0.value) }
        parameterCount = graph.parameterCount
        nodeCount = graph.nodes.count
        optimizedNodeCount = model.session.optimizedGraph.nodes.count
        opsetVersion = graph.opsetVersion
        var shapes: [String: [Int]] = [:]
        var complete = true
        for input in graph.inputs {
            let dims = input.shape?.enumerated().map { index, dim in dim.value ?? (index == 0 ? 1 : -1) } ?? []
            if dims.contains(-1) || input.shape == nil { complete = false }
            shapes[input.name] = dims
        }
        multiplyAddsPerImage = complete ? (try? model.session.statistics(inputShapes: shapes).multiplyAdds) : nil
    }
}
