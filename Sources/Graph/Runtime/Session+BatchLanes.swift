import Foundation
import Kernels
import Tensor

/// Batch lanes: with `threads` threads and a batch of at least `threads` items, the
/// batch is cut into one contiguous sub-batch per thread and each sub-batch runs
/// through its own plan, single-threaded, in parallel. Ops then never wait for each
/// other at a parallel-section barrier, and each thread keeps its own working set in
/// its core's cache; small ops (pooling, elementwise, tiny GEMMs) that do not split
/// well across threads cost nothing extra. Each lane has its own arena for its
/// sub-batch, so memory is about that of one plan for the whole batch.
extension Session {
    /// The number of lanes for this run, or nil to run the batch as one.
    private func laneCount(for inputs: [String: Tensor], key: PlanKey) -> Int? {
        let threads = options.threadCount
        guard options.splitsBatch, !options.profile, threads > 1, !unsplittable.contains(key) else { return nil }
        guard batchSymbol != nil else { return nil }
        guard let batch = inputs.values.first?.shape.first, batch >= threads,
              inputs.values.allSatisfy({ $0.shape.first == batch }) else { return nil }
        return threads
    }

    /// The graph's batch dimension: every declared input and output starts with the
    /// same symbolic dimension (so a row of every output depends on that row of the inputs).
    static func batchSymbol(of graph: Graph) -> String? {
        var symbol: String?
        for value in graph.inputs + graph.outputs {
            guard let first = value.shape?.first, case let .symbolic(name) = first else { return nil }
            if symbol == nil { symbol = name } else if symbol != name { return nil }
        }
        return symbol
    }

    /// Runs `inputs` in lanes when that applies; nil means "run it whole".
    func runInLanes(_ inputs: [String: Tensor], key: PlanKey, _ compiledGraph: CompiledGraph) throws -> [String: Tensor]? {
        guard let lanes = laneCount(for: inputs, key: key) else { return nil }
        let batch = inputs.values.first!.shape[0]
        let bounds = (0...lanes).map { batch * $0 / lanes }
        while laneContexts.count < lanes { laneContexts.append(ExecutionContext(threadPool: ThreadPool(threadCount: 1))) }

        var lanePlans: [ExecutionPlan] = []
        do {
            for lane in 0..<lanes {
                let rows = bounds[lane + 1] - bounds[lane]
                let types = key.inputs.mapValues { TensorType($0.dataType, [rows] + $0.shape.dropFirst()) }
                let laneKey = PlanKey(protected: key.protected, inputs: types, outputs: key.outputs, lane: lane + 1)
                lanePlans.append(try plan(for: laneKey, compiledGraph))
            }
        } catch {
            unsplittable.insert(key)   // e.g. a Reshape that bakes in the batch size
            return nil
        }
        // Every output must be batch-major in every lane, or the rows would not line up.
        for (lane, plan) in lanePlans.enumerated() {
            let rows = bounds[lane + 1] - bounds[lane]
            guard plan.outputSources.allSatisfy({ $0.tensor.shape.first == rows }) else {
                unsplittable.insert(key)
                return nil
            }
        }

        for (lane, plan) in lanePlans.enumerated() {
            for (name, view) in plan.inputViews {
                let source = inputs[name]!
                let rowBytes = source.byteCount / batch
                view.rawPointer.copyMemory(from: source.rawPointer + bounds[lane] * rowBytes,
                                           byteCount: (bounds[lane + 1] - bounds[lane]) * rowBytes)
            }
        }
        var failure: Error?
        let failureLock = NSLock()
        let contexts = laneContexts
        context.threadPool.parallelFor(lanes) { lane in
            var noProfile: Profile? = nil
            do { try lanePlans[lane].execute(context: contexts[lane], profile: &noProfile) } catch {
                failureLock.lock(); failure = failure ?? error; failureLock.unlock()
            }
        }
        if let failure { throw failure }
        lastLaneCount = lanes

        var results: [String: Tensor] = [:]
        for (index, (name, first)) in lanePlans[0].outputSources.enumerated() {
            let rowShape = Array(first.shape.dropFirst())
            let output = Tensor(zeros: [batch] + rowShape, dataType: first.dataType)
            let rowBytes = first.byteCount / max(1, first.shape[0])
            for (lane, plan) in lanePlans.enumerated() {
                let source = plan.outputSources[index].tensor
                (output.rawPointer + bounds[lane] * rowBytes).copyMemory(from: source.rawPointer, byteCount: source.byteCount)
            }
            results[name] = output
        }
        return results
    }
}
