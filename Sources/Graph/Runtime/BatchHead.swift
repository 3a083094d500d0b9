/// Where a graph splits into a trunk and a head joined by one value: a network's features
/// after global pooling, say, followed by its classifier. A batch lane runs the trunk a
/// step (one image) at a time, for its activations to stay in cache, and the head once
/// over the whole lane, so the head's weights (MobileNetV3's two classifier layers are
/// 10 MB) are read once per lane instead of once per image.
enum BatchHead {
    /// The values `v`, earliest first, such that once the node producing `v` has run (in
    /// graph order), every later node reads only `v`, values produced after it and
    /// constants; no graph output is produced at or before that node, and `v` is not one.
    /// A value's uses are counted over every node (a node no output needs still keeps its
    /// inputs alive), so a candidate is never too late to compute the outputs from.
    static func cutCandidates(_ graph: Graph, outputs: [String]) -> [String] {
        let count = graph.nodes.count
        var constants = Set(graph.initializers.keys)
        var producedAt: [String: Int] = [:]
        for input in graph.inputs { producedAt[input.name] = -1 }
        for (index, node) in graph.nodes.enumerated() {
            let inputs = node.inputs.filter { !$0.isEmpty }
            let constant = inputs.allSatisfy(constants.contains)
            for name in node.outputs where !name.isEmpty {
                producedAt[name] = index
                if constant { constants.insert(name) }
            }
        }
        let forever = Int.max
        var lastUse: [String: Int] = [:]
        for (index, node) in graph.nodes.enumerated() {
            for name in node.inputs where !name.isEmpty { lastUse[name] = max(lastUse[name, default: -1], index) }
        }
        for name in outputs { lastUse[name] = forever }

        // Live values per boundary (after node b, for b in -1 ..< count), as a count and the
        // sum of their indices (which names the value when the count is one).
        let names = producedAt.keys.filter { !constants.contains($0) }.sorted()
        var liveCount = [Int](repeating: 0, count: count + 2), liveSum = liveCount
        for (id, name) in names.enumerated() {
            let first = producedAt[name]!, last = lastUse[name, default: -1]
            guard last > first else { continue }
            let end = last == forever ? count : last   // live on boundaries first ..< end
            liveCount[first + 1] += 1; liveSum[first + 1] += id
            liveCount[end + 1] -= 1; liveSum[end + 1] -= id
        }
        var candidates: [String] = []
        var running = 0, runningSum = 0
        for boundary in 0...count {
            running += liveCount[boundary]
            runningSum += liveSum[boundary]
            guard running == 1, boundary >= 1 else { continue }   // boundary - 1 is the node index
            let value = names[runningSum]
            if lastUse[value] != forever, candidates.last != value { candidates.append(value) }
        }
        return candidates
    }
}
