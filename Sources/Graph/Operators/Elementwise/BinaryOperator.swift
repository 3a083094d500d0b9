import Kernels
import Tensor

/// The two-operand elementwise functions.
enum BinaryFunction: String, CaseIterable {
    case add = "Add", sub = "Sub", mul = "Mul", div = "Div", pow = "Pow", mod = "Mod"
    case max = "Max", min = "Min"
    case equal = "Equal", less = "Less", lessOrEqual = "LessOrEqual"
    case greater = "Greater", greaterOrEqual = "GreaterOrEqual"
    case and = "And", or = "Or", xor = "Xor"

    /// Whether the result is a boolean tensor.
    var isComparison: Bool {
        switch self {
        case .equal, .less, .lessOrEqual, .greater, .greaterOrEqual, .and, .or, .xor: return true
        default: return false
        }
    }

    /// Whether the function takes boolean operands only.
    var isLogical: Bool { self == .and || self == .or || self == .xor }
}

/// A two-operand elementwise operator with numpy broadcasting
/// (Add, Sub, Mul, Div, Pow, Mod, Max/Min of two, comparisons, And/Or/Xor).
///
/// Float32 arithmetic runs SIMD over collapsed broadcast runs (``BroadcastWalk``);
/// int64/int32 and bool take scalar loops. Add and Mul (and the others) apply a
/// fused activation after computing each run.
final class BinaryOperator: Operator {
    let node: Node
    let function: BinaryFunction
    let fmod: Bool
    let activation: Activation?

    init(_ context: OperatorContext, function: BinaryFunction) throws {
        node = context.node
        self.function = function
        fmod = try context.node.int("fmod", default: 0) != 0
        activation = try Activation(fusedInto: context.node)
    }

    func inferTypes(_ inputs: [TensorType?], constants: [Tensor?]) throws -> [TensorType] {
        let a = try ShapeSupport.required(inputs, 0, node: node)
        let b = try ShapeSupport.required(inputs, 1, node: node)
        if function.isLogical {
            try ShapeSupport.requireTypes(inputs, [0, 1], [.bool], node: node)
        } else if function == .pow {
            try ShapeSupport.requireTypes(inputs, [0], [.float32, .int64, .int32], node: node)
        } else {
            try ShapeSupport.requireTypes(inputs, [0, 1], function == .equal ? [.float32, .int64, .int32, .bool]
                                                                               : [.float32, .int64, .int32], node: node)
            guard a.dataType == b.dataType else {
                throw GraphError.invalidInput(node: node.label, reason: "operand types differ: \(a.dataType) and \(b.dataType)")
            }
        }
        if activation != nil && a.dataType != .float32 {
            throw GraphError.invalidInput(node: node.label, reason: "a fused activation needs float32 operands")
        }
        let shape = try ShapeSupport.broadcast([a.shape, b.shape], node: node)
        return [TensorType(function.isComparison ? .bool : a.dataType, shape)]
    }

    func execute(_ inputs: [Tensor?], _ outputs: [Tensor], _ context: ExecutionContext) throws {
        guard let a = inputs[0], var b = inputs[1] else { throw GraphError.invalidInput(node: node.label, reason: "missing operand") }
        let out = outputs[0]
        if function == .pow && b.dataType != a.dataType {
            b = a.dataType == .float32 ? b.convertedToFloat32() : Tensor(shape: b.shape, int64s: b.toInt64s())
            if a.dataType == .int32 { throw GraphError.invalidInput(node: node.label, reason: "int32 Pow with another exponent type") }
        }
        let walk = BroadcastWalk(outputShape: out.shape, inputShapes: [a.shape, b.shape])
        let aAdv = walk.advancesInRun[0], bAdv = walk.advancesInRun[1]
        switch a.dataType {
        case .float32:
            let pa = UnsafePointer(a.floatPointer), pb = UnsafePointer(b.floatPointer)
            if function.isComparison {
                let po = out.rawPointer.assumingMemoryBound(to: Bool.self)
                let compare = Self.comparison(function, Float.self)
                context.forEachElementChunk(walk.count) { range in
                    walk.forEachSegment(in: range) { o, at, n in
                        BinaryFloatKernels.scalarRun(pa + o[0], aAdv, pb + o[1], bAdv, po + at, n, compare)
                    }
                }
                return
            }
            let po = out.floatPointer
            let function = self.function, fmod = self.fmod, activation = self.activation
            context.forEachElementChunk(walk.count) { range in
                walk.forEachSegment(in: range) { o, at, n in
                    let x = pa + o[0], y = pb + o[1], z = po + at
                    switch function {
                    case .add: BinaryFloatKernels.run(x, aAdv, y, bAdv, z, n, { $0 + $1 }, { $0 + $1 })
                    case .sub: BinaryFloatKernels.run(x, aAdv, y, bAdv, z, n, { $0 - $1 }, { $0 - $1 })
                    case .mul: BinaryFloatKernels.run(x, aAdv, y, bAdv, z, n, { $0 * $1 }, { $0 * $1 })
                    case .div: BinaryFloatKernels.run(x, aAdv, y, bAdv, z, n, { $0 / $1 }, { $0 / $1 })
                    case .max: BinaryFloatKernels.run(x, aAdv, y, bAdv, z, n, { pointwiseMax($0, $1) }, { Swift.max($0, $1) })
                    case .min: BinaryFloatKernels.run(x, aAdv, y, bAdv, z, n, { pointwiseMin($0, $1) }, { Swift.min($0, $1) })
                    case .pow: BinaryFloatKernels.power(x, aAdv, y, bAdv, z, n)
                    case .mod: BinaryFloatKernels.remainder(x, aAdv, y, bAdv, z, n, fmod: fmod)
                    default: break
                    }
                    activation?.apply(z, count: n)
                }
            }
        case .int64: try executeInteger(Int64.self, a, b, out, walk, context)
        case .int32: try executeInteger(Int32.self, a, b, out, walk, context)
        case .bool:
            let pa = a.rawPointer.assumingMemoryBound(to: Bool.self), pb = b.rawPointer.assumingMemoryBound(to: Bool.self)
            let po = out.rawPointer.assumingMemoryBound(to: Bool.self)
            let f: (Bool, Bool) -> Bool
            switch function {
            case .and: f = { $0 && $1 }
            case .or: f = { $0 || $1 }
            case .xor: f = { $0 != $1 }
            case .equal: f = { $0 == $1 }
            default: throw GraphError.invalidInput(node: node.label, reason: "\(function.rawValue) on bool operands")
            }
            walk.forEachSegment(in: 0..<walk.count) { o, at, n in
                BinaryFloatKernels.scalarRun(UnsafePointer(pa + o[0]), aAdv, UnsafePointer(pb + o[1]), bAdv, po + at, n, f)
            }
        default:
            throw GraphError.invalidInput(node: node.label, reason: "unsupported type \(a.dataType)")
        }
    }

