import Dispatch
import Foundation
import Embedding
import Graph
import Tensor

/// Times the engine on one model/batch/thread configuration (the imgvec half of `imgvec bench`).
public struct EngineTiming: Codable, Sendable {
    public var medianMilliseconds: Double
    public var timesMilliseconds: [Double]
    public var multiplyAddsPerBatch: Int
    public var peakResidentMegabytes: Double
    public var profile: [ProfileLine]?
    /// The slowest nodes of the profiled runs.
    public var slowestNodes: [ProfileLine]?
    /// Median wall time of the profiled runs (timing every node adds a little to each).
    public var profiledMedianMilliseconds: Double?

    /// One op type's share of a profiled run.
    public struct ProfileLine: Codable, Sendable {
        public var opType: String
        public var calls: Int
        public var milliseconds: Double
        public var gflops: Double
    }

    /// How many of the slowest nodes a profile lists: `IMGVEC_PROFILE_NODES`, default 12.
    static var slowestNodeCount: Int {
        ProcessInfo.processInfo.environment["IMGVEC_PROFILE_NODES"].flatMap { Int($0) }.map { max(1, $0) } ?? 12
    }

    /// Loads `model` with `threads` threads and times `runs` batches of `batch`
    /// seeded N(0,1) images after `warmup` untimed ones.
    public static func measure(model url: URL, batch: Int, threads: Int, runs: Int, warmup: Int,
                               profile: Bool) throws -> EngineTiming {
        let model = try InferenceModel(contentsOf: url, options: SessionOptions(threadCount: threads, profile: false))
        guard let declared = model.graph.inputs.first else { throw GraphError.malformed("model has no input") }
        let shape = (declared.shape ?? []).enumerated().map { index, dim in index == 0 ? batch : (dim.value ?? 224) }
        var generator = NormalGenerator(seed: 0)
        let input = Tensor(shape: shape, floats: (0..<shape.reduce(1, *)).map { _ in generator.next() })
        for _ in 0..<warmup { _ = try model.run(input) }
        let times = try timedRuns(runs) { _ = try model.run(input) }
        var lines: [ProfileLine]?
        var nodeLines: [ProfileLine]?
        var profiledMedian: Double?
        if profile {
            let profiled = try InferenceModel(contentsOf: url, options: SessionOptions(threadCount: threads, profile: true))
            _ = try profiled.run(input)
            profiled.session.resetProfile()
            profiledMedian = median(try timedRuns(max(1, runs / 2)) { _ = try profiled.run(input) })
            let p = profiled.session.profile
            func line(_ entry: Profile.Entry) -> ProfileLine {
                let ms = entry.seconds * 1000 / Double(max(p.runs, 1))
                let flops = 2 * Double(entry.multiplyAdds) / Double(max(p.runs, 1))
                return ProfileLine(opType: entry.opType, calls: entry.calls / max(p.runs, 1), milliseconds: ms,
                                   gflops: ms > 0 ? flops / (ms / 1000) / 1e9 : 0)
            }
            nodeLines = p.slowestNodes(slowestNodeCount).map(line)
            lines = p.sorted.map(line)
        }
        let macs = (try? model.session.statistics(inputShapes: [declared.name: shape]).multiplyAdds) ?? 0
        return EngineTiming(medianMilliseconds: median(times), timesMilliseconds: times,
                            multiplyAddsPerBatch: macs, peakResidentMegabytes: ResourceUsage.peakResidentMegabytes,
                            profile: lines, slowestNodes: nodeLines, profiledMedianMilliseconds: profiledMedian)
    }

    /// Wall milliseconds of each of `count` calls of `body`.
    private static func timedRuns(_ count: Int, _ body: () throws -> Void) rethrows -> [Double] {
        try (0..<count).map { _ in
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        }
    }

    /// The upper median (the middle value, or the higher of the two middle ones).
    private static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
}

/// Seeded standard-normal floats (Box-Muller over SplitMix64).
struct NormalGenerator {
    private var state: UInt64
    private var spare: Float?
    init(seed: UInt64) { state = seed &+ 0x1234_5678 }

    private mutating func uniform() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }

    mutating func next() -> Float {
        if let spare { self.spare = nil; return spare }
        let u1 = max(uniform(), 1e-300), u2 = uniform()
        let radius = (-2 * log(u1)).squareRoot()
        spare = Float(radius * sin(2 * .pi * u2))
        return Float(radius * cos(2 * .pi * u2))
    }
}
