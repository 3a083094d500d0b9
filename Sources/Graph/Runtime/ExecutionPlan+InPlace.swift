import Foundation
import Tensor

/// Outputs computed in their input's buffer (``Operator/inPlaceInput(_:outputs:)``): a
/// convolution whose skip connection is added as each tile is stored writes its result over
/// that skip connection when nothing reads it afterwards. Each output line is then fetched
/// once, to be read and written, instead of the residual's line and the output's line apart
/// (the output's is read for ownership before it is written). One-layer harness, resnet50's
/// 64 -> 256 at 56x56 with its skip connection, caches flushed: 1.21-1.27 -> 1.05-1.07 ms.
/// The arena shrinks by the shared buffers too.
extension ExecutionPlan {
    /// `IMGVEC_IN_PLACE=0` turns sharing off (for comparisons).
    static let inPlaceEnabled = ProcessInfo.processInfo.environment["IMGVEC_IN_PLACE"] != "0"

    /// Gives each step's output the buffer of the input its operator names, where that input's
    /// buffer is read by no later step (nor is a graph input or output), holds exactly that
    /// value (no view into a larger buffer), is the output's size, and is no other input of the
    /// same step. The output's request is emptied and its lifetime carried over.
    static func shareInPlaceBuffers(_ nodes: [Node], _ operators: [Operator], types: [String: TensorType],
                                    graphInputs: Set<String>, bufferOf: inout [String: Int], viewOffset: [String: Int],
                                    requests: inout [MemoryPlanner.Request]) {
        guard inPlaceEnabled else { return }
        let inputBuffers = Set(graphInputs.compactMap { bufferOf[$0] })
        for (step, node) in nodes.enumerated() {
            let inputTypes = node.inputs.map { $0.isEmpty ? nil : types[$0] }
            let outputTypes = node.outputs.compactMap { types[$0] }
            guard let output = node.outputs.first, !output.isEmpty, outputTypes.count == node.outputs.count,
                  let slot = operators[step].inPlaceInput(inputTypes, outputs: outputTypes),
                  let input = node.input(slot), let source = bufferOf[input], let target = bufferOf[output],
                  source != target, !inputBuffers.contains(source), requests[source].lastStep == step,
                  viewOffset[input, default: 0] == 0, viewOffset[output, default: 0] == 0,
                  requests[source].byteCount == requests[target].byteCount,
                  requests[target].firstStep == step else { continue }
            let others = node.inputs.enumerated().filter { $0.offset != slot && !$0.element.isEmpty }
            guard others.allSatisfy({ bufferOf[$0.element] != source }) else { continue }
            for (name, buffer) in bufferOf where buffer == target { bufferOf[name] = source }
            requests[source].lastStep = requests[target].lastStep
            requests[target] = MemoryPlanner.Request(byteCount: 0, firstStep: step, lastStep: step)
        }
    }
}
