import Foundation
import Kernels
import Tensor

/// A graph specialised for concrete input shapes: shape computations folded into
/// constants, every remaining op a step with preallocated input and output views
/// into one arena. Running a plan allocates no tensor memory.
final class ExecutionPlan {
    /// One op to run, with its tensors already bound.
    struct Step {
        let op: Operator
        let node: Node
        let inputs: [Tensor?]
        let outputs: [Tensor]
        let multiplyAdds: Int
        /// Too little work to split across threads: waking the pool, and the barrier
        /// after it, would cost more than the split saves (matters at batch 1).
        let runsSerially: Bool

        /// `Conv 'name' f32[8, 64, 56, 56]` style description for profiles.
        var profileLabel: String {
            "\(node.label) -> \(outputs.first.map { "\($0.shape)" } ?? "")"
        }
    }

    let steps: [Step]
    /// Arena views that user inputs are copied into, by input name.
    let inputViews: [(name: String, view: Tensor)]
    /// Where each requested output is read from after the last step.
    let outputSources: [(name: String, tensor: Tensor)]
    let arenaByteCount: Int
    private let arena: TensorStorage

    /// Total multiply-adds of one run.
    var multiplyAdds: Int { steps.reduce(0) { $0 + $1.multiplyAdds } }

    /// The size of the value `name` a step computes, and the multiply-adds of the steps after
    /// that one; nil when no step computes it (an input, a constant, a view of another value).
    func cost(after name: String) -> (byteCount: Int, multiplyAdds: Int)? {
        for (index, step) in steps.enumerated() {
            guard let slot = step.node.outputs.firstIndex(of: name), slot < step.outputs.count else { continue }
            return (step.outputs[slot].byteCount, steps[(index + 1)...].reduce(0) { $0 + $1.multiplyAdds })
        }
        return nil
    }

