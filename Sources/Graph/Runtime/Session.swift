import Foundation
import Kernels
import Tensor

/// Runs a ``Graph``: the engine's entry point for inference.
///
/// A session validates and optimises the graph and builds its operators once.
/// Each distinct set of input shapes and requested outputs gets an execution plan
/// (shape computations folded, memory planned) that is cached and reused, so
/// repeated runs at the same batch size allocate no tensor memory.
///
/// ```swift
/// let session = try Session(graph: model.graph)
/// let outputs = try session.run(["input": batch])
/// ```
/// A session runs one batch at a time (calls are serialised); its ops use
/// ``SessionOptions/threadCount`` threads.
public final class Session: @unchecked Sendable {
    /// The graph as loaded (before optimisation).
    public let sourceGraph: Graph
    public let options: SessionOptions
    /// The graph's batch dimension, when batch lanes can apply (see `Session+BatchLanes.swift`).
    let batchSymbol: String?
    private let registry: OperatorRegistry
    let context: ExecutionContext
    /// Single-threaded contexts for batch lanes (see `Session+BatchLanes.swift`).
    var laneContexts: [ExecutionContext] = []
    /// Plan keys whose batch could not be split (shape inference failed for a slice).
    var unsplittable: Set<PlanKey> = []
    /// Lanes the last run used (1: the batch ran whole, or as one lane); for tests and diagnostics.
    var lastLaneCount = 1
    /// Items per step in the last run's lanes (0: the batch ran whole); for tests and diagnostics.
    var lastLaneStep = 0
    /// The value a lane's head starts from, per plan key ("" for none; see `Session+BatchLanes.swift`).
    var laneHeadCuts: [PlanKey: String] = [:]
    /// The head cut the last run's lanes used (nil: none); for tests and diagnostics.
    var lastLaneHead: String?
    private var compiled: [Set<String>: CompiledGraph] = [:]
    private var plans: [PlanKey: ExecutionPlan] = [:]
    private var planOrder: [PlanKey] = []
    /// Every name a run may request: values, inputs and initializers (checked per run).
    private let requestableNames: Set<String>
    /// Set when a new plan ran: its operators may have packed weights on first use.
    private var weightsMayNeedRelease = false
    private let lock = NSLock()
    /// Per-op timings of the profiled runs (when ``SessionOptions/profile`` is on).
    public private(set) var profile = Profile()

    struct PlanKey: Hashable {
        let protected: Set<String>
        let inputs: [String: TensorType]
        let outputs: [String]
        /// 0: the whole batch on the session's pool; `i > 0`: batch lane `i - 1`.
        var lane = 0
    }

    /// How many plans (input shape sets) stay cached.
    public static let planCacheSize = 4

    /// Validates `graph` (every op must be supported) and builds its operators.
    public init(graph: Graph, options: SessionOptions = SessionOptions(), registry: OperatorRegistry = .standard) throws {
        let unsupported = graph.nodes.filter { !registry.supports($0) }
            .map { "\($0.opType) (node '\($0.name)', opset \(graph.opsetVersion))" }
        if !unsupported.isEmpty { throw GraphError.unsupportedOperators(unsupported) }
        // Weight storage of its own, so releasing what its operators packed never touches
        // memory another session (or the caller) is reading.
        var privateGraph = graph
        privateGraph.initializers = graph.initializers.mapValues { $0.independentlyReleasable() }
        self.sourceGraph = privateGraph
        self.options = options
        self.registry = registry
        self.batchSymbol = Self.batchSymbol(of: graph)
        self.requestableNames = Set(graph.nodes.flatMap(\.outputs).filter { !$0.isEmpty })
            .union(graph.inputs.map(\.name)).union(graph.initializers.keys)
        self.context = ExecutionContext(threadPool: ThreadPool(threadCount: options.threadCount))
        compiled[[]] = try CompiledGraph(graph: privateGraph, protected: [], options: options, registry: registry)
    }

    /// The declared graph inputs (excluding weights).
    public var inputs: [ValueInfo] { sourceGraph.inputs }
    /// The declared graph outputs.
    public var outputs: [ValueInfo] { sourceGraph.outputs }
    /// The optimised graph that runs by default.
    public var optimizedGraph: Graph { compiled[[]]!.graph }

    /// Every value name that can be requested as an output: graph outputs and
    /// every intermediate value, in graph order.
    public var valueNames: [String] {
        sourceGraph.nodes.flatMap(\.outputs).filter { !$0.isEmpty }
    }

