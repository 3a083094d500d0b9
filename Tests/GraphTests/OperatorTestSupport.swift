import Graph
import Tensor
import TestSupport

/// Runs one node through the standard registry (inputs named in0, in1, ...).
func run(_ opType: String, _ inputs: [Tensor?], attributes: [String: Attribute] = [:], outputs: Int = 1,
         opset: Int = 17) throws -> [Tensor] {
    let node = Node(name: "test", opType: opType, inputs: inputs.indices.map { inputs[$0] == nil ? "" : "in\($0)" },
                    outputs: (0..<outputs).map { "out\($0)" }, attributes: attributes)
    return try OperatorRegistry.standard.evaluate(node, inputs: inputs, opsetVersion: opset)
}

/// The numpy broadcast index of output `index` into an operand of `shape`.
func broadcastOffset(_ index: Int, output: [Int], operand shape: [Int]) -> Int {
    var remainder = index, offset = 0, step = 1
    let pad = output.count - shape.count
    for axis in stride(from: output.count - 1, through: 0, by: -1) {
        let coordinate = remainder % output[axis]
        remainder /= output[axis]
        if axis >= pad {
            let size = shape[axis - pad]
            if size != 1 { offset += coordinate * step }
            step *= size
        }
    }
    return offset
}

func int64s(_ values: [Int64], _ shape: [Int]? = nil) -> Tensor { Tensor(shape: shape ?? [values.count], int64s: values) }

func bools(_ values: [Bool], _ shape: [Int]) -> Tensor {
    let t = Tensor(zeros: shape, dataType: .bool)
    for (i, v) in values.enumerated() { t.rawPointer.storeBytes(of: v ? 1 : 0, toByteOffset: i, as: UInt8.self) }
    return t
}

func boolValues(_ t: Tensor) -> [Bool] { (0..<t.count).map { t.rawPointer.load(fromByteOffset: $0, as: UInt8.self) != 0 } }
