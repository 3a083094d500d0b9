import Kernels
import Tensor

/// LayerNormalization over the axes from `axis` (default −1) to the end, with scale and
/// optional bias broadcast over those axes. Mean and variance are computed as ONNX
/// Runtime does (float sums of x and x², var = E[x²] − E[x]²). The optional Mean and
/// InvStdDev outputs are written only when requested.
final class LayerNormalizationOperator: Operator {
    let node: Node
    let axis: Int
    let epsilon: Float

    init(_ context: OperatorContext) throws {
        node = context.node
        axis = try node.int("axis", default: -1)
        epsilon = try node.float("epsilon", default: 1e-5)
    }

    func inferTypes(_ inputs: [TensorType?], constants: [Tensor?]) throws -> [TensorType] {
        try ShapeSupport.requireTypes(inputs, [0, 1], [.float32], node: node)
        let x = inputs[0]!
        let a = try ShapeSupport.axis(axis, rank: x.shape.count, node: node)
        for index in [1, 2] where ShapeSupport.isPresent(inputs, index) {
            guard inputs[index]!.dataType == .float32,
                  BroadcastWalk.broadcastShape([Array(x.shape[a...]), inputs[index]!.shape]) == Array(x.shape[a...]) else {
                throw GraphError.shapeMismatch(node: node.label, reason: "input \(index) \(inputs[index]!.shape) does not fit \(x.shape[a...])")
            }
        }
        let statsShape = Array(x.shape[..<a]) + Array(repeating: 1, count: x.shape.count - a)
        let extra = Swift.max(0, node.outputs.count - 1)
        return [x] + Array(repeating: TensorType(.float32, statsShape), count: Swift.min(extra, 2))
    }

    func execute(_ inputs: [Tensor?], _ outputs: [Tensor], _ context: ExecutionContext) throws {
        guard let x = inputs[0], let scale = inputs[1] else { throw GraphError.invalidInput(node: node.label, reason: "missing input") }
        let a = try ShapeSupport.axis(axis, rank: x.rank, node: node)
        let rows = x.shape[..<a].reduce(1, *), width = x.shape[a...].reduce(1, *)
        let tail = Array(x.shape[a...])
        // Scale and bias expanded to the full normalized width once (usually already that size).
        let gamma = try Self.expanded(scale, to: tail, context)
        let beta = try inputs.count > 2 ? inputs[2].map { try Self.expanded($0, to: tail, context) } : nil
        let source = UnsafePointer(x.floatPointer), destination = outputs[0].floatPointer
        let g = UnsafePointer(gamma.floatPointer), b = beta.map { UnsafePointer($0.floatPointer) }
        let meanOut = outputs.count > 1 ? outputs[1].floatPointer : nil
        let invStdOut = outputs.count > 2 ? outputs[2].floatPointer : nil
        let epsilon = self.epsilon
        let pool = x.count >= parallelElementThreshold ? context.threadPool : ThreadPool(threadCount: 1)
        pool.parallelFor(rows) { row in
            let xr = source + row * width, yr = destination + row * width
            var sums = SIMD8<Float>(repeating: 0), squares = SIMD8<Float>(repeating: 0)
            var i = 0
            while i + 8 <= width {
                let v = UnsafeRawPointer(xr + i).loadUnaligned(as: SIMD8<Float>.self)
                sums += v
                squares += v * v
                i += 8
            }
            var sum = sums.sum(), square = squares.sum()
            while i < width { sum += xr[i]; square += xr[i] * xr[i]; i += 1 }
            let mean = sum / Float(width)
            let variance = Swift.max(square / Float(width) - mean * mean, 0)
            let invStd = 1 / (variance + epsilon).squareRoot()
            if let b {
                for j in 0..<width { yr[j] = (xr[j] - mean) * invStd * g[j] + b[j] }
            } else {
                for j in 0..<width { yr[j] = (xr[j] - mean) * invStd * g[j] }
            }
            meanOut?[row] = mean
            invStdOut?[row] = invStd
        }
    }

    static func expanded(_ t: Tensor, to shape: [Int], _ context: ExecutionContext) throws -> Tensor {
        if t.shape.reduce(1, *) == shape.reduce(1, *) { return t }
        let result = Tensor(zeros: shape, dataType: .float32)
        BroadcastCopy.copy(t, into: result, context: context)
        return result
    }

    func multiplyAdds(_ inputs: [TensorType?], outputs: [TensorType]) -> Int { 4 * (outputs.first?.count ?? 0) }
}