    init(compiled: CompiledGraph, inputTypes: [String: TensorType], outputNames: [String],
         context: ExecutionContext) throws {
        let graph = compiled.graph
        var types: [String: TensorType] = inputTypes
        var constants: [String: Tensor] = graph.initializers
        for (name, tensor) in graph.initializers { types[name] = TensorType(tensor.dataType, tensor.shape) }

        // Nodes the requested outputs need (a value given as an input is not computed: a
        // batched head's plan starts from the trunk's last value).
        var needed = Set(outputNames)
        var isNeeded = [Bool](repeating: false, count: graph.nodes.count)
        for index in graph.nodes.indices.reversed()
        where graph.nodes[index].outputs.contains(where: { needed.contains($0) && inputTypes[$0] == nil }) {
            isNeeded[index] = true
            for input in graph.nodes[index].inputs where !input.isEmpty { needed.insert(input) }
        }

        struct PendingStep { let nodeIndex: Int; let outputTypes: [TensorType] }
        var pending: [PendingStep] = []
        for (index, node) in graph.nodes.enumerated() where isNeeded[index] {
            let op = compiled.operators[index]
            var inputTypesForNode: [TensorType?] = []
            for name in node.inputs {
                if name.isEmpty { inputTypesForNode.append(nil); continue }
                guard let type = types[name] else { throw GraphError.missingValue(name) }
                inputTypesForNode.append(type)
            }
            let inputConstants = node.inputs.map { $0.isEmpty ? nil : constants[$0] }
            if let folded = try Self.foldShapeQuery(node, inputTypesForNode) {
                constants[node.outputs[0]] = folded
                types[node.outputs[0]] = TensorType(folded.dataType, folded.shape)
                continue
            }
            let outputTypes: [TensorType]
            do {
                outputTypes = try op.inferTypes(inputTypesForNode, constants: inputConstants)
            } catch let error as GraphError {
                throw error
            } catch {
                throw GraphError.invalidInput(node: node.label, reason: "\(error)")
            }
            guard outputTypes.count >= node.outputs.filter({ !$0.isEmpty }).count else {
                throw GraphError.malformed("\(node.label) declares \(node.outputs.count) outputs, op produced \(outputTypes.count)")
            }
            for (slot, name) in node.outputs.enumerated() where !name.isEmpty { types[name] = outputTypes[slot] }
            let allConstant = zip(node.inputs, inputConstants).allSatisfy { $0.0.isEmpty || $0.1 != nil }
            if allConstant && !node.inputs.isEmpty {
                let results = try Self.evaluate(op, node: node, inputs: inputConstants, types: outputTypes, context: context)
                for (slot, name) in node.outputs.enumerated() where !name.isEmpty { constants[name] = results[slot] }
                continue
            }
            pending.append(PendingStep(nodeIndex: index, outputTypes: outputTypes))
        }

        // Buffers: graph inputs, then every non-constant step output; aliasing ops share their
        // source's buffer, and outputs that are pieces of their input (a view) sit inside it, at
        // `viewOffset` bytes past the buffer's start.
        var bufferOf: [String: Int] = [:]
        var viewOffset: [String: Int] = [:]
        var viewSteps = Set<Int>()
        var requests: [MemoryPlanner.Request] = []
        func touch(_ buffer: Int, at step: Int) { requests[buffer].lastStep = max(requests[buffer].lastStep, step) }
        for (name, type) in inputTypes where needed.contains(name) {
            bufferOf[name] = requests.count
            requests.append(.init(byteCount: type.byteCount, firstStep: 0, lastStep: 0))
        }
        for (stepIndex, step) in pending.enumerated() {
            let node = graph.nodes[step.nodeIndex]
            for name in node.inputs where !name.isEmpty {
                if let buffer = bufferOf[name] { touch(buffer, at: stepIndex) }
            }
            let op = compiled.operators[step.nodeIndex]
            if let sourceName = node.input(0), let buffer = bufferOf[sourceName],
               let offsets = op.outputViewOffsets(node.inputs.map { $0.isEmpty ? nil : types[$0] }, outputs: step.outputTypes),
               offsets.count == step.outputTypes.count {
                for (slot, name) in node.outputs.enumerated() where !name.isEmpty && slot < offsets.count {
                    bufferOf[name] = buffer
                    viewOffset[name] = viewOffset[sourceName, default: 0] + offsets[slot]
                }
                viewSteps.insert(stepIndex)
                continue
            }
            for (slot, name) in node.outputs.enumerated() where !name.isEmpty {
                if slot == 0, let aliased = op.aliasedInput, let sourceName = node.input(aliased),
                   let buffer = bufferOf[sourceName] {
                    bufferOf[name] = buffer
                    viewOffset[name] = viewOffset[sourceName]
                    continue
                }
                bufferOf[name] = requests.count
                requests.append(.init(byteCount: step.outputTypes[slot].byteCount, firstStep: stepIndex, lastStep: stepIndex))
            }
        }
        for name in outputNames { if let buffer = bufferOf[name] { touch(buffer, at: pending.count) } }
        Self.shareInPlaceBuffers(pending.map { graph.nodes[$0.nodeIndex] }, pending.map { compiled.operators[$0.nodeIndex] },
                                 types: types, graphInputs: Set(inputTypes.keys), bufferOf: &bufferOf, viewOffset: viewOffset,
                                 requests: &requests)
        let (offsets, arenaSize) = MemoryPlanner().plan(requests)
        let arena = TensorStorage(uninitializedByteCount: arenaSize)

        func view(_ name: String) -> Tensor? {
            if let constant = constants[name] { return constant }
            guard let buffer = bufferOf[name], let type = types[name] else { return nil }
            return Tensor(dataType: type.dataType, shape: type.shape, storage: arena,
                          byteOffset: offsets[buffer] + viewOffset[name, default: 0])
        }

        var steps: [Step] = []
        for (stepIndex, step) in pending.enumerated() {
            let node = graph.nodes[step.nodeIndex]
            let op = compiled.operators[step.nodeIndex]
            if op.aliasedInput != nil || viewSteps.contains(stepIndex) { continue } // a view: nothing to run
            let inputs = node.inputs.map { $0.isEmpty ? nil : view($0) }
            var outputs: [Tensor] = []
            for (slot, type) in step.outputTypes.enumerated() {
                if slot < node.outputs.count, !node.outputs[slot].isEmpty, let output = view(node.outputs[slot]) {
                    outputs.append(output)
                } else {
                    outputs.append(Tensor(zeros: type.shape, dataType: type.dataType)) // unused optional output
                }
            }
            let inputTypes = inputs.map { $0.map { TensorType($0.dataType, $0.shape) } }
            let multiplyAdds = op.multiplyAdds(inputTypes, outputs: step.outputTypes)
            let elements = (step.outputTypes + inputTypes.compactMap { $0 }).reduce(0) { max($0, $1.shape.reduce(1, *)) }
            steps.append(Step(op: op, node: node, inputs: inputs, outputs: outputs, multiplyAdds: multiplyAdds,
                              runsSerially: multiplyAdds < Self.serialMultiplyAdds && elements < Self.serialElements))
        }
        self.steps = steps
        self.arena = arena
        self.arenaByteCount = arenaSize
        self.inputViews = inputTypes.keys.sorted().compactMap { name in
            guard needed.contains(name), let v = view(name) else { return nil }
            return (name, v)
        }
        var sources: [(String, Tensor)] = []
        for name in outputNames {
            guard let tensor = view(name) else { throw GraphError.missingValue(name) }
            sources.append((name, tensor))
        }
        self.outputSources = sources
    }

