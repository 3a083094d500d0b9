import Foundation
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
/// (``DepthwiseConvolution``, taps read in place); everything else is a GEMM per
/// (group, tile of output columns) with the weights packed once at build
/// (``ConvolutionWeights``): a 1x1 stride-1 unpadded convolution reads the NCHW
/// input as it stands, others unfold each tile with ``Im2Col`` into per-worker
/// scratch (see ``ConvolutionTiling``). Bias and activation run per output tile
/// while it is in cache. 3x3 stride-1 convolutions with enough channels use Winograd
/// F(4x4, 3x3) (``WinogradWeights``, ``WinogradTiling``) when the plane has enough tiles.
///
/// Fusion passes may add inputs past ONNX's three: input 3, a skip connection added before the
/// activation (``ConvResidualFusionPass``); input 4, a scale per image and input channel
/// (`[N or 1, C, 1, ...]`) that multiplies the input first (``ChannelScaleFusionPass``).
/// ``ConvMaxPoolFusionPass`` may also ask for the 2x2 stride-2 max pool of the 2-D result
/// (``maxPoolAttribute``): the Winograd path pools in its output transform, so the full-size
/// output is never written; other paths pool a full-size copy.
final class ConvOperator: Operator {
    let label: String
    let window: SlidingWindow
    let groups: Int
    let activation: Activation?
    /// Whether the output is the 2x2 stride-2 max pool (unpadded, floor) of the convolution.
    let poolsOutput: Bool
    /// The node attribute (an int, 1) that asks for ``poolsOutput``.
    static let maxPoolAttribute = "_max_pool_2x2"
    /// The weights packed at build when they are a constant (else packed per run); for a
    /// Winograd-eligible node packed only when a run takes the im2col path.
    private var packedWeights: ConvolutionWeights?
    /// Whether `packedWeights` may be built from (and cached for) the constant weight.
    private let weightIsConstant: Bool
    /// Whether the node is a 3x3 stride-1 convolution with a constant weight and enough channels.
    /// Its Winograd weights are made on the first run whose plane is large enough (the input
    /// size is unknown at build; a 7x7 plane never uses them, so they would only take memory).
    private let winogradEligible: Bool
    private var winogradWeights: WinogradWeights?
    /// `Wᵀ` packed as a GEMM right operand, for batch-1 runs on tiny planes
    /// (``ConvolutionRun/usesChannelLanes(_:threads:)``); made on first such run.
    private var channelLaneWeights: PackedWeights?
    private let weightLock = NSLock()

    /// The weight (input 1) once it is packed for the GEMM or Winograd path.
    var packedInputs: [Int] {
        weightLock.lock()
        defer { weightLock.unlock() }
        return packedWeights != nil || winogradWeights != nil || channelLaneWeights != nil ? [1] : []
    }

    /// Fewest input and output channels for which Winograd beats im2col.
    static let winogradMinimumChannels = 16

    init(context: OperatorContext) throws {
        let node = context.node
        label = node.label
        window = try SlidingWindow(node: node, requireKernel: false)
        groups = try node.int("group", default: 1)
        guard groups >= 1 else { throw GraphError.badAttribute(node: label, attribute: "group", reason: "must be >= 1, got \(groups)") }
        activation = try Activation(fusedInto: node)
        poolsOutput = try node.int(Self.maxPoolAttribute, default: 0) != 0
        if poolsOutput {
            guard VectorKernels.clampBounds(activation) != nil, node.inputs.count <= 3 else {
                throw GraphError.badAttribute(node: label, attribute: Self.maxPoolAttribute,
                                              reason: "a pooled Conv takes no fused input and a Relu or Clip activation only")
            }
        }
        // Depthwise weights ([C, 1, kh, kw] with group C) are read in place; others are packed.
        var eligible = false, constant = false
        if let weight = context.constant(1), weight.dataType == .float32, weight.shape.count >= 3,
           !(weight.shape[1] == 1 && groups > 1 && weight.shape[0] == groups) {
            constant = true
            eligible = Self.isWinogradShaped(weight: weight.shape, groups: groups, strides: window.strides,
                                             dilations: window.dilations)
            if !eligible { packedWeights = ConvolutionWeights(weight: weight, groups: groups) }
        }
        winogradEligible = eligible
        weightIsConstant = constant
    }

    /// Whether a convolution with this weight shape and window may take the Winograd path (it
    /// does when its plane has enough tiles): 3x3, stride and dilation 1, one group, at least
    /// ``winogradMinimumChannels`` channels each way, and Winograd not turned off.
    static func isWinogradShaped(weight: [Int], groups: Int, strides: [Int]?, dilations: [Int]?) -> Bool {
        let unit = { (values: [Int]?) in values?.allSatisfy { $0 == 1 } ?? true }
        return ConvolutionRun.winogradEnabled && groups == 1 && weight.count == 4 && weight[2] == 3 && weight[3] == 3
            && unit(strides) && unit(dilations) && min(weight[0], weight[1]) >= winogradMinimumChannels
    }

