import Foundation
import Kernels

/// How a ``Session`` runs.
public struct SessionOptions: Sendable {
    /// Intra-op threads (the engine's one pool). Default: one per core.
    public var threadCount: Int
    /// Whether to run the optimisation passes (folding, fusion). Default on.
    public var optimize: Bool
    /// Whether to time each step (see ``Session/lastProfile``). Default off.
    public var profile: Bool
    /// Whether a batch of at least ``threadCount`` items may be split into one
    /// sub-batch per thread, each run single-threaded (no synchronisation between
    /// ops) a few items at a time (``laneStep``), instead of splitting every op across
    /// the threads; on one thread, whether the batch runs in such steps. Default on; used
    /// only for graphs whose inputs and outputs all carry the same symbolic batch dimension.
    /// `nil` at init reads the environment: `IMGVEC_SPLIT_BATCH=0` turns it off.
    public var splitsBatch: Bool
    /// Items each batch lane runs at a time (the lane steps through its sub-batch):
    /// 0, the default, picks enough items for the lane's activations to stay within
    /// ``Session/laneWorkingSetBudget`` (at least one), so each op's input and output stay in
    /// the core's cache instead of streaming through memory.
    /// `nil` at init reads the environment: `IMGVEC_LANE_STEP=N`.
    public var laneStep: Int
    /// Whether a lane that takes more than one step runs the graph's head (the ops after the
    /// earliest small value that alone carries the rest of the graph, such as a classifier
    /// after global pooling; see `BatchHead`) once over its whole sub-batch, so the head's
    /// weights are read once per lane instead of once per step. Default on.
    /// `nil` at init reads the environment: `IMGVEC_LANE_HEAD=0` turns it off.
    public var batchesHead: Bool

    public init(threadCount: Int? = nil, optimize: Bool = true, profile: Bool = false, splitsBatch: Bool? = nil,
                laneStep: Int? = nil, batchesHead: Bool? = nil) {
        self.threadCount = max(1, threadCount ?? ThreadPool.defaultThreadCount)
        self.optimize = optimize
        self.profile = profile
        self.splitsBatch = splitsBatch ?? (ProcessInfo.processInfo.environment["IMGVEC_SPLIT_BATCH"] != "0")
        self.laneStep = max(0, laneStep ?? ProcessInfo.processInfo.environment["IMGVEC_LANE_STEP"].flatMap { Int($0) } ?? 0)
        self.batchesHead = batchesHead ?? (ProcessInfo.processInfo.environment["IMGVEC_LANE_HEAD"] != "0")
    }
}
