import Foundation
import Kernels
import Tensor

/// Batch lanes: with `threads` threads and a batch of at least `threads` items, the
/// batch is cut into one contiguous sub-batch per thread and each sub-batch runs
/// through its own plans, single-threaded, in parallel. Ops then never wait for each
/// other at a parallel-section barrier; small ops (pooling, elementwise, tiny GEMMs)
/// that do not split well across threads cost nothing extra.
///
/// A lane steps through its sub-batch a few items at a time (``SessionOptions/laneStep``):
/// by default as many as keep its activations within ``Session/laneWorkingSetBudget``,
/// one image for the usual 224x224 vision models. Each op's input and output then stay in
/// the core's cache, where a whole sub-batch's would stream through memory (64 channels
/// at 112x112 is 3.2 MB per image). On one thread the batch is one lane that steps the
/// same way. Each lane has its own arena, the size of one step's.
extension Session {
    /// The activations (plan arena) a lane's step aims to stay within: about one core's L2.
    public static let laneWorkingSetBudget = 2 << 20

    /// The number of lanes for this run, or nil to run the batch as one.
    private func laneCount(for inputs: [String: Tensor], key: PlanKey) -> Int? {
        let threads = options.threadCount
        guard options.splitsBatch, !options.profile, !unsplittable.contains(key) else { return nil }
        guard batchSymbol != nil else { return nil }
        guard let batch = inputs.values.first?.shape.first, batch > 1, batch >= threads,
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

    /// The plan that runs `rows` items of `key`'s batch in lane `lane`, or nil when the
    /// graph cannot run a slice of its batch (a Reshape that bakes in the batch size) or
    /// an output is not batch-major (its rows would not line up).
    private func lanePlan(_ key: PlanKey, rows: Int, lane: Int, _ compiledGraph: CompiledGraph) -> ExecutionPlan? {
        let types = key.inputs.mapValues { TensorType($0.dataType, [rows] + $0.shape.dropFirst()) }
        let laneKey = PlanKey(protected: key.protected, inputs: types, outputs: key.outputs, lane: lane + 1)
        guard let plan = try? plan(for: laneKey, compiledGraph),
              plan.outputSources.allSatisfy({ $0.tensor.shape.first == rows }) else { return nil }
        return plan
    }

    /// Items per step for lanes of `key`: the option, or as many as fit the working-set
    /// budget by the arena of a one-item plan (at least one). Nil when the batch cannot be split.
    private func laneStep(_ key: PlanKey, _ compiledGraph: CompiledGraph) -> Int? {
        if options.laneStep > 0 { return options.laneStep }
        guard let single = lanePlan(key, rows: 1, lane: 0, compiledGraph) else { return nil }
        return max(1, Self.laneWorkingSetBudget / max(1, single.arenaByteCount))
    }

    /// Runs `inputs` in lanes when that applies; nil means "run it whole".
    func runInLanes(_ inputs: [String: Tensor], key: PlanKey, _ compiledGraph: CompiledGraph) throws -> [String: Tensor]? {
        guard let lanes = laneCount(for: inputs, key: key) else { return nil }
        let batch = inputs.values.first!.shape[0]
        let bounds = (0...lanes).map { batch * $0 / lanes }
        while laneContexts.count < lanes { laneContexts.append(ExecutionContext(threadPool: ThreadPool(threadCount: 1))) }
        guard let step = laneStep(key, compiledGraph) else {
            unsplittable.insert(key)
            return nil
        }

        // Each lane's rows in equal steps of at most `step` (so at most two plan sizes per lane).
        var laneSteps: [[(begin: Int, plan: ExecutionPlan)]] = []
        for lane in 0..<lanes {
            let rows = bounds[lane + 1] - bounds[lane]
            let count = (rows + step - 1) / step
            var steps: [(begin: Int, plan: ExecutionPlan)] = []
            for index in 0..<count {
                let begin = bounds[lane] + rows * index / count, end = bounds[lane] + rows * (index + 1) / count
                guard let plan = lanePlan(key, rows: end - begin, lane: lane, compiledGraph) else {
                    unsplittable.insert(key)
                    return nil
                }
                steps.append((begin, plan))
            }
            laneSteps.append(steps)
        }

        let outputs = Dictionary(uniqueKeysWithValues: laneSteps[0][0].plan.outputSources.map { name, first in
            (name, Tensor(zeros: [batch] + Array(first.shape.dropFirst()), dataType: first.dataType))
        })
        var failure: Error?
        let failureLock = NSLock()
        let contexts = laneContexts
        context.threadPool.parallelFor(lanes) { lane in
            var noProfile: Profile? = nil
            do {
                for (begin, plan) in laneSteps[lane] {
                    try Self.runStep(plan, rowsFrom: begin, of: inputs, batch: batch, into: outputs, context: contexts[lane],
                                     profile: &noProfile)
                }
            } catch {
                failureLock.lock(); failure = failure ?? error; failureLock.unlock()
            }
        }
        if let failure { throw failure }
        lastLaneCount = lanes
        lastLaneStep = step
        return outputs
    }

    /// Copies rows `begin...` of `inputs` into `plan`'s inputs, runs it, and copies its
    /// outputs to the same rows of `outputs`.
    private static func runStep(_ plan: ExecutionPlan, rowsFrom begin: Int, of inputs: [String: Tensor], batch: Int,
                                into outputs: [String: Tensor], context: ExecutionContext, profile: inout Profile?) throws {
        for (name, view) in plan.inputViews {
            let source = inputs[name]!
            let rowBytes = source.byteCount / batch
            view.rawPointer.copyMemory(from: source.rawPointer + begin * rowBytes, byteCount: view.byteCount)
        }
        try plan.execute(context: context, profile: &profile)
        for (name, source) in plan.outputSources {
            let rowBytes = source.byteCount / max(1, source.shape[0])
            (outputs[name]!.rawPointer + begin * rowBytes).copyMemory(from: source.rawPointer, byteCount: source.byteCount)
        }
    }
}
