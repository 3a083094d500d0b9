import Kernels

/// The window attributes shared by Conv and the pooling ops (`kernel_shape`,
/// `strides`, `dilations`, `pads`, `auto_pad`, `ceil_mode`), and how they turn an
/// input size into an output size and explicit pads.
struct SlidingWindow {
    enum AutoPad: String { case notSet = "NOTSET", sameUpper = "SAME_UPPER", sameLower = "SAME_LOWER", valid = "VALID" }

    let label: String
    /// Kernel extent per spatial axis (`nil` for Conv until the weight's shape is known).
    var kernel: [Int]?
    let strides: [Int]?
    let dilations: [Int]?
    let pads: [Int]?
    let autoPad: AutoPad
    let ceilMode: Bool

    init(node: Node, requireKernel: Bool) throws {
        label = node.label
        kernel = try node.ints("kernel_shape")
        if requireKernel && kernel == nil {
            throw GraphError.badAttribute(node: node.label, attribute: "kernel_shape", reason: "required")
        }
        strides = try node.ints("strides")
        dilations = try node.ints("dilations")
        pads = try node.ints("pads")
        let mode = try node.string("auto_pad", default: "NOTSET")
        guard let autoPad = AutoPad(rawValue: mode) else {
            throw GraphError.badAttribute(node: node.label, attribute: "auto_pad", reason: "unknown mode '\(mode)'")
        }
        self.autoPad = autoPad
        ceilMode = try node.int("ceil_mode", default: 0) != 0
        for (name, values) in [("kernel_shape", kernel), ("strides", strides), ("dilations", dilations)] {
            if let values, values.contains(where: { $0 < 1 }) {
                throw GraphError.badAttribute(node: label, attribute: name, reason: "values must be >= 1, got \(values)")
            }
        }
        if let pads, pads.contains(where: { $0 < 0 }) {
            throw GraphError.badAttribute(node: label, attribute: "pads", reason: "negative pads \(pads)")
        }
    }

    /// Geometry for NC + spatial input `shape` (1 or 2 spatial axes).
    func geometry(inputShape shape: [Int], outputChannels: Int, groups: Int) throws -> ConvolutionGeometry {
        let spatial = Array(shape.dropFirst(2))
        guard shape.count >= 3, spatial.count <= 2 else {
            throw GraphError.invalidInput(node: label, reason: "only 1-D and 2-D windows are supported; input shape \(shape)")
        }
        let rank = spatial.count
        guard let kernel, kernel.count == rank else {
            throw GraphError.badAttribute(node: label, attribute: "kernel_shape",
                                          reason: "expected \(rank) values for input shape \(shape), got \(kernel ?? [])")
        }
        let strides = try values(self.strides, "strides", rank)
        let dilations = try values(self.dilations, "dilations", rank)
        var begin = [Int](repeating: 0, count: rank), end = begin, output = begin
        for axis in 0..<rank {
            let size = spatial[axis], extent = (kernel[axis] - 1) * dilations[axis] + 1, stride = strides[axis]
            switch autoPad {
            case .notSet:
                if let pads {
                    guard pads.count == 2 * rank else {
                        throw GraphError.badAttribute(node: label, attribute: "pads", reason: "expected \(2 * rank) values, got \(pads)")
                    }
                    begin[axis] = pads[axis]; end[axis] = pads[axis + rank]
                }
                let span = size + begin[axis] + end[axis] - extent
                guard span >= 0 else {
                    throw GraphError.shapeMismatch(node: label, reason: "window \(extent) larger than padded input \(size + begin[axis] + end[axis])")
                }
                var count = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1
                // The last window must start inside the input or its leading padding.
                if ceilMode && (count - 1) * stride >= size + begin[axis] { count -= 1 }
                output[axis] = count
            case .valid:
                guard size >= extent else {
                    throw GraphError.shapeMismatch(node: label, reason: "window \(extent) larger than input \(size)")
                }
                output[axis] = (size - extent) / stride + 1
            case .sameUpper, .sameLower:
                output[axis] = (size + stride - 1) / stride
                let total = max(0, (output[axis] - 1) * stride + extent - size)
                begin[axis] = autoPad == .sameUpper ? total / 2 : total - total / 2
                end[axis] = total - begin[axis]
            }
        }
        let twoD = rank == 2
        return ConvolutionGeometry(
            batch: shape[0], inputChannels: shape[1], outputChannels: outputChannels, groups: groups,
            inputHeight: twoD ? spatial[0] : 1, inputWidth: spatial[rank - 1],
            kernelHeight: twoD ? kernel[0] : 1, kernelWidth: kernel[rank - 1],
            strideHeight: twoD ? strides[0] : 1, strideWidth: strides[rank - 1],
            dilationHeight: twoD ? dilations[0] : 1, dilationWidth: dilations[rank - 1],
            padTop: twoD ? begin[0] : 0, padLeft: begin[rank - 1],
            padBottom: twoD ? end[0] : 0, padRight: end[rank - 1],
            outputHeight: twoD ? output[0] : 1, outputWidth: output[rank - 1])
    }

    private func values(_ given: [Int]?, _ name: String, _ rank: Int) throws -> [Int] {
        guard let given else { return [Int](repeating: 1, count: rank) }
        guard given.count == rank else {
            throw GraphError.badAttribute(node: label, attribute: name, reason: "expected \(rank) values, got \(given)")
        }
        return given
    }
}

extension ConvolutionGeometry {
    /// The output shape for an input of `rank` dimensions (3 for 1-D, 4 for 2-D).
    func outputShape(rank: Int) -> [Int] {
        rank == 3 ? [batch, outputChannels, outputWidth] : [batch, outputChannels, outputHeight, outputWidth]
    }
}

/// Float32 check shared by the window and matrix ops.
func requireFloat(_ type: TensorType?, _ label: String, input: Int) throws -> TensorType {
    guard let type else { throw GraphError.invalidInput(node: label, reason: "input \(input) is missing") }
    guard type.dataType == .float32 else {
        throw GraphError.invalidInput(node: label, reason: "input \(input) must be float32, found \(type.dataType)")
    }
    return type
}
