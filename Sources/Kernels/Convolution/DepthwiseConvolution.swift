import CKernels

/// Depthwise convolution (one filter per channel) on NCHW planes, by the C kernels in
/// CKernels (`depthwise_conv.c`: AVX-512, AVX2+FMA or portable, chosen from the CPU).
///
/// Each plane is copied into scratch with its zero padding explicit (columns split by stride
/// phase), then blocks of 4 output rows x one vector of columns accumulate every tap; 3x3 and
/// 5x5 are unrolled. Bias and Relu / Clip run inside the kernel; other activations run here,
/// on each small batch of planes right after the kernel wrote it (still in cache).
public enum DepthwiseConvolution {
    /// Output floats per kernel call before the activation catches up (keeps them in L2).
    static let activationChunkFloats = 16 * 1024

    /// Floats of scratch one worker needs for ``convolve(_:weights:bias:activation:output:geometry:planes:scratch:kernel:)``.
    public static func scratchCount(_ g: ConvolutionGeometry) -> Int {
        var shape = cShape(g)
        return max(16, imgvec_depthwise_scratch_floats(&shape))
    }

    /// Convolves planes `planes` of the batch (plane `p` = image `p / C`, channel `p % C`):
    /// `output = activation(conv(input, weights[channel]) + bias[channel])`.
    ///
    /// - Parameters:
    ///   - input, output: the NCHW tensors' first floats.
    ///   - weights: `kernelHeight * kernelWidth` taps per channel.
    ///   - scratch: at least ``scratchCount(_:)`` floats, 64-byte aligned.
    ///   - kernel: the instruction set (tests force one; `.automatic` follows the CPU).
    /// - Returns: `false` (nothing written) when this CPU cannot run `kernel` or the geometry
    ///   is empty.
    @discardableResult
    public static func convolve(_ input: UnsafePointer<Float>, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                activation: Activation?, output: UnsafeMutablePointer<Float>, geometry g: ConvolutionGeometry,
                                planes: Range<Int>, scratch: UnsafeMutablePointer<Float>,
                                kernel: GEMM.Kernel = .automatic) -> Bool {
        guard !planes.isEmpty else { return true }
        var shape = cShape(g)
        let bounds = VectorKernels.clampBounds(activation)
        let clamp: Int32 = activation != nil && bounds != nil ? 1 : 0
        let after = bounds == nil ? activation : nil
        let plane = g.outputPlane
        let step = after == nil ? planes.count : max(1, activationChunkFloats / max(1, plane))
        var first = planes.lowerBound
        while first < planes.upperBound {
            let count = min(step, planes.upperBound - first)
            let status = imgvec_depthwise_planes(kernel.cValue, &shape, g.outputChannels, first, count, input, weights, bias,
                                                 clamp, bounds?.0 ?? 0, bounds?.1 ?? 0, output, scratch)
            guard status == 0 else { return false }
            after?.apply(output + first * plane, count: count * plane)
            first += count
        }
        return true
    }

    /// Convolves one plane (`input`, `output` point at the plane; `weights` at its taps).
    public static func convolvePlane(_ input: UnsafePointer<Float>, weights: UnsafePointer<Float>, bias: Float,
                                     activation: Activation?, output: UnsafeMutablePointer<Float>,
                                     geometry g: ConvolutionGeometry, scratch: UnsafeMutablePointer<Float>) {
        var single = g
        single.batch = 1; single.inputChannels = 1; single.outputChannels = 1; single.groups = 1
        _ = withUnsafePointer(to: bias) { b in
            convolve(input, weights: weights, bias: b, activation: activation, output: output, geometry: single,
                     planes: 0..<1, scratch: scratch)
        }
    }

    static func cShape(_ g: ConvolutionGeometry) -> imgvec_depthwise_shape {
        imgvec_depthwise_shape(input_height: g.inputHeight, input_width: g.inputWidth, output_height: g.outputHeight,
                               output_width: g.outputWidth, kernel_height: g.kernelHeight, kernel_width: g.kernelWidth,
                               stride_height: g.strideHeight, stride_width: g.strideWidth,
                               dilation_height: g.dilationHeight, dilation_width: g.dilationWidth,
                               pad_top: g.padTop, pad_left: g.padLeft)
    }
}