    /// The Winograd weights for a run on the constant `w`, made on first use.
    private func winograd(_ w: Tensor) -> WinogradWeights? {
        weightLock.lock()
        defer { weightLock.unlock() }
        if winogradWeights == nil { winogradWeights = WinogradWeights(weight: w) }
        return winogradWeights
    }

    /// `Wᵀ` packed for the channel-lane path (constant weights only), made on first use.
    private func channelLanes(_ w: Tensor, geometry g: ConvolutionGeometry) -> PackedWeights? {
        guard weightIsConstant else { return nil }
        weightLock.lock()
        defer { weightLock.unlock() }
        if let channelLaneWeights, channelLaneWeights.k == g.reductionDepth, channelLaneWeights.n == g.outputChannels {
            return channelLaneWeights
        }
        guard channelLaneWeights == nil else { return nil }
        channelLaneWeights = PackedWeights(transposed: true, k: g.reductionDepth, n: g.outputChannels,
                                           b: w.floatPointer, ldb: g.reductionDepth)
        return channelLaneWeights
    }

    /// The packed weights for a run on `w`: built once for a constant weight, else per run.
    private func packed(_ w: Tensor, rows: Int, depth: Int, groups: Int) -> ConvolutionWeights? {
        weightLock.lock()
        defer { weightLock.unlock() }
        if let packedWeights, packedWeights.matches(rows: rows, depth: depth, groups: groups) { return packedWeights }
        let made = ConvolutionWeights(weight: w, groups: groups)
        if weightIsConstant && packedWeights == nil { packedWeights = made }
        return made
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
        var outputShape = g.outputShape(rank: x.shape.count)
        if poolsOutput {
            guard outputShape.count == 4, g.outputHeight >= 2, g.outputWidth >= 2 else {
                throw GraphError.shapeMismatch(node: label, reason: "a 2x2 max pool needs a 2-D output of at least 2x2, got \(outputShape)")
            }
            outputShape[2] /= 2
            outputShape[3] /= 2
        }
        if inputs.count > 3, let residual = inputs[3] {
            guard residual.dataType == .float32, BroadcastWalk.broadcastShape([outputShape, residual.shape]) == outputShape else {
                throw GraphError.shapeMismatch(node: label, reason: "fused residual \(residual) does not broadcast to the output \(outputShape)")
            }
        }
        if inputs.count > 4, let scale = inputs[4] {
            guard scale.dataType == .float32, Self.isChannelScale(scale.shape, for: x.shape) else {
                throw GraphError.shapeMismatch(node: label, reason: "fused input scale \(scale) is not one value per image and channel of \(x.shape)")
            }
        }
        return [TensorType(.float32, outputShape)]
    }

    /// Whether `scale` holds one factor per input channel, for every image or per image.
    static func isChannelScale(_ scale: [Int], for input: [Int]) -> Bool {
        scale.count == input.count && (scale[0] == 1 || scale[0] == input[0]) && scale[1] == input[1]
            && scale.dropFirst(2).allSatisfy { $0 == 1 }
    }