    /// Runs every step. Inputs must already be copied into ``inputViews``.
    func execute(context: ExecutionContext, profile: inout Profile?) throws {
        for step in steps {
            if profile != nil {
                let start = DispatchTime.now().uptimeNanoseconds
                try run(step, context)
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                profile!.record(node: step.profileLabel, opType: step.node.opType, seconds: seconds,
                                multiplyAdds: step.multiplyAdds)
            } else {
                try run(step, context)
            }
        }
        profile?.finishRun()
    }

    /// Steps below both limits run on one thread: ~100K multiply-adds is a few microseconds
    /// on one core, about what handing half to the pool's spinning worker and joining costs;
    /// 8K elements in the largest input or output, about as long for an elementwise op.
    /// Measured at batch 1 on 2 threads (alternating runs): 1.5M/128K -> 500K/64K took
    /// MobileNetV3 from 6.9 to 5.0 ms and EfficientNet-B0 from 12.0 to 10.1 ms (on a Xeon);
    /// 500K/64K -> 100K/8K (a 14x14 depthwise of 200-240 channels, a 22K-element residual
    /// add), fastest / median of 30 rounds: MobileNetV3 +0.5% / -6.1%, of 14: -7.5% / -1.5%;
    /// EfficientNet-B0 of 10-14 rounds -0.9% to -3.6% / -1.1% to -5.7%; resnet50 and CLIP
    /// within noise (on an EPYC). `IMGVEC_SERIAL_MACS` and `IMGVEC_SERIAL_ELEMENTS` override.
    static let serialMultiplyAdds = environmentInteger("IMGVEC_SERIAL_MACS") ?? 100_000
    static let serialElements = environmentInteger("IMGVEC_SERIAL_ELEMENTS") ?? 8_192

    private static func environmentInteger(_ name: String) -> Int? {
        ProcessInfo.processInfo.environment[name].flatMap { Int($0) }
    }

    private func run(_ step: Step, _ context: ExecutionContext) throws {
        do {
            try step.op.execute(step.inputs, step.outputs, step.runsSerially ? (context.serial ?? context) : context)
        } catch let error as GraphError {
            throw error
        } catch {
            throw GraphError.invalidInput(node: step.node.label, reason: "\(error)")
        }
    }

    /// Shape and Size only need their input's type, which is known while planning.
    private static func foldShapeQuery(_ node: Node, _ inputs: [TensorType?]) throws -> Tensor? {
        guard node.domain.isEmpty, let input = inputs.first ?? nil else { return nil }
        switch node.opType {
        case "Shape":
            let rank = input.shape.count
            func clampAxis(_ axis: Int) -> Int { min(max(axis < 0 ? axis + rank : axis, 0), rank) }
            let start = clampAxis(try node.int("start", default: 0))
            let end = clampAxis(try node.int("end", default: rank))
            let dims = start < end ? Array(input.shape[start..<end]) : []
            return Tensor(shape: [dims.count], int64s: dims.map(Int64.init))
        case "Size":
            return Tensor(shape: [], int64s: [Int64(input.count)])
        default:
            return nil
        }
    }

    /// Runs one op on constants (constant folding).
    private static func evaluate(_ op: Operator, node: Node, inputs: [Tensor?], types: [TensorType],
                                 context: ExecutionContext) throws -> [Tensor] {
        if let aliased = op.aliasedInput, let source = inputs[aliased] {
            return [Tensor(dataType: types[0].dataType, shape: types[0].shape, storage: source.storage,
                           byteOffset: source.byteOffset)]
        }
        let outputs = types.map { Tensor(zeros: $0.shape, dataType: $0.dataType) }
        try op.execute(inputs, outputs, context)
        return outputs
    }
}
