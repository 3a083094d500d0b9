import Foundation
import Kernels
import Tensor

/// One-operand pointwise functions.
enum UnaryFunction: String, CaseIterable {
    case sqrt = "Sqrt", exp = "Exp", log = "Log", neg = "Neg", abs = "Abs", reciprocal = "Reciprocal"
    case erf = "Erf", tanh = "Tanh", relu = "Relu", leakyRelu = "LeakyRelu", sigmoid = "Sigmoid"
    case hardSigmoid = "HardSigmoid", hardSwish = "HardSwish", gelu = "Gelu", softplus = "Softplus"
    case elu = "Elu", floor = "Floor", ceil = "Ceil", round = "Round", sin = "Sin", cos = "Cos"
    case sign = "Sign", not = "Not"
}

/// A pointwise one-operand operator. Float32 throughout (transcendentals through
/// ``VectorMath``); Neg, Abs, Relu and Sign also take int64/int32; Not takes bool.
final class UnaryOperator: Operator {
    let node: Node
    let function: UnaryFunction
    let alpha: Float
    let beta: Float
    let approximateTanh: Bool

    init(_ context: OperatorContext, function: UnaryFunction) throws {
        node = context.node
        self.function = function
        switch function {
        case .leakyRelu: alpha = try node.float("alpha", default: 0.01)
        case .hardSigmoid: alpha = try node.float("alpha", default: 0.2)
        case .elu: alpha = try node.float("alpha", default: 1)
        default: alpha = 0
        }
        beta = function == .hardSigmoid ? try node.float("beta", default: 0.5) : 0
        let approximate = try node.string("approximate", default: "none")
        guard approximate == "none" || approximate == "tanh" else {
            throw GraphError.badAttribute(node: node.label, attribute: "approximate", reason: "expected none or tanh, found \(approximate)")
        }
        approximateTanh = approximate == "tanh"
    }

    private var allowedTypes: Set<DataType> {
        switch function {
        case .not: return [.bool]
        case .neg, .abs, .relu, .sign: return [.float32, .int64, .int32]
        default: return [.float32]
        }
    }

    func inferTypes(_ inputs: [TensorType?], constants: [Tensor?]) throws -> [TensorType] {
        try ShapeSupport.requireTypes(inputs, [0], allowedTypes, node: node)
        return [inputs[0]!]
    }

    func execute(_ inputs: [Tensor?], _ outputs: [Tensor], _ context: ExecutionContext) throws {
        guard let x = inputs[0] else { throw GraphError.invalidInput(node: node.label, reason: "missing input") }
        let out = outputs[0]
        switch x.dataType {
        case .float32:
            let source = UnsafePointer(x.floatPointer), destination = out.floatPointer
            context.forEachElementChunk(x.count) { range in
                self.apply(source + range.lowerBound, destination + range.lowerBound, range.count)
            }
        case .int64: applyInteger(Int64.self, x, out)
        case .int32: applyInteger(Int32.self, x, out)
        case .bool:
            let source = x.rawPointer.assumingMemoryBound(to: UInt8.self), destination = out.rawPointer.assumingMemoryBound(to: UInt8.self)
            for i in 0..<x.count { destination[i] = source[i] == 0 ? 1 : 0 }
        default: throw GraphError.invalidInput(node: node.label, reason: "unsupported type \(x.dataType)")
        }
    }

    private func applyInteger<T: FixedWidthInteger & SignedInteger>(_: T.Type, _ x: Tensor, _ out: Tensor) {
        let source = x.rawPointer.assumingMemoryBound(to: T.self), destination = out.rawPointer.assumingMemoryBound(to: T.self)
        for i in 0..<x.count {
            let v = source[i]
            switch function {
            case .neg: destination[i] = 0 &- v
            case .abs: destination[i] = v < 0 ? 0 &- v : v
            case .relu: destination[i] = Swift.max(v, 0)
            default: destination[i] = v > 0 ? 1 : (v < 0 ? -1 : 0)
            }
        }
    }

    private func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        @inline(__always) func each(_ f: (Float) -> Float) { for i in 0..<n { y[i] = f(x[i]) } }
        switch function {
        case .sqrt: each { $0.squareRoot() }
        case .exp: VectorMath.exp(x, y, count: n)
        case .log: each { Foundation.log($0) }
        case .neg: each { -$0 }
        case .abs: each { Swift.abs($0) }
        case .reciprocal: each { 1 / $0 }
        case .erf: VectorMath.erf(x, y, count: n)
        case .tanh: VectorMath.tanh(x, y, count: n)
        case .relu: each { Swift.max($0, 0) }
        case .leakyRelu: let a = alpha; each { $0 < 0 ? a * $0 : $0 }
        case .sigmoid: VectorMath.sigmoid(x, y, count: n)
        case .hardSigmoid: y.update(from: x, count: n); VectorMath.hardSigmoid(y, count: n, alpha: alpha, beta: beta)
        case .hardSwish: y.update(from: x, count: n); VectorMath.hardSwish(y, count: n)
        case .gelu: VectorMath.gelu(x, y, count: n, approximateTanh: approximateTanh)
        case .softplus: each { $0 > 20 ? $0 : Foundation.log1p(Foundation.exp($0)) }
        case .elu: let a = alpha; each { $0 < 0 ? a * (Foundation.exp($0) - 1) : $0 }
        case .floor: each { $0.rounded(.down) }
        case .ceil: each { $0.rounded(.up) }
        case .round: each { $0.rounded(.toNearestOrEven) }
        case .sin: each { Foundation.sin($0) }
        case .cos: each { Foundation.cos($0) }
        case .sign: each { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }
        case .not: break
        }
    }

    func multiplyAdds(_ inputs: [TensorType?], outputs: [TensorType]) -> Int { outputs.first?.count ?? 0 }
}