    /// Runs the graph on `inputs` (by input name) and returns the requested
    /// outputs (default: the graph outputs). An intermediate value may be named
    /// as an output; the graph is then re-optimised so that value stays observable.
    public func run(_ inputs: [String: Tensor], outputs requested: [String]? = nil) throws -> [String: Tensor] {
        lock.lock()
        defer { lock.unlock() }
        let outputNames = requested ?? sourceGraph.outputs.map(\.name)
        let graphOutputs = Set(sourceGraph.outputs.map(\.name))
        for name in outputNames where !graphOutputs.contains(name) && !requestableNames.contains(name) {
            throw GraphError.unknownOutput(name, available: Array(valueNames.suffix(8)))
        }
        let protected = Set(outputNames).subtracting(graphOutputs)
        let compiledGraph = try compiledGraph(protecting: protected)
        defer {
            if weightsMayNeedRelease {
                weightsMayNeedRelease = false
                compiledGraph.releaseUnreadWeights()
            }
        }
        let inputTypes = try checkInputs(inputs)
        let key = PlanKey(protected: protected, inputs: inputTypes, outputs: outputNames)
        if let results = try runInLanes(inputs, key: key, compiledGraph) { return results }
        lastLaneCount = 1
        lastLaneStep = 0
        lastLaneHead = nil
        let plan = try plan(for: key, compiledGraph)

        for (name, view) in plan.inputViews {
            let source = inputs[name]!
            view.rawPointer.copyMemory(from: source.rawPointer, byteCount: source.byteCount)
        }
        var runProfile: Profile? = options.profile ? profile : nil
        try plan.execute(context: context, profile: &runProfile)
        if let runProfile { profile = runProfile }
        var results: [String: Tensor] = [:]
        for (name, tensor) in plan.outputSources { results[name] = tensor.copy() }
        return results
    }

    /// Convenience: runs a single-input graph and returns its first output.
    public func run(_ input: Tensor) throws -> Tensor {
        guard let inputName = sourceGraph.inputs.first?.name, let outputName = sourceGraph.outputs.first?.name else {
            throw GraphError.malformed("the graph has no inputs or no outputs")
        }
        return try run([inputName: input])[outputName]!
    }

    /// Multiply-adds and arena size of the plan for these input shapes.
    public func statistics(inputShapes: [String: [Int]], outputs requested: [String]? = nil) throws -> (multiplyAdds: Int, arenaBytes: Int, steps: Int) {
        lock.lock()
        defer { lock.unlock() }
        let outputNames = requested ?? sourceGraph.outputs.map(\.name)
        let protected = Set(outputNames).subtracting(sourceGraph.outputs.map(\.name))
        var types: [String: TensorType] = [:]
        for input in sourceGraph.inputs { if let shape = inputShapes[input.name] { types[input.name] = TensorType(input.dataType, shape) } }
        let plan = try plan(for: PlanKey(protected: protected, inputs: types, outputs: outputNames),
                            compiledGraph(protecting: protected))
        return (plan.multiplyAdds, plan.arenaByteCount, plan.steps.count)
    }

    /// Clears the collected profile.
    public func resetProfile() { lock.lock(); profile = Profile(); lock.unlock() }

    private func compiledGraph(protecting protected: Set<String>) throws -> CompiledGraph {
        if let existing = compiled[protected] { return existing }
        let built = try CompiledGraph(graph: sourceGraph, protected: protected, options: options, registry: registry)
        compiled[protected] = built
        return built
    }

    func plan(for key: PlanKey, _ compiledGraph: CompiledGraph) throws -> ExecutionPlan {
        if let cached = plans[key] { return cached }
        let planContext = key.lane == 0 ? context : laneContexts[key.lane - 1]
        let plan = try ExecutionPlan(compiled: compiledGraph, inputTypes: key.inputs, outputNames: key.outputs, context: planContext)
        plans[key] = plan
        weightsMayNeedRelease = true
        planOrder.append(key)
        if planOrder.count > Self.planCacheSize * (1 + options.threadCount) { plans[planOrder.removeFirst()] = nil }
        return plan
    }

    private func checkInputs(_ inputs: [String: Tensor]) throws -> [String: TensorType] {
        var types: [String: TensorType] = [:]
        for declared in sourceGraph.inputs {
            guard let tensor = inputs[declared.name] else {
                throw GraphError.inputMismatch("missing input '\(declared.name)'")
            }
            guard tensor.dataType == declared.dataType else {
                throw GraphError.inputMismatch("input '\(declared.name)' must be \(declared.dataType), got \(tensor.dataType)")
            }
            if let shape = declared.shape {
                let matches = shape.count == tensor.shape.count && zip(shape, tensor.shape).allSatisfy { dim, size in
                    if case let .fixed(expected) = dim { return expected == size }
                    return true
                }
                guard matches else {
                    throw GraphError.inputMismatch("input '\(declared.name)' expects shape \(shape.map(\.description)), got \(tensor.shape)")
                }
            }
            types[declared.name] = TensorType(tensor.dataType, tensor.shape)
        }
        for name in inputs.keys where !types.keys.contains(name) {
            throw GraphError.inputMismatch("the graph has no input named '\(name)' (inputs: \(sourceGraph.inputs.map(\.name).joined(separator: ", ")))")
        }
        return types
    }
}
