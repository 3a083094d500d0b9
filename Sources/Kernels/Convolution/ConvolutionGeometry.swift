/// The shape of a 2-D convolution (or pooling) window over NCHW tensors.
///
/// A 1-D operation is a 2-D one with height 1, kernel height 1 and no vertical
/// padding. Pads are explicit here; `auto_pad` is resolved by the caller.
public struct ConvolutionGeometry: Sendable, Equatable {
    public var batch: Int
    public var inputChannels: Int
    public var outputChannels: Int
    public var groups: Int
    public var inputHeight: Int, inputWidth: Int
    public var kernelHeight: Int, kernelWidth: Int
    public var strideHeight: Int, strideWidth: Int
    public var dilationHeight: Int, dilationWidth: Int
    public var padTop: Int, padLeft: Int, padBottom: Int, padRight: Int
    public var outputHeight: Int, outputWidth: Int

    public init(batch: Int, inputChannels: Int, outputChannels: Int, groups: Int,
                inputHeight: Int, inputWidth: Int, kernelHeight: Int, kernelWidth: Int,
                strideHeight: Int = 1, strideWidth: Int = 1, dilationHeight: Int = 1, dilationWidth: Int = 1,
                padTop: Int = 0, padLeft: Int = 0, padBottom: Int = 0, padRight: Int = 0,
                outputHeight: Int, outputWidth: Int) {
        self.batch = batch
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.groups = groups
        self.inputHeight = inputHeight; self.inputWidth = inputWidth
        self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        self.strideHeight = strideHeight; self.strideWidth = strideWidth
        self.dilationHeight = dilationHeight; self.dilationWidth = dilationWidth
        self.padTop = padTop; self.padLeft = padLeft; self.padBottom = padBottom; self.padRight = padRight
        self.outputHeight = outputHeight; self.outputWidth = outputWidth
    }

    /// Input channels per group.
    public var inputChannelsPerGroup: Int { inputChannels / groups }
    /// Output channels per group.
    public var outputChannelsPerGroup: Int { outputChannels / groups }
    /// Elements in one input channel plane.
    public var inputPlane: Int { inputHeight * inputWidth }
    /// Elements in one output channel plane.
    public var outputPlane: Int { outputHeight * outputWidth }
    /// The GEMM depth: input channels per group times kernel taps.
    public var reductionDepth: Int { inputChannelsPerGroup * kernelHeight * kernelWidth }

    /// True for a 1x1, stride-1, unpadded convolution: a plain GEMM on the NCHW input.
    public var isPointwise: Bool {
        kernelHeight == 1 && kernelWidth == 1 && strideHeight == 1 && strideWidth == 1
            && padTop == 0 && padLeft == 0 && padBottom == 0 && padRight == 0
    }

    /// True when every channel is convolved on its own (channel multiplier 1).
    public var isDepthwise: Bool { groups > 1 && groups == inputChannels && outputChannels == inputChannels }

    /// Multiply-adds of the whole convolution.
    public var multiplyAdds: Int { batch * outputChannels * outputPlane * reductionDepth }
}
