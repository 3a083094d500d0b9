import Graph
import Kernels
import Tensor

/// Tiny operators for testing the runtime (planner, folding, aliasing) without
/// depending on the real op families.
enum TestOperators {
    /// A registry with: Scale (x * factor), Sum (a + b), Flat (alias reshape to 1-D),
    /// ReshapeTo (alias reshape to a constant int64 shape input).
    static let registry: OperatorRegistry = {
        let registry = OperatorRegistry()
        registry.register("Scale") { context in ScaleOp(factor: try context.node.float("factor", default: 1)) }
        registry.register("Sum") { _ in SumOp() }
        registry.register("Flat") { _ in FlatOp() }
        registry.register("ReshapeTo") { _ in ReshapeToOp() }
        return registry
    }()

    final class ScaleOp: Operator {
        let factor: Float
        init(factor: Float) { self.factor = factor }
        func inferTypes(_ inputs: [TensorType?], constants: [Tensor?]) throws -> [TensorType] { [inputs[0]!] }
        func execute(_ inputs: [Tensor?], _ outputs: [Tensor], _ context: ExecutionContext) throws {
            let x = inputs[0]!.floatPointer, y = outputs[0].floatPointer
            for i in 0..<outputs[0].count { y[i] = x[i] * factor }
        }
    }

    final class SumOp: Operator {
        func inferTypes(_ inputs: [TensorType?], constants: [Tensor?]) throws -> [TensorType] {
            guard inputs[0]!.shape == inputs[1]!.shape else { throw GraphError.shapeMismatch(node: "Sum", reason: "shapes differ") }
            return [inputs[0]!]
        }
        func execute(_ inputs: [Tensor?], _ outputs: [Tensor], _ context: ExecutionContext) throws {
            let a = inputs[0]!.floatPointer, b = inputs[1]!.floatPointer, y = outputs[0].floatPointer
            for i in 0..<outputs[0].count { y[i] = a[i] + b[i] }
        }
    }

    final class FlatOp: Operator {
        var aliasedInput: Int? { 0 }
        func inferTypes(_ inputs: [TensorType?], constants: [Tensor?]) throws -> [TensorType] {
            [TensorType(inputs[0]!.dataType, [inputs[0]!.count])]
        }
        func execute(_ inputs: [Tensor?], _ outputs: [Tensor], _ context: ExecutionContext) throws {}
    }

    final class ReshapeToOp: Operator {
        var aliasedInput: Int? { 0 }
        func inferTypes(_ inputs: [TensorType?], constants: [Tensor?]) throws -> [TensorType] {
            guard let shape = constants[1] else { throw GraphError.invalidInput(node: "ReshapeTo", reason: "shape must be constant") }
            return [TensorType(inputs[0]!.dataType, shape.toInt64s().map { Int($0) })]
        }
        func execute(_ inputs: [Tensor?], _ outputs: [Tensor], _ context: ExecutionContext) throws {}
    }
}

extension Graph {
    /// A graph with one float32 input `x` of shape [batch, rest...] and the given nodes.
    static func test(nodes: [Node], output: String, inputShape: [Dimension] = [.symbolic("batch"), .fixed(4)],
                     initializers: [String: Tensor] = [:]) -> Graph {
        Graph(name: "test", nodes: nodes, initializers: initializers,
              inputs: [ValueInfo(name: "x", dataType: .float32, shape: inputShape)],
              outputs: [ValueInfo(name: output, dataType: .float32, shape: nil)])
    }
}
