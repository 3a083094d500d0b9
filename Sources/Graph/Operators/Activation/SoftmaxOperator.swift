import Foundation
import Kernels
import Tensor

/// Softmax and LogSoftmax. Opset ≥ 13 normalizes along one axis (default −1);
/// older opsets flatten the input to 2-D at `axis` (default 1) and normalize rows.
final class SoftmaxOperator: Operator {
    let node: Node
    let logarithmic: Bool
    let axis: Int
    let flattensToRows: Bool

    init(_ context: OperatorContext, logarithmic: Bool) throws {
        node = context.node
        self.logarithmic = logarithmic
        flattensToRows = context.opsetVersion < 13
        axis = try node.int("axis", default: flattensToRows ? 1 : -1)
    }

    func inferTypes(_ inputs: [TensorType?], constants: [Tensor?]) throws -> [TensorType] {
        try ShapeSupport.requireTypes(inputs, [0], [.float32], node: node)
        _ = try ShapeSupport.axis(axis, rank: inputs[0]!.shape.count, node: node)
        return [inputs[0]!]
    }

    func execute(_ inputs: [Tensor?], _ outputs: [Tensor], _ context: ExecutionContext) throws {
        guard let x = inputs[0] else { throw GraphError.invalidInput(node: node.label, reason: "missing input") }
        let shape = x.shape
        let a = try ShapeSupport.axis(axis, rank: shape.count, node: node)
        let outer = shape[..<a].reduce(1, *)
        let length = flattensToRows ? shape[a...].reduce(1, *) : (shape.isEmpty ? 1 : shape[a])
        let inner = flattensToRows || shape.isEmpty ? 1 : shape[(a + 1)...].reduce(1, *)
        let source = UnsafePointer(x.floatPointer), destination = outputs[0].floatPointer
        let logarithmic = self.logarithmic
        guard length > 0 else { return }
        if inner == 1 {
            let pool = x.count >= parallelElementThreshold ? context.threadPool : ThreadPool(threadCount: 1)
            pool.parallelChunks(outer) { rows in
                let offset = rows.lowerBound * length
                VectorMath.softmaxRows(source + offset, destination + offset, rows: rows.count, length: length,
                                       stride: length, logarithmic: logarithmic)
            }
            return
        }
        // Strided case: work on whole [length, inner] blocks, a row of `inner` at a time.
        let scratch = context.scratch(byteCount: 2 * inner * 4).assumingMemoryBound(to: Float.self)
        let maxima = scratch, sums = scratch + inner
        for block in 0..<outer {
            let x0 = source + block * length * inner, y0 = destination + block * length * inner
            maxima.update(from: x0, count: inner)
            for k in 1..<max(length, 1) { for j in 0..<inner { maxima[j] = Swift.max(maxima[j], x0[k * inner + j]) } }
            sums.update(repeating: 0, count: inner)
            for k in 0..<length {
                let y = y0 + k * inner, xk = x0 + k * inner
                for j in 0..<inner { y[j] = xk[j] - maxima[j] }
                VectorMath.exp(y, y, count: inner)
                for j in 0..<inner { sums[j] += y[j] }
            }
            if logarithmic {
                for j in 0..<inner { sums[j] = Foundation.log(sums[j]) }
                for k in 0..<length {
                    let y = y0 + k * inner, xk = x0 + k * inner
                    for j in 0..<inner { y[j] = xk[j] - maxima[j] - sums[j] }
                }
            } else {
                for j in 0..<inner { sums[j] = 1 / sums[j] }
                for k in 0..<length { let y = y0 + k * inner; for j in 0..<inner { y[j] *= sums[j] } }
            }
        }
    }

    func multiplyAdds(_ inputs: [TensorType?], outputs: [TensorType]) -> Int { 3 * (outputs.first?.count ?? 0) }
}
