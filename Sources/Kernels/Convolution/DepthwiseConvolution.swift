import CKernels

/// Depthwise convolution (one filter per channel) on NCHW planes, by the C kernels in
/// CKernels (`depthwise_conv.c`: AVX-512, AVX2+FMA or portable, chosen from the CPU).
///
/// Three paths, picked per shape by the C side (``usesRows(_:kernel:)``, ``usesChannelBlocks(_:kernel:)``):
/// - rows (AVX-512, wide 3x3 planes): blocks of output rows straight from the NCHW planes,
///   masked loads at the borders, no scratch. Work may be split by planes and by output rows.
/// - channel-blocked (narrow and strided planes): ``blockChannels(_:)`` consecutive planes (channels, across images)
///   are interleaved into scratch ([row][column][channel]) a band of rows at a time; output
///   pixels are vectors over channels (one FMA per tap), transposed back into NCHW. Work may
///   be split by planes (multiples of ``blockChannels(_:)``) and by output rows.
/// - per plane (wide stride-1 planes): each plane padded into scratch, vectors along rows.
///
/// Bias and Relu / Clip / HardSwish / HardSigmoid / Sigmoid / SiLU / QuickGELU run inside the
/// kernel; GELU runs here, on each small batch of planes right after the kernel wrote it.
public enum DepthwiseConvolution {
    /// Output floats per kernel call before an unfused activation catches up (keeps them in L2).
    static let activationChunkFloats = 16 * 1024

    /// Floats of scratch one worker needs for ``convolve(_:weights:bias:activation:output:geometry:planes:rows:scratch:kernel:)``.
    public static func scratchCount(_ g: ConvolutionGeometry) -> Int {
        var shape = cShape(g)
        return max(16, imgvec_depthwise_run_scratch_floats(&shape))
    }

    /// Channels the blocked path does together on `kernel` (16, 8 or 4).
    public static func blockChannels(_ kernel: GEMM.Kernel = .automatic) -> Int {
        imgvec_depthwise_block_channels(kernel.cValue)
    }

    /// Whether `g` takes the channel-blocked path on `kernel` (plane ranges then best cut at
    /// multiples of ``blockChannels(_:)``).
    public static func usesChannelBlocks(_ g: ConvolutionGeometry, kernel: GEMM.Kernel = .automatic) -> Bool {
        var shape = cShape(g)
        return imgvec_depthwise_uses_blocks(kernel.cValue, &shape) != 0
    }

    /// Whether `g` takes the row path on `kernel`.
    public static func usesRows(_ g: ConvolutionGeometry, kernel: GEMM.Kernel = .automatic) -> Bool {
        var shape = cShape(g)
        return imgvec_depthwise_uses_rows(kernel.cValue, &shape) != 0
    }

    /// Whether ``convolve(_:weights:bias:activation:output:geometry:planes:rows:scratch:kernel:)``
    /// takes a part of the output rows for `g` on `kernel` (the blocked and row paths).
    public static func splitsRows(_ g: ConvolutionGeometry, kernel: GEMM.Kernel = .automatic) -> Bool {
        var shape = cShape(g)
        return imgvec_depthwise_splits_rows(kernel.cValue, &shape) != 0
    }

    /// The activation as the C kernels take it, or nil when they cannot fuse it.
    static func fused(_ activation: Activation?) -> imgvec_depthwise_activation? {
        func make(_ kind: Int, _ a: Float = 0, _ b: Float = 0) -> imgvec_depthwise_activation {
            imgvec_depthwise_activation(kind: Int32(kind), a: a, b: b)
        }
        switch activation {
        case .none: return make(IMGVEC_DEPTHWISE_NONE)
        case .relu?: return make(IMGVEC_DEPTHWISE_CLAMP, 0, .infinity)
        case let .clip(lo, hi)?: return make(IMGVEC_DEPTHWISE_CLAMP, lo, hi)
        case .hardSwish?: return make(IMGVEC_DEPTHWISE_HARD_SWISH)
        case let .hardSigmoid(alpha, beta)?: return make(IMGVEC_DEPTHWISE_HARD_SIGMOID, alpha, beta)
        case .sigmoid?: return make(IMGVEC_DEPTHWISE_SIGMOID)
        case .silu?: return make(IMGVEC_DEPTHWISE_SILU, 1)
        case let .quickGelu(alpha)?: return make(IMGVEC_DEPTHWISE_SILU, alpha)
        case .gelu?: return nil
        }
    }

    /// Convolves planes `planes` of the batch (plane `p` = image `p / C`, channel `p % C`),
    /// output rows `rows` of each (nil: all):
    /// `output = activation(conv(input, weights[channel]) + bias[channel])`.
    ///
    /// - Parameters:
    ///   - input, output: the NCHW tensors' first floats.
    ///   - weights: `kernelHeight * kernelWidth` taps per channel.
    ///   - rows: a part of the output rows; only when ``splitsRows(_:kernel:)``.
    ///   - scratch: at least ``scratchCount(_:)`` floats, 64-byte aligned.
    ///   - kernel: the instruction set (tests force one; `.automatic` follows the CPU).
    /// - Returns: `false` (nothing written) when this CPU cannot run `kernel` or the geometry
    ///   is empty, or when `rows` is a part of the rows on the per-plane path.
    @discardableResult
    public static func convolve(_ input: UnsafePointer<Float>, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                activation: Activation?, output: UnsafeMutablePointer<Float>, geometry g: ConvolutionGeometry,
                                planes: Range<Int>, rows: Range<Int>? = nil, scratch: UnsafeMutablePointer<Float>,
                                kernel: GEMM.Kernel = .automatic) -> Bool {
        guard !planes.isEmpty else { return true }
        var shape = cShape(g)
        let rows = rows ?? 0..<g.outputHeight
        if rows != 0..<g.outputHeight && imgvec_depthwise_splits_rows(kernel.cValue, &shape) == 0 { return false }
        var fusedActivation = fused(activation) ?? fused(nil)!
        let after = fused(activation) == nil ? activation : nil
        let plane = g.outputPlane
        let step = after == nil ? planes.count : max(1, activationChunkFloats / max(1, plane))
        var first = planes.lowerBound
        while first < planes.upperBound {
            let count = min(step, planes.upperBound - first)
            let status = imgvec_depthwise_run(kernel.cValue, &shape, g.outputChannels, first, count, rows.lowerBound,
                                              rows.upperBound, input, weights, bias, &fusedActivation, output, scratch)
            guard status == 0 else { return false }
            if let after {
                for p in first..<(first + count) {
                    after.apply(output + p * plane + rows.lowerBound * g.outputWidth, count: rows.count * g.outputWidth)
                }
            }
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
