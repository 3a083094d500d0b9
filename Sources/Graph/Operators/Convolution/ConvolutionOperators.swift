import Kernels
import Tensor

/// Registers the convolution operator family (Conv).
func registerConvolutionOperators(in registry: OperatorRegistry) {
    registry.register("Conv") { try ConvOperator(context: $0) }
}

/// ONNX Conv (1-D and 2-D, groups, dilations, strides, pads / auto_pad, optional
/// bias, fused activation) on float32 NCHW tensors.
///
/// The strategy follows the geometry: depthwise convolutions use a SIMD kernel
/// (``DepthwiseConvolution``); a 1x1 stride-1 unpadded convolution is a GEMM on
/// the NCHW input as it stands; everything else unfolds tiles of output
/// positions with ``Im2Col`` into per-worker scratch and multiplies them. ONNX
/// weights `[Cout, Cin/g, kh, kw]` are already the row-major `[Cout, K]` GEMM
/// operand (and the per-channel taps the depthwise kernel reads), so they are
/// used in place. Bias and activation run per output tile while it is in cache.
final class ConvOperator: Operator {
    let label: String
    let window: SlidingWindow
    let groups: Int
    let activation: Activation?

    /// Floats of im2col scratch each worker may use for one tile.
    static let tileBudgetFloats = 64 * 1024

    init(context: OperatorContext) throws {
        let node = context.node
        label = node.label
        window = try SlidingWindow(node: node, requireKernel: false)
        groups = try node.int("group", default: 1)
        guard groups >= 1 else { throw GraphError.badAttribute(node: label, attribute: "group", reason: "must be >= 1, got \(groups)") }
        activation = try Activation(fusedInto: node)
    }

    func geometry(_ input: [Int], _ weight: [Int]) throws -> ConvolutionGeometry {
        guard input.count == weight.count, input.count >= 3 else {
            throw GraphError.shapeMismatch(node: label, reason: "input \(input) and weight \(weight) must have the same rank >= 3")
        }
        guard weight[1] * groups == input[1] else {
            throw GraphError.shapeMismatch(node: label, reason: "input has \(input[1]) channels but weight \(weight) with group \(groups) expects \(weight[1] * groups)")
        }
        guard weight[0] % groups == 0 else {
            throw GraphError.shapeMismatch(node: label, reason: "group \(groups) does not divide the \(weight[0]) output channels")
        }
        var resolved = window
        let kernel = Array(weight.dropFirst(2))
        if let given = window.kernel, given != kernel {
            throw GraphError.shapeMismatch(node: label, reason: "kernel_shape \(given) differs from weight shape \(weight)")
        }
        resolved.kernel = kernel
        return try resolved.geometry(inputShape: input, outputChannels: weight[0], groups: groups)
    }

    func inferTypes(_ inputs: [TensorType?], constants: [Tensor?]) throws -> [TensorType] {
        let x = try requireFloat(inputs.first ?? nil, label, input: 0)
        let w = try requireFloat(inputs.count > 1 ? inputs[1] : nil, label, input: 1)
        let g = try geometry(x.shape, w.shape)
        if inputs.count > 2, let bias = inputs[2] {
            guard bias.dataType == .float32, bias.count == g.outputChannels, bias.shape.count == 1 else {
                throw GraphError.shapeMismatch(node: label, reason: "bias \(bias) must be float32[\(g.outputChannels)]")
            }
        }
        return [TensorType(.float32, g.outputShape(rank: x.shape.count))]
    }

    func multiplyAdds(_ inputs: [TensorType?], outputs: [TensorType]) -> Int {
        guard inputs.count > 1, let x = inputs[0], let w = inputs[1], let g = try? geometry(x.shape, w.shape) else { return 0 }
        return g.multiplyAdds
    }

    func execute(_ inputs: [Tensor?], _ outputs: [Tensor], _ context: ExecutionContext) throws {
        guard inputs.count > 1, let x = inputs[0], let w = inputs[1] else {
            throw GraphError.invalidInput(node: label, reason: "Conv needs an input and a weight")
        }
        let g = try geometry(x.shape, w.shape)
        let bias = inputs.count > 2 ? inputs[2].map { UnsafePointer($0.floatPointer) } : nil
        let run = ConvolutionRun(geometry: g, input: x.floatPointer, weights: w.floatPointer, bias: bias,
                                 activation: activation, output: outputs[0].floatPointer, context: context)
        if g.isDepthwise {
            run.depthwise()
        } else if g.isPointwise && g.outputPlane == 1 && g.groups == 1 {
            run.fullyConnected()
        } else {
            run.gemm(tileBudget: Self.tileBudgetFloats)
        }
    }
}
