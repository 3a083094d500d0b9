/// Time spent per op type in the runs a ``Session`` profiled.
public struct Profile: Sendable {
    /// One op type's totals.
    public struct Entry: Sendable {
        public var opType: String
        public var calls: Int
        public var seconds: Double
        public var multiplyAdds: Int
    }

    public private(set) var entries: [String: Entry] = [:]
    /// Per node (label and output shape), for finding the slowest layers.
    public private(set) var nodes: [String: Entry] = [:]
    public private(set) var runs = 0

    public init() {}

    mutating func record(node: String, opType: String, seconds: Double, multiplyAdds: Int) {
        nodes[node, default: Entry(opType: node, calls: 0, seconds: 0, multiplyAdds: 0)].calls += 1
        nodes[node]!.seconds += seconds
        nodes[node]!.multiplyAdds += multiplyAdds
        record(opType: opType, seconds: seconds, multiplyAdds: multiplyAdds)
    }

    mutating func record(opType: String, seconds: Double, multiplyAdds: Int) {
        entries[opType, default: Entry(opType: opType, calls: 0, seconds: 0, multiplyAdds: 0)].calls += 1
        entries[opType]!.seconds += seconds
        entries[opType]!.multiplyAdds += multiplyAdds
    }

    mutating func finishRun() { runs += 1 }

    /// The `count` slowest nodes, most time first (`opType` holds the node's description).
    public func slowestNodes(_ count: Int) -> [Entry] { Array(nodes.values.sorted { $0.seconds > $1.seconds }.prefix(count)) }

    /// Entries, most time first.
    public var sorted: [Entry] { entries.values.sorted { $0.seconds > $1.seconds } }

    /// Total seconds over all entries.
    public var totalSeconds: Double { entries.values.reduce(0) { $0 + $1.seconds } }
}