    /// The skip connection (input 3), where the run adds it as each tile is stored: see
    /// ``ConvolutionRun/addsResidualInPlace(_:winogradEligible:)``.
    func inPlaceInput(_ inputs: [TensorType?], outputs: [TensorType]) -> Int? {
        guard inputs.count > 3, let residual = inputs[3], let x = inputs[0], let w = inputs[1], let output = outputs.first,
              residual.dataType == .float32, residual.shape == output.shape, !poolsOutput,
              let g = try? geometry(x.shape, w.shape) else { return nil }
        return ConvolutionRun.addsResidualInPlace(g, winogradEligible: winogradEligible) ? 3 : nil
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
        let residual = inputs.count > 3 ? inputs[3] : nil
        var source = x, inputScale: ConvolutionRun.InputScale?
        if inputs.count > 4, let scale = inputs[4] {
            let stride = scale.shape[0] == 1 ? 0 : g.inputChannels
            if g.isPointwise && !g.isDepthwise {
                inputScale = ConvolutionRun.InputScale(values: UnsafePointer(scale.floatPointer), imageStride: stride)
            } else {
                source = Self.scaled(x, by: scale, imageStride: stride)   // other paths read the input in place
            }
        }
        let winogradWeights = winogradEligible && ConvolutionRun.usesWinograd(g) ? winograd(w).flatMap {
            $0.inputChannels == g.inputChannels && $0.outputChannels == g.outputChannels ? $0 : nil
        } : nil
        let usesWinograd = winogradWeights != nil
        // A same-shape residual on the GEMM path is added in each tile's epilogue, in cache;
        // elsewhere the convolution runs without activation and a post-pass adds it.
        let fusesResidual = residual.map { $0.shape == outputs[0].shape } ?? false && !g.isDepthwise && !usesWinograd
        let postPass = residual != nil && !fusesResidual
        // Pooled off the Winograd path: the full-size result goes to a temporary, pooled at the end.
        let full = poolsOutput && !usesWinograd ? Tensor(zeros: g.outputShape(rank: 4)) : nil
        let target = full ?? outputs[0]
        defer { if let full { Self.maxPool2x2(full, into: outputs[0]) } }
        let run = ConvolutionRun(geometry: g, input: source.floatPointer, weights: g.isDepthwise ? w.floatPointer : nil, bias: bias,
                                 activation: postPass ? nil : activation, output: target.floatPointer,
                                 residual: fusesResidual ? residual.map { UnsafePointer($0.floatPointer) } : nil,
                                 inputScale: inputScale, context: context)
        defer { if postPass, let residual { addResidual(residual, to: outputs[0], context) } }
        if g.isDepthwise {
            run.depthwise()
            return
        }
        let rows = g.outputChannelsPerGroup, depth = g.reductionDepth
        guard rows > 0, depth > 0, g.outputPlane > 0, g.batch > 0 else {
            // Empty reduction (no input channels or taps): the output is bias and activation only.
            let plane = g.outputPlane
            for image in 0..<g.batch {
                let base = target.floatPointer + image * g.outputChannels * plane
                for channel in 0..<g.outputChannels { (base + channel * plane).update(repeating: bias?[channel] ?? 0, count: plane) }
                if let activation, !postPass { activation.apply(base, count: g.outputChannels * plane) }
            }
            return
        }
        if !usesWinograd, ConvolutionRun.usesGatheredLanes(g), let lanes = channelLanes(w, geometry: g),
           lanes.multipliesGatheredA {
            run.gatheredLanes(weights: lanes)
        } else if !usesWinograd, ConvolutionRun.usesChannelLanes(g, threads: context.threadPool.threadCount),
                  let lanes = channelLanes(w, geometry: g) {
            run.channelLanes(weights: lanes)
        } else if let winogradWeights {
            run.winograd(weights: winogradWeights, maxPool: poolsOutput)
        } else if let packed = packed(w, rows: rows, depth: depth, groups: g.groups) {
            if ConvolutionRun.usesDirect(g, weights: packed) {
                run.direct(weights: packed)
            } else {
                run.gemm(weights: packed)
            }
        }
    }

    /// `output` = the 2x2 stride-2 max pool (unpadded, floor) of the NCHW tensor `x`, by the
    /// MaxPool operator's kernel (``Pooling/maxPlane(_:output:geometry:scratch:)``).
    static func maxPool2x2(_ x: Tensor, into output: Tensor) {
        let height = x.shape[2], width = x.shape[3]
        let g = ConvolutionGeometry(batch: 1, inputChannels: 1, outputChannels: 1, groups: 1, inputHeight: height,
                                    inputWidth: width, kernelHeight: 2, kernelWidth: 2, strideHeight: 2, strideWidth: 2,
                                    outputHeight: height / 2, outputWidth: width / 2)
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: Pooling.scratchCount(g))
        defer { scratch.deallocate() }
        for plane in 0..<(x.shape[0] * x.shape[1]) {
            Pooling.maxPlane(x.floatPointer + plane * g.inputPlane, output: output.floatPointer + plane * g.outputPlane,
                             geometry: g, scratch: scratch)
        }
    }

    /// A copy of `x` with each image's channel planes multiplied by their factors in `scale`.
    private static func scaled(_ x: Tensor, by scale: Tensor, imageStride: Int) -> Tensor {
        let copy = Tensor(zeros: x.shape)
        let images = x.shape[0], channels = x.shape[1], plane = x.count / max(1, images * channels)
        let source = UnsafePointer(x.floatPointer), target = copy.floatPointer, factors = UnsafePointer(scale.floatPointer)
        for image in 0..<images {
            for channel in 0..<channels {
                let offset = (image * channels + channel) * plane
                VectorKernels.scale(source + offset, by: factors[image * imageStride + channel], into: target + offset, count: plane)
            }
        }
        return copy
    }

    /// `output = activation(output + residual)` (residual broadcast to the output), split over the pool.
    private func addResidual(_ residual: Tensor, to output: Tensor, _ context: ExecutionContext) {
        let out = output.floatPointer, activation = self.activation
        if residual.shape == output.shape {
            let r = UnsafePointer(residual.floatPointer)
            context.forEachElementChunk(output.count) { range in
                VectorKernels.add(r + range.lowerBound, to: out + range.lowerBound, count: range.count)
                if let activation { VectorKernels.activate(out + range.lowerBound, count: range.count, activation) }
            }
            return
        }
        let walk = BroadcastWalk(outputShape: output.shape, inputShapes: [output.shape, residual.shape])
        let r = UnsafePointer(residual.floatPointer), advance = walk.advancesInRun[1]
        walk.forEachSegment(in: 0..<walk.count) { offsets, at, count in
            for i in 0..<count { out[at + i] += r[offsets[1] + (advance ? i : 0)] }
            if let activation { VectorKernels.activate(out + at, count: count, activation) }
        }
    }
}
