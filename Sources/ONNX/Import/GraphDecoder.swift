import Graph
import Tensor

/// Reads a `GraphProto` into a ``Graph``: nodes, initializers, inputs (minus
/// initializers) and outputs; `Constant` nodes become initializers.
struct GraphDecoder {
    let tensors: TensorDecoder

    func read(_ reader: inout WireReader, opsetVersion: Int) throws -> Graph {
        let path = reader.path
        var graph = Graph(opsetVersion: opsetVersion)
        var inputs: [ValueInfo] = []
        let nodes = NodeDecoder(tensors: tensors)
        while !reader.isAtEnd {
            let (field, wireType) = try reader.readTag()
            switch (field, wireType) {
            case (1, .lengthDelimited):
                var message = try reader.readMessage("NodeProto")
                graph.nodes.append(try nodes.read(&message))
            case (2, .lengthDelimited): graph.name = try reader.readString()
            case (5, .lengthDelimited):
                var message = try reader.readMessage("TensorProto")
                let record = try TensorRecord(reading: &message)
                guard !record.name.isEmpty else {
                    throw ONNXError.invalidModel(path: path, reason: "an initializer has no name")
                }
                guard graph.initializers[record.name] == nil else {
                    throw ONNXError.invalidModel(path: path, reason: "initializer '\(record.name)' is defined twice")
                }
                graph.initializers[record.name] = try tensors.tensor(from: record)
            case (11, .lengthDelimited):
                var message = try reader.readMessage("ValueInfoProto")
                inputs.append(try ValueInfoDecoder.read(&message))
            case (12, .lengthDelimited):
                var message = try reader.readMessage("ValueInfoProto")
                graph.outputs.append(try ValueInfoDecoder.read(&message))
            default:
                try reader.skip(wireType) // value_info, sparse initializers, docs, annotations
            }
        }
        try ConstantNodes.fold(&graph, path: path)
        graph.inputs = inputs.filter { graph.initializers[$0.name] == nil }
        return graph
    }
}