    private func executeInteger<T: FixedWidthInteger & SignedInteger>(
        _: T.Type, _ a: Tensor, _ b: Tensor, _ out: Tensor, _ walk: BroadcastWalk, _ context: ExecutionContext
    ) throws {
        let pa = UnsafePointer(a.rawPointer.assumingMemoryBound(to: T.self))
        let pb = UnsafePointer(b.rawPointer.assumingMemoryBound(to: T.self))
        let aAdv = walk.advancesInRun[0], bAdv = walk.advancesInRun[1]
        if function.isComparison {
            let po = out.rawPointer.assumingMemoryBound(to: Bool.self)
            let compare = Self.comparison(function, T.self)
            walk.forEachSegment(in: 0..<walk.count) { o, at, n in
                BinaryFloatKernels.scalarRun(pa + o[0], aAdv, pb + o[1], bAdv, po + at, n, compare)
            }
            return
        }
        let f: (T, T) -> T
        switch function {
        case .add: f = { $0 &+ $1 }
        case .sub: f = { $0 &- $1 }
        case .mul: f = { $0 &* $1 }
        // Integer division truncates; a zero divisor yields 0 instead of trapping.
        case .div: f = { $1 == 0 ? 0 : $0.dividedReportingOverflow(by: $1).partialValue }
        case .max: f = { Swift.max($0, $1) }
        case .min: f = { Swift.min($0, $1) }
        case .mod:
            let fmod = self.fmod
            f = { x, y in
                guard y != 0 else { return 0 }
                let r = x.remainderReportingOverflow(dividingBy: y).partialValue
                return !fmod && r != 0 && (r < 0) != (y < 0) ? r &+ y : r
            }
        case .pow:
            f = { base, exponent in
                guard exponent >= 0 else { return base == 1 ? 1 : (base == -1 ? (exponent & 1 == 0 ? 1 : -1) : 0) }
                var result: T = 1, factor = base, e = exponent
                while e > 0 { if e & 1 == 1 { result = result &* factor }; factor = factor &* factor; e >>= 1 }
                return result
            }
        default: throw GraphError.invalidInput(node: node.label, reason: "\(function.rawValue) on integer operands")
        }
        let po = out.rawPointer.assumingMemoryBound(to: T.self)
        walk.forEachSegment(in: 0..<walk.count) { o, at, n in
            BinaryFloatKernels.scalarRun(pa + o[0], aAdv, pb + o[1], bAdv, po + at, n, f)
        }
    }

    private static func comparison<T: Comparable>(_ function: BinaryFunction, _: T.Type) -> (T, T) -> Bool {
        switch function {
        case .equal: return { $0 == $1 }
        case .less: return { $0 < $1 }
        case .lessOrEqual: return { $0 <= $1 }
        case .greater: return { $0 > $1 }
        default: return { $0 >= $1 }
        }
    }

    func multiplyAdds(_ inputs: [TensorType?], outputs: [TensorType]) -> Int {
        outputs.first?.count ?? 0
    }
}
