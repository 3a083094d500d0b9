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

    /// The smallest head worth running per lane: about a megabyte of weights read per image.
    static let laneHeadMinimumMultiplyAdds = 256 * 1024
    /// The largest value per item a head may start from: a pooled feature vector (4-8 KB), a
    /// class token; not a late feature map (MobileNetV3's 80 x 14 x 14 is 61 KB), whose head
    /// would run most of the network on the whole sub-batch's activations.
    static let laneHeadMaximumItemBytes = 16 * 1024

    /// The value a lane's head starts from for `key`: the earliest `BatchHead` cut whose value
    /// is small per item and after which at least ``laneHeadMinimumMultiplyAdds`` per item
    /// remain (measured on a one-item plan); nil when there is none or the option is off.
    private func laneHeadCut(_ key: PlanKey, _ compiledGraph: CompiledGraph) -> String? {
        guard options.batchesHead else { return nil }
        if let known = laneHeadCuts[key] { return known.isEmpty ? nil : known }
        var chosen = ""
        if let single = lanePlan(key, rows: 1, lane: 0, compiledGraph) {
            for candidate in BatchHead.cutCandidates(compiledGraph.graph, outputs: key.outputs) {
                guard let cost = single.cost(after: candidate) else { continue }
                if cost.byteCount <= Self.laneHeadMaximumItemBytes, cost.multiplyAdds >= Self.laneHeadMinimumMultiplyAdds {
                    chosen = candidate
                    break
                }
            }
        }
        laneHeadCuts[key] = chosen
        return chosen.isEmpty ? nil : chosen
    }

    /// One lane's work: its steps through `rows` items from `begin`, and the head run over all
    /// of them when the graph has one (the steps then end at the head's input).
    private struct LaneWork {
        let begin: Int
        let rows: Int
        var steps: [(begin: Int, plan: ExecutionPlan)] = []
        var head: ExecutionPlan?
    }

    /// The plan running `rows` items of the head of `key` from `cut` in lane `lane`.
    private func laneHeadPlan(_ key: PlanKey, cut: String, rows: Int, lane: Int, cutType: TensorType,
                              _ compiledGraph: CompiledGraph) -> ExecutionPlan? {
        let headKey = PlanKey(protected: key.protected,
                              inputs: [cut: TensorType(cutType.dataType, [rows] + cutType.shape.dropFirst())],
                              outputs: key.outputs, lane: lane + 1)
        guard let plan = try? plan(for: headKey, compiledGraph),
              plan.outputSources.allSatisfy({ $0.tensor.shape.first == rows }) else { return nil }
        return plan
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
        // A head is worth it when some lane takes more than one step.
        let cut = bounds[1] - bounds[0] > step ? laneHeadCut(key, compiledGraph) : nil
        var stepKey = key
        if let cut { stepKey = PlanKey(protected: key.protected, inputs: key.inputs, outputs: [cut], lane: key.lane) }

        // Each lane's rows in equal steps of at most `step` (so at most two plan sizes per lane).
        var work: [LaneWork] = []
        for lane in 0..<lanes {
            var laneWork = LaneWork(begin: bounds[lane], rows: bounds[lane + 1] - bounds[lane])
            let count = (laneWork.rows + step - 1) / step
            for index in 0..<count {
                let begin = laneWork.begin + laneWork.rows * index / count
                let end = laneWork.begin + laneWork.rows * (index + 1) / count
                guard let plan = lanePlan(stepKey, rows: end - begin, lane: lane, compiledGraph) else {
                    unsplittable.insert(key)
                    return nil
                }
                laneWork.steps.append((begin, plan))
            }
            if let cut {
                let cutType = laneWork.steps[0].plan.outputSources[0].tensor
                guard let head = laneHeadPlan(key, cut: cut, rows: laneWork.rows, lane: lane,
                                              cutType: TensorType(cutType.dataType, cutType.shape), compiledGraph) else {
                    unsplittable.insert(key)
                    return nil
                }
                laneWork.head = head
            }
            work.append(laneWork)
        }

        let lastPlan = work[0].head ?? work[0].steps[0].plan
        let outputs = Dictionary(uniqueKeysWithValues: lastPlan.outputSources.map { name, first in
            (name, Tensor(zeros: [batch] + Array(first.shape.dropFirst()), dataType: first.dataType))
        })
        var failure: Error?
        let failureLock = NSLock()
        let contexts = laneContexts
        context.threadPool.parallelFor(lanes) { lane in
            do {
                try Self.run(work[lane], of: inputs, batch: batch, into: outputs, context: contexts[lane])
            } catch {
                failureLock.lock(); failure = failure ?? error; failureLock.unlock()
            }
        }
        if let failure { throw failure }
        lastLaneCount = lanes
        lastLaneStep = step
        lastLaneHead = cut
        return outputs
    }

    /// Runs one lane: each step's rows of `inputs` through its plan; without a head, each
    /// step's outputs go to the same rows of `outputs`; with one, each step's result goes to
    /// its rows of the head's input, then the head runs once and fills the lane's rows.
    private static func run(_ work: LaneWork, of inputs: [String: Tensor], batch: Int, into outputs: [String: Tensor],
                            context: ExecutionContext) throws {
        var noProfile: Profile? = nil
        let headInput = work.head?.inputViews.first?.view
        for (begin, plan) in work.steps {
            for (name, view) in plan.inputViews {
                let source = inputs[name]!
                let rowBytes = source.byteCount / batch
                view.rawPointer.copyMemory(from: source.rawPointer + begin * rowBytes, byteCount: view.byteCount)
            }
            try plan.execute(context: context, profile: &noProfile)
            if let headInput {
                let source = plan.outputSources[0].tensor
                let rowBytes = headInput.byteCount / work.rows
                (headInput.rawPointer + (begin - work.begin) * rowBytes).copyMemory(from: source.rawPointer,
                                                                                   byteCount: source.byteCount)
            } else {
                copyRows(of: plan, from: begin, into: outputs)
            }
        }
        if let head = work.head {
            try head.execute(context: context, profile: &noProfile)
            copyRows(of: head, from: work.begin, into: outputs)
        }
    }

    /// Copies `plan`'s outputs to rows `begin...` of `outputs`.
    private static func copyRows(of plan: ExecutionPlan, from begin: Int, into outputs: [String: Tensor]) {
        for (name, source) in plan.outputSources {
            let rowBytes = source.byteCount / max(1, source.shape[0])
            (outputs[name]!.rawPointer + begin * rowBytes).copyMemory(from: source.rawPointer, byteCount: source.byteCount)
        }
    }
}
