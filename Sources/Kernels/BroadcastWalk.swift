/// Walks an output produced from up to three broadcast operands (numpy rules) as
/// contiguous runs, after collapsing every dimension that can be merged.
///
/// In a run, each operand either advances with the output (a *vector* operand)
/// or repeats one element (a *scalar* operand). Same-shape operands become one
/// run; `[N, C, H, W] ⊙ [C, 1, 1]` becomes runs of `H·W` with a scalar second
/// operand; `[N, D] ⊙ [D]` becomes `N` runs of `D` vector-vector elements.
public struct BroadcastWalk: Sendable {
    /// Elements in the output.
    public let count: Int
    /// Length of each contiguous run (the collapsed innermost dimension).
    public let runLength: Int
    /// Per operand: whether it advances inside a run (else one element repeats).
    public let advancesInRun: [Bool]
    /// Collapsed outer dimensions (all but the innermost), outermost first.
    let outerShape: [Int]
    /// Per operand, element strides of the outer dimensions (0 where broadcast).
    let outerStrides: [[Int]]

    /// The broadcast shape of `shapes`, or `nil` when they are incompatible.
    public static func broadcastShape(_ shapes: [[Int]]) -> [Int]? {
        let rank = shapes.map(\.count).max() ?? 0
        var result = [Int](repeating: 1, count: rank)
        for shape in shapes {
            let pad = rank - shape.count
            for (i, size) in shape.enumerated() {
                let current = result[pad + i]
                if current == size || size == 1 { continue }
                if current == 1 { result[pad + i] = size } else { return nil }
            }
        }
        return result
    }

    /// A walk over `outputShape` for operands of `inputShapes` (each broadcastable to it).
    public init(outputShape: [Int], inputShapes: [[Int]]) {
        precondition(inputShapes.count <= 4, "BroadcastWalk supports up to four operands")
        let rank = outputShape.count
        count = outputShape.reduce(1, *)
        // Strides of each operand over the output's dimensions (0 where broadcast).
        var strides: [[Int]] = inputShapes.map { shape in
            let padded = [Int](repeating: 1, count: rank - shape.count) + shape
            var result = [Int](repeating: 0, count: rank)
            var step = 1
            for axis in stride(from: rank - 1, through: 0, by: -1) {
                result[axis] = padded[axis] == 1 ? 0 : step
                step *= padded[axis]
            }
            return result
        }
        // Drop size-1 output dimensions, then merge neighbours every operand walks alike.
        var dims: [Int] = []
        var kept: [[Int]] = Array(repeating: [], count: inputShapes.count)
        for axis in 0..<rank where outputShape[axis] != 1 {
            let size = outputShape[axis]
            if let last = dims.last,
               strides.indices.allSatisfy({ kept[$0].last! == strides[$0][axis] * size }) {
                dims[dims.count - 1] = last * size
                for k in strides.indices { kept[k][kept[k].count - 1] = strides[k][axis] }
            } else {
                dims.append(size)
                for k in strides.indices { kept[k].append(strides[k][axis]) }
            }
        }
        if dims.isEmpty {
            dims = [1]
            kept = kept.map { _ in [0] }
        }
        strides = kept
        runLength = dims.last!
        advancesInRun = strides.map { $0.last! != 0 }
        outerShape = Array(dims.dropLast())
        outerStrides = strides.map { Array($0.dropLast()) }
    }

    /// Calls `body(operandOffsets, outputOffset, length)` for consecutive pieces of
    /// runs that cover the output elements `elements`. Offsets are in elements;
    /// lane `k` of `operandOffsets` belongs to operand `k`.
    @inlinable
    public func forEachSegment(in elements: Range<Int>, _ body: (SIMD4<Int>, Int, Int) -> Void) {
        guard !elements.isEmpty else { return }
        let operands = advancesInRun.count
        var run = elements.lowerBound / runLength
        var within = elements.lowerBound % runLength
        // Multi-index of `run` over the outer dimensions, and the operands' offsets there.
        var index = [Int](repeating: 0, count: outerShapeCount)
        var base = SIMD4<Int>(repeating: 0)
        var remainder = run
        for axis in stride(from: outerShapeCount - 1, through: 0, by: -1) {
            let size = outerSize(axis)
            index[axis] = remainder % size
            remainder /= size
            for k in 0..<operands { base[k] += index[axis] * outerStride(k, axis) }
        }
        var steps = SIMD4<Int>(repeating: 0)
        for k in 0..<operands where advancesInRun[k] { steps[k] = 1 }
        var position = elements.lowerBound
        while position < elements.upperBound {
            let length = min(runLength - within, elements.upperBound - position)
            body(base &+ steps &* within, position, length)
            position += length
            within = 0
            run += 1
            // Advance the outer multi-index by one.
            var axis = outerShapeCount - 1
            while axis >= 0 {
                index[axis] += 1
                for k in 0..<operands { base[k] += outerStride(k, axis) }
                if index[axis] < outerSize(axis) { break }
                for k in 0..<operands { base[k] -= outerStride(k, axis) * index[axis] }
                index[axis] = 0
                axis -= 1
            }
        }
    }

    @usableFromInline var outerShapeCount: Int { outerShape.count }
    @usableFromInline func outerSize(_ axis: Int) -> Int { outerShape[axis] }
    @usableFromInline func outerStride(_ operand: Int, _ axis: Int) -> Int { outerStrides[operand][axis] }
}
