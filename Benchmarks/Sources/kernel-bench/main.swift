import Foundation
import Graph
import Kernels
import Tensor

// Times each layer in `layers` with imgvec's operators: median of repeated runs,
// weights constant at build time (as in a session), BLAS single-threaded and
// all parallelism from the engine's ThreadPool. Prints one JSON object per line.
var batch = 8, threads = 2, filter = ""
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--batch": batch = Int(arguments.next() ?? "") ?? batch
    case "--threads": threads = Int(arguments.next() ?? "") ?? threads
    case "--filter": filter = arguments.next() ?? ""
    case "--gemm": GEMM.setThreadCount(1); benchmarkGEMM(); exit(0)
    case "--vmath": benchmarkVectorMath(); exit(0)
    case "--gemm-scaling": GEMM.setThreadCount(1); benchmarkGEMMScaling(); exit(0)
    default: FileHandle.standardError.write(Data("usage: kernel-bench [--batch N] [--threads T] [--filter text] | --gemm | --vmath\n".utf8)); exit(2)
    }
}
GEMM.setThreadCount(1)
let context = ExecutionContext(threadPool: ThreadPool(threadCount: threads))
var generator = SystemRandomNumberGenerator()
func random(_ shape: [Int]) -> Tensor {
    Tensor(shape: shape, floats: (0..<shape.reduce(1, *)).map { _ in Float.random(in: -1...1, using: &generator) })
}

for layer in layers where filter.isEmpty || layer.name.contains(filter) {
    let node: Node, inputs: [Tensor?]
    if layer.kernel == 0 {
        inputs = [random([batch, layer.channels]), random([layer.channels, layer.outputChannels])]
        node = Node(name: layer.name, opType: "MatMul", inputs: ["x", "w"], outputs: ["y"])
    } else {
        inputs = [random([batch, layer.channels, layer.height, layer.width]),
                  random([layer.outputChannels, layer.channels / layer.groups, layer.kernel, layer.kernel]),
                  random([layer.outputChannels])]
        let k = layer.kernel, s = layer.stride, p = layer.pad
        node = Node(name: layer.name, opType: "Conv", inputs: ["x", "w", "b"], outputs: ["y"], attributes: [
            "kernel_shape": .ints([k, k]), "strides": .ints([s, s]), "pads": .ints([p, p, p, p]), "group": .int(layer.groups),
            "_fused_activation": .string("Relu"),
        ])
    }
    let op = try OperatorRegistry.standard.makeOperator(for: node, opsetVersion: 17, constantInputs: [nil] + inputs.dropFirst())
    let types = inputs.map { $0.map { TensorType($0.dataType, $0.shape) } }
    let outputTypes = try op.inferTypes(types, constants: [nil] + inputs.dropFirst())
    let outputs = outputTypes.map { Tensor(zeros: $0.shape, dataType: $0.dataType) }
    for _ in 0..<3 { try op.execute(inputs, outputs, context) }
    var times: [Double] = []
    let budget = Date().addingTimeInterval(1.0)
    while times.count < 5 || (Date() < budget && times.count < 200) {
        let start = DispatchTime.now().uptimeNanoseconds
        try op.execute(inputs, outputs, context)
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    times.sort()
    let macs = op.multiplyAdds(types, outputs: outputTypes)
    let median = times[times.count / 2]
    print("{\"name\": \"\(layer.name)\", \"batch\": \(batch), \"threads\": \(threads), \"ms\": \(String(format: "%.4f", median)), \"gmacs\": \(String(format: "%.2f", Double(macs) / median / 1e6))}")
}
