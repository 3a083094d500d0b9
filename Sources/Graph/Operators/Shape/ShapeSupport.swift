import Kernels
import Tensor

/// Shared checks and conversions for the elementwise, shape, reduction and
/// normalization operators: axes, constant shape-valued inputs, broadcasting.
enum ShapeSupport {
    /// `axis` in `-rank..<rank` made non-negative.
    static func axis(_ axis: Int, rank: Int, node: Node) throws -> Int {
        let normalized = axis < 0 ? axis + rank : axis
        guard normalized >= 0, normalized < max(rank, 1) || (rank == 0 && normalized == 0) else {
            throw GraphError.invalidInput(node: node.label, reason: "axis \(axis) is out of range for rank \(rank)")
        }
        return normalized
    }

    /// Distinct non-negative axes, sorted.
    static func axes(_ axes: [Int], rank: Int, node: Node) throws -> [Int] {
        let normalized = try axes.map { try axis($0, rank: rank, node: node) }
        guard Set(normalized).count == normalized.count else {
            throw GraphError.invalidInput(node: node.label, reason: "repeated axes \(axes)")
        }
        return normalized.sorted()
    }

    /// Whether input `index` is present (not omitted) in this run.
    static func isPresent(_ inputs: [TensorType?], _ index: Int) -> Bool {
        index < inputs.count && inputs[index] != nil
    }

    /// The type of required input `index`.
    static func required(_ inputs: [TensorType?], _ index: Int, node: Node) throws -> TensorType {
        guard index < inputs.count, let type = inputs[index] else {
            throw GraphError.invalidInput(node: node.label, reason: "input \(index) is required")
        }
        return type
    }

    /// The integer values of shape-valued input `index`, which must be known while planning.
    /// Returns `nil` when the input is omitted.
    static func constantIntegers(_ inputs: [TensorType?], _ constants: [Tensor?], _ index: Int,
                                 node: Node, role: String) throws -> [Int]? {
        guard isPresent(inputs, index) else { return nil }
        guard index < constants.count, let tensor = constants[index] else {
            throw GraphError.invalidInput(node: node.label,
                                          reason: "\(role) (input \(index)) must be a constant known while planning")
        }
        return tensor.toInt64s().map { Int(clamping: $0) }
    }

    /// The numpy broadcast of `shapes`, or a shape-mismatch error naming the node.
    static func broadcast(_ shapes: [[Int]], node: Node) throws -> [Int] {
        guard let shape = BroadcastWalk.broadcastShape(shapes) else {
            throw GraphError.shapeMismatch(node: node.label,
                                           reason: "cannot broadcast \(shapes.map { "\($0)" }.joined(separator: " with "))")
        }
        return shape
    }

    /// Row-major element strides of `shape`.
    static func strides(_ shape: [Int]) -> [Int] {
        var result = [Int](repeating: 1, count: shape.count)
        var step = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            result[axis] = step
            step *= shape[axis]
        }
        return result
    }

    /// Fails unless every listed input is present and has one of `allowed` types.
    static func requireTypes(_ inputs: [TensorType?], _ indices: [Int], _ allowed: Set<DataType>,
                             node: Node) throws {
        for index in indices {
            let type = try required(inputs, index, node: node)
            guard allowed.contains(type.dataType) else {
                throw GraphError.invalidInput(node: node.label, reason: "input \(index) has unsupported type \(type.dataType)")
            }
        }
    }
}

/// Elements above which elementwise work is split over the thread pool.
let parallelElementThreshold = 1 << 15

extension ExecutionContext {
    /// Runs `body` over `0..<count` in contiguous chunks, across the pool when `count` is large.
    func forEachElementChunk(_ count: Int, _ body: (Range<Int>) -> Void) {
        if count >= parallelElementThreshold && threadPool.threadCount > 1 {
            threadPool.parallelChunks(count, body: body)
        } else if count > 0 {
            body(0..<count)
        }
    }
}
