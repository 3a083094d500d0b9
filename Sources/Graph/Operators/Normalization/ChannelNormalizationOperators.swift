import Tensor

/// BatchNormalization in inference form: y = (x − mean) / √(var + ε) · scale + B per
/// channel (axis 1), folded into one multiply-add per element.
final class BatchNormalizationOperator: Operator {
    let node: Node
    let epsilon: Float

    init(_ context: OperatorContext) throws {
        node = context.node
        epsilon = try node.float("epsilon", default: 1e-5)
        if try node.int("training_mode", default: 0) != 0 {
            throw GraphError.badAttribute(node: node.label, attribute: "training_mode", reason: "only inference is supported")
        }
    }

    func inferTypes(_ inputs: [TensorType?], constants: [Tensor?]) throws -> [TensorType] {
        try ShapeSupport.requireTypes(inputs, [0, 1, 2, 3, 4], [.float32], node: node)
        let x = inputs[0]!
        let channels = x.shape.count > 1 ? x.shape[1] : 1
        for index in 1...4 where inputs[index]!.count != channels {
            throw GraphError.shapeMismatch(node: node.label, reason: "input \(index) has \(inputs[index]!.count) values for \(channels) channels")
        }
        return [x]
    }

    func execute(_ inputs: [Tensor?], _ outputs: [Tensor], _ context: ExecutionContext) throws {
        guard let x = inputs[0], let scale = inputs[1], let bias = inputs[2], let mean = inputs[3], let variance = inputs[4] else {
            throw GraphError.invalidInput(node: node.label, reason: "missing input")
        }
        let batches = x.shape.first ?? 1, channels = x.rank > 1 ? x.shape[1] : 1
        let spatial = x.rank > 2 ? x.shape[2...].reduce(1, *) : 1
        let multipliers = (0..<channels).map { scale.floatPointer[$0] / (variance.floatPointer[$0] + epsilon).squareRoot() }
        let offsets = (0..<channels).map { bias.floatPointer[$0] - mean.floatPointer[$0] * multipliers[$0] }
        let source = x.floatPointer, destination = outputs[0].floatPointer
        context.threadPool.parallelFor(batches * channels) { plane in
            let c = plane % channels, m = multipliers[c], o = offsets[c]
            let xs = source + plane * spatial, ys = destination + plane * spatial
            for i in 0..<spatial { ys[i] = xs[i] * m + o }
        }
    }

    func multiplyAdds(_ inputs: [TensorType?], outputs: [TensorType]) -> Int { outputs.first?.count ?? 0 }
}

/// InstanceNormalization: per (batch, channel) plane over the spatial axes, then scale and B per channel.
final class InstanceNormalizationOperator: Operator {
    let node: Node
    let epsilon: Float

    init(_ context: OperatorContext) throws {
        node = context.node
        epsilon = try node.float("epsilon", default: 1e-5)
    }

    func inferTypes(_ inputs: [TensorType?], constants: [Tensor?]) throws -> [TensorType] {
        try ShapeSupport.requireTypes(inputs, [0, 1, 2], [.float32], node: node)
        let x = inputs[0]!
        guard x.shape.count >= 2, inputs[1]!.count == x.shape[1], inputs[2]!.count == x.shape[1] else {
            throw GraphError.shapeMismatch(node: node.label, reason: "scale/B do not match the channels of \(x.shape)")
        }
        return [x]
    }

    func execute(_ inputs: [Tensor?], _ outputs: [Tensor], _ context: ExecutionContext) throws {
        guard let x = inputs[0], let scale = inputs[1], let bias = inputs[2] else {
            throw GraphError.invalidInput(node: node.label, reason: "missing input")
        }
        let channels = x.shape[1], spatial = x.shape[2...].reduce(1, *)
        let source = x.floatPointer, destination = outputs[0].floatPointer
        let gamma = scale.floatPointer, beta = bias.floatPointer, epsilon = self.epsilon
        context.threadPool.parallelFor(x.shape[0] * channels) { plane in
            let c = plane % channels
            let xs = source + plane * spatial, ys = destination + plane * spatial
            var sum: Float = 0
            for i in 0..<spatial { sum += xs[i] }
            let mean = sum / Float(Swift.max(spatial, 1))
            var squares: Float = 0
            for i in 0..<spatial { let d = xs[i] - mean; squares += d * d }
            let invStd = 1 / (squares / Float(Swift.max(spatial, 1)) + epsilon).squareRoot()
            let m = invStd * gamma[c], o = beta[c] - mean * m
            for i in 0..<spatial { ys[i] = xs[i] * m + o }
        }
    }

    func multiplyAdds(_ inputs: [TensorType?], outputs: [TensorType]) -> Int { 3 * (outputs.first?.count ?? 0) }
}
