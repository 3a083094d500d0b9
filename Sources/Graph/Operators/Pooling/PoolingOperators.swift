import Kernels
import Tensor

/// Registers the pooling operator family (MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool).
func registerPoolingOperators(in registry: OperatorRegistry) {
    registry.register("MaxPool") { try WindowPoolOperator(context: $0, kind: .maximum) }
    registry.register("AveragePool") { try WindowPoolOperator(context: $0, kind: .average) }
    registry.register("GlobalAveragePool") { GlobalPoolOperator(context: $0, kind: .average) }
    registry.register("GlobalMaxPool") { GlobalPoolOperator(context: $0, kind: .maximum) }
}

enum PoolKind { case maximum, average }

/// MaxPool / AveragePool over 1-D or 2-D windows (kernel_shape, strides, pads,
/// dilations, ceil_mode, auto_pad; count_include_pad for averages), float32 NCHW.
final class WindowPoolOperator: Operator {
    let label: String
    let kind: PoolKind
    let window: SlidingWindow
    let countIncludePad: Bool

    init(context: OperatorContext, kind: PoolKind) throws {
        let node = context.node
        label = node.label
        self.kind = kind
        window = try SlidingWindow(node: node, requireKernel: true)
        countIncludePad = try node.int("count_include_pad", default: 0) != 0
        if kind == .maximum, node.outputs.count > 1, !node.outputs[1].isEmpty {
            throw GraphError.unsupportedOperators(["MaxPool with an Indices output (node '\(node.name)')"])
        }
        if try node.int("storage_order", default: 0) != 0, kind == .maximum, node.outputs.count > 1 {
            throw GraphError.badAttribute(node: label, attribute: "storage_order", reason: "only row-major indices exist")
        }
    }

    func geometry(_ shape: [Int]) throws -> ConvolutionGeometry {
        guard shape.count >= 3 else { throw GraphError.invalidInput(node: label, reason: "input \(shape) must be N x C x spatial") }
        return try window.geometry(inputShape: shape, outputChannels: shape[1], groups: 1)
    }

    func inferTypes(_ inputs: [TensorType?], constants: [Tensor?]) throws -> [TensorType] {
        let x = try requireFloat(inputs.first ?? nil, label, input: 0)
        return [TensorType(.float32, try geometry(x.shape).outputShape(rank: x.shape.count))]
    }

    func execute(_ inputs: [Tensor?], _ outputs: [Tensor], _ context: ExecutionContext) throws {
        guard let x = inputs.first ?? nil else { throw GraphError.invalidInput(node: label, reason: "missing input") }
        let g = try geometry(x.shape)
        let scratchFloats = Pooling.scratchCount(g)
        context.reserveScratch(byteCount: scratchFloats * 4)
        let input = UnsafePointer(x.floatPointer), output = outputs[0].floatPointer
        let kind = self.kind, includePad = countIncludePad
        ConvolutionRun.forEachItem(g.batch * g.inputChannels, pool: context.threadPool) { plane, worker in
            let scratch = context.scratch(byteCount: scratchFloats * 4, slot: worker).assumingMemoryBound(to: Float.self)
            let source = input + plane * g.inputPlane, target = output + plane * g.outputPlane
            switch kind {
            case .maximum: Pooling.maxPlane(source, output: target, geometry: g, scratch: scratch)
            case .average:
                Pooling.averagePlane(source, output: target, geometry: g, countIncludePad: includePad, scratch: scratch)
            }
        }
    }
}

/// GlobalAveragePool / GlobalMaxPool: one value per (image, channel), any spatial rank.
final class GlobalPoolOperator: Operator {
    let label: String
    let kind: PoolKind

    init(context: OperatorContext, kind: PoolKind) {
        label = context.node.label
        self.kind = kind
    }

    func inferTypes(_ inputs: [TensorType?], constants: [Tensor?]) throws -> [TensorType] {
        let x = try requireFloat(inputs.first ?? nil, label, input: 0)
        guard x.shape.count >= 3 else { throw GraphError.invalidInput(node: label, reason: "input \(x.shape) must be N x C x spatial") }
        return [TensorType(.float32, Array(x.shape.prefix(2)) + Array(repeating: 1, count: x.shape.count - 2))]
    }

    func execute(_ inputs: [Tensor?], _ outputs: [Tensor], _ context: ExecutionContext) throws {
        guard let x = inputs.first ?? nil else { throw GraphError.invalidInput(node: label, reason: "missing input") }
        let planes = x.shape[0] * x.shape[1], size = x.shape.dropFirst(2).reduce(1, *)
        let input = UnsafePointer(x.floatPointer), output = outputs[0].floatPointer
        let kind = self.kind
        let body = { (range: Range<Int>) in
            Pooling.globalPool(input + range.lowerBound * size, planes: range.count, count: size,
                               maximum: kind == .maximum, output: output + range.lowerBound)
        }
        if planes * size >= 64 * 1024 { context.threadPool.parallelChunks(planes, body: body) } else { body(0..<planes) }
    }
}
