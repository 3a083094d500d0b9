import Foundation
import Tensor

/// The reductions: what each element contributes and how contributions combine.
enum ReduceFunction: String, CaseIterable {
    case mean = "ReduceMean", sum = "ReduceSum", max = "ReduceMax", min = "ReduceMin"
    case prod = "ReduceProd", l1 = "ReduceL1", l2 = "ReduceL2", sumSquare = "ReduceSumSquare"
    case logSumExp = "ReduceLogSumExp"

    /// The first opset where `axes` is an input rather than an attribute.
    var axesInputOpset: Int { self == .sum ? 13 : 18 }
}

/// ReduceMean/Sum/Max/Min/Prod/L1/L2/SumSquare/LogSumExp over float32 (Sum, Max,
/// Min and Prod also over int64), with `keepdims` and `noop_with_empty_axes`.
///
/// One contiguous block of reduced axes runs as [outer, reduced, inner] rows
/// (SIMD sums when `inner` is 1); other axis sets take a general strided walk.
final class ReduceOperator: Operator {
    let node: Node
    let function: ReduceFunction
    let keepDims: Bool
    let noopWithEmptyAxes: Bool
    let axesFromInput: Bool

    init(_ context: OperatorContext, function: ReduceFunction) throws {
        node = context.node
        self.function = function
        keepDims = try node.int("keepdims", default: 1) != 0
        noopWithEmptyAxes = try node.int("noop_with_empty_axes", default: 0) != 0
        axesFromInput = context.opsetVersion >= function.axesInputOpset
    }

    /// Sorted reduced axes (empty with `noop_with_empty_axes` means: copy).
    func reducedAxes(_ rank: Int, _ inputs: [TensorType?], _ constants: [Tensor?]) throws -> [Int] {
        let listed = axesFromInput
            ? try ShapeSupport.constantIntegers(inputs, constants, 1, node: node, role: "the axes")
            : try node.ints("axes")
        if let listed, !listed.isEmpty { return try ShapeSupport.axes(listed, rank: rank, node: node) }
        return noopWithEmptyAxes ? [] : Array(0..<rank)
    }

    func inferTypes(_ inputs: [TensorType?], constants: [Tensor?]) throws -> [TensorType] {
        let allowed: Set<DataType> = [.sum, .max, .min, .prod].contains(function) ? [.float32, .int64] : [.float32]
        try ShapeSupport.requireTypes(inputs, [0], allowed, node: node)
        let x = inputs[0]!
        let axes = try reducedAxes(x.shape.count, inputs, constants)
        var shape: [Int] = []
        for (axis, size) in x.shape.enumerated() {
            if !axes.contains(axis) { shape.append(size) } else if keepDims { shape.append(1) }
        }
        return [TensorType(x.dataType, shape)]
    }

    func execute(_ inputs: [Tensor?], _ outputs: [Tensor], _ context: ExecutionContext) throws {
        guard let x = inputs[0] else { throw GraphError.invalidInput(node: node.label, reason: "missing input") }
        let types = inputs.map { $0.map { TensorType($0.dataType, $0.shape) } }
        let axes = try reducedAxes(x.rank, types, inputs)
        let out = outputs[0]
        if axes.isEmpty {
            out.rawPointer.copyMemory(from: x.rawPointer, byteCount: x.byteCount)
            return
        }
        if x.count == 0 {
            // An empty reduction gives the identity of the combination.
            let identity: Float = [.max].contains(function) ? -.infinity : function == .min ? .infinity
                : function == .prod ? 1 : function == .logSumExp ? -.infinity : 0
            if out.dataType == .float32 { out.floatPointer.update(repeating: identity, count: out.count) }
            else { out.int64Pointer.update(repeating: Int64(identity.isFinite ? identity : 0), count: out.count) }
            return
        }
        if x.dataType == .int64 {
            reduceGeneral(Int64.self, x, out, axes)
            return
        }
        let (outer, reduced, inner) = Self.blocks(x.shape, axes)
        if let reduced {
            reduceBlock(x.floatPointer, out.floatPointer, outer, reduced, inner, context)
        } else {
            if function == .logSumExp {
                // Shift by the maximum for stability: max first, then sum of exp(x - max).
                throw GraphError.invalidInput(node: node.label, reason: "ReduceLogSumExp over non-adjacent axes is not supported")
            }
            reduceGeneral(Float.self, x, out, axes)
        }
        finalize(out, reducedCount: axes.reduce(1) { $0 * x.shape[$1] })
    }

    /// (outer, reduced, inner) when the reduced axes (ignoring size-1 axes) are adjacent.
    static func blocks(_ shape: [Int], _ axes: [Int]) -> (Int, Int?, Int) {
        let significant = axes.filter { shape[$0] != 1 }
        guard let first = significant.first, let last = significant.last else {
            return (shape.reduce(1, *), 1, 1)
        }
        for axis in first...last where shape[axis] != 1 && !axes.contains(axis) { return (0, nil, 0) }
        return (shape[..<first].reduce(1, *), shape[first...last].reduce(1, *), shape[(last + 1)...].reduce(1, *))
    }

