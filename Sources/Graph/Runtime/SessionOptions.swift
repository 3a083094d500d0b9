import Kernels

/// How a ``Session`` runs.
public struct SessionOptions: Sendable {
    /// Intra-op threads (the engine's one pool). Default: one per core.
    public var threadCount: Int
    /// Whether to run the optimisation passes (folding, fusion). Default on.
    public var optimize: Bool
    /// Whether to time each step (see ``Session/lastProfile``). Default off.
    public var profile: Bool

    public init(threadCount: Int? = nil, optimize: Bool = true, profile: Bool = false) {
        self.threadCount = max(1, threadCount ?? ThreadPool.defaultThreadCount)
        self.optimize = optimize
        self.profile = profile
    }
}
