import Tensor

/// Folds a zero constant Pad of the spatial axes into the Conv that reads it, as
/// extra Conv padding (TensorFlow-style 'SAME' exports pad asymmetrically with
/// explicit Pad nodes; EfficientNet-Lite has one before every stride-2 conv).
///
/// Applies when the Pad's mode is constant with value 0, its pads (and axes, if
/// given) are constants, it pads only the spatial axes of an NC(spatial) tensor,
/// never crops, and its output is read only by Conv(s) with explicit padding.
public struct PadFoldingPass: GraphPass {
    public let name = "pad-folding"
    public init() {}

    public func run(on graph: inout Graph, protected: Set<String>) throws {
        var removed = IndexSet()
        for (padIndex, pad) in graph.nodes.enumerated() where pad.opType == "Pad" && pad.domain.isEmpty {
            guard let source = pad.input(0), let output = pad.outputs.first, !protected.contains(output),
                  try pad.string("mode", default: "constant") == "constant",
                  let pads = try padAmounts(pad, graph), pads.count % 2 == 0, pads.count >= 6,
                  pads.allSatisfy({ $0 >= 0 }) else { continue }
            if let valueName = pad.input(2) {
                guard let value = graph.initializers[valueName], value.count == 1, value.toFloats()[0] == 0 else { continue }
            } else if let value = pad.attributes["value"]?.floatValue, value != 0 { continue }
            let rank = pads.count / 2
            guard pads[0] == 0, pads[1] == 0, pads[rank] == 0, pads[rank + 1] == 0 else { continue }
            let readers = graph.consumers(of: output)
            guard !readers.isEmpty, readers.allSatisfy({ isFoldableConv(graph.nodes[$0], reading: output) }) else { continue }
            let spatialBegin = Array(pads[2..<rank]), spatialEnd = Array(pads[(rank + 2)...])
            for reader in readers {
                var conv = graph.nodes[reader]
                let existing = try conv.ints("pads") ?? [Int](repeating: 0, count: 2 * (rank - 2))
                guard existing.count == 2 * (rank - 2) else { continue }
                let begins = zip(existing.prefix(rank - 2), spatialBegin).map(+)
                let ends = zip(existing.suffix(rank - 2), spatialEnd).map(+)
                conv.attributes["pads"] = .ints(begins + ends)
                conv.attributes["auto_pad"] = nil
                conv.inputs[0] = source
                graph.nodes[reader] = conv
            }
            removed.insert(padIndex)
        }
        guard !removed.isEmpty else { return }
        graph.nodes = graph.nodes.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
    }

    private func isFoldableConv(_ node: Node, reading value: String) -> Bool {
        guard node.opType == "Conv", node.domain.isEmpty, node.inputs.first == value,
              (try? node.string("auto_pad", default: "NOTSET")) == "NOTSET" else { return false }
        return true
    }

    /// The pads as constants (input 1 for opset >= 11, else the attribute), for all axes.
    private func padAmounts(_ pad: Node, _ graph: Graph) throws -> [Int]? {
        if pad.input(3) != nil { return nil } // `axes` form: not folded
        if let name = pad.input(1) {
            guard let tensor = graph.initializers[name] else { return nil }
            return tensor.toInt64s().map { Int($0) }
        }
        return try pad.ints("pads")
    }
}