    private func reduceBlock(_ x: UnsafeMutablePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                             _ outer: Int, _ reduced: Int, _ inner: Int, _ context: ExecutionContext) {
        let function = self.function
        if inner == 1 {
            let pool = outer * reduced >= parallelElementThreshold ? context.threadPool : nil
            let body: (Int) -> Void = { row in y[row] = Self.reduceRow(x + row * reduced, reduced, function) }
            if let pool { pool.parallelFor(outer, body: body) } else { for row in 0..<outer { body(row) } }
            return
        }
        for o in 0..<outer {
            let source = x + o * reduced * inner, target = y + o * inner
            if function == .logSumExp {
                target.update(from: source, count: inner)
                for r in 1..<reduced { for j in 0..<inner { target[j] = Swift.max(target[j], source[r * inner + j]) } }
                for j in 0..<inner {
                    let m = target[j]
                    var sum: Float = 0
                    for r in 0..<reduced { sum += Foundation.exp(source[r * inner + j] - m) }
                    target[j] = m.isFinite ? m + Foundation.log(sum) : m
                }
                continue
            }
            for j in 0..<inner { target[j] = Self.contribution(source[j], function) }
            for r in 1..<reduced {
                let row = source + r * inner
                for j in 0..<inner { target[j] = Self.combine(target[j], Self.contribution(row[j], function), function) }
            }
        }
    }

    @inline(__always)
    static func contribution(_ v: Float, _ function: ReduceFunction) -> Float {
        switch function {
        case .l1: return Swift.abs(v)
        case .l2, .sumSquare: return v * v
        default: return v
        }
    }

    @inline(__always)
    static func combine(_ a: Float, _ b: Float, _ function: ReduceFunction) -> Float {
        switch function {
        case .max: return Swift.max(a, b)
        case .min: return Swift.min(a, b)
        case .prod: return a * b
        default: return a + b
        }
    }

    /// One contiguous row; sums use eight SIMD partial sums.
    static func reduceRow(_ x: UnsafePointer<Float>, _ n: Int, _ function: ReduceFunction) -> Float {
        switch function {
        case .mean, .sum, .l2, .sumSquare:
            let squares = function == .l2 || function == .sumSquare
            var partial = SIMD8<Float>(repeating: 0)
            var i = 0
            while i + 8 <= n {
                let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
                partial += squares ? v * v : v
                i += 8
            }
            var sum = partial.sum()
            while i < n { sum += squares ? x[i] * x[i] : x[i]; i += 1 }
            return sum
        case .logSumExp:
            var m = -Float.infinity
            for i in 0..<n { m = Swift.max(m, x[i]) }
            guard m.isFinite else { return m }
            var sum: Float = 0
            for i in 0..<n { sum += Foundation.exp(x[i] - m) }
            return m + Foundation.log(sum)
        default:
            var acc = contribution(x[0], function)
            for i in 1..<n { acc = combine(acc, contribution(x[i], function), function) }
            return acc
        }
    }

    /// Any axis set: walks the input once, folding each element into its output slot.
    private func reduceGeneral<T: Numeric & Comparable>(_: T.Type, _ x: Tensor, _ out: Tensor, _ axes: [Int]) {
        let source = x.rawPointer.assumingMemoryBound(to: T.self), target = out.rawPointer.assumingMemoryBound(to: T.self)
        let shape = x.shape, rank = shape.count
        // Output strides over the input's axes (0 on reduced axes).
        var outStrides = [Int](repeating: 0, count: rank)
        var step = 1
        for axis in stride(from: rank - 1, through: 0, by: -1) where !axes.contains(axis) {
            outStrides[axis] = step
            step *= shape[axis]
        }
        var seen = [Bool](repeating: false, count: out.count)
        var index = [Int](repeating: 0, count: rank)
        var offset = 0
        let function = self.function
        for i in 0..<x.count {
            var v = source[i]
            if function == .l1, v < 0 { v = 0 - v }
            if function == .l2 || function == .sumSquare { v = v * v }
            if !seen[offset] {
                target[offset] = v
                seen[offset] = true
            } else {
                switch function {
                case .max: target[offset] = Swift.max(target[offset], v)
                case .min: target[offset] = Swift.min(target[offset], v)
                case .prod: target[offset] *= v
                default: target[offset] += v
                }
            }
            var axis = rank - 1
            while axis >= 0 {
                index[axis] += 1
                offset += outStrides[axis]
                if index[axis] < shape[axis] { break }
                offset -= outStrides[axis] * index[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }

    private func finalize(_ out: Tensor, reducedCount: Int) {
        let y = out.floatPointer
        switch function {
        case .mean: let scale = 1 / Float(reducedCount); for i in 0..<out.count { y[i] *= scale }
        case .l2: for i in 0..<out.count { y[i] = y[i].squareRoot() }
        default: break
        }
    }

    func multiplyAdds(_ inputs: [TensorType?], outputs: [TensorType]) -> Int { inputs.first??.count ?? 0 }
}
