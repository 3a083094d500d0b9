import Graph
import Kernels
import Tensor
import TestSupport

/// Helpers shared by the convolution, pooling, matmul, gemm and pad op tests.
enum OpTest {
    /// Runs `node` with a pool of `threads` threads.
    static func run(_ node: Node, _ inputs: [Tensor?], threads: Int = 1, opset: Int = 17) throws -> [Tensor] {
        try OperatorRegistry.standard.evaluate(node, inputs: inputs, opsetVersion: opset,
                                               context: ExecutionContext(threadPool: ThreadPool(threadCount: threads)))
    }

    /// A node with inputs named `i0, i1...` (empty names for `nil` inputs) and one output.
    static func node(_ op: String, inputs: [Tensor?], attributes: [String: Attribute] = [:], outputs: Int = 1) -> Node {
        Node(name: "test", opType: op, inputs: inputs.indices.map { inputs[$0] == nil ? "" : "i\($0)" },
             outputs: (0..<outputs).map { "o\($0)" }, attributes: attributes)
    }

    /// Largest difference relative to the reference's largest magnitude (at least 1).
    static func relativeError(_ actual: [Float], _ expected: [Float]) -> Float {
        let scale = max(1, expected.map(abs).max() ?? 1)
        return Comparison.maxAbsDifference(actual, expected) / scale
    }

    /// Explicit (begin, end) pads for ONNX auto_pad SAME_UPPER / SAME_LOWER along one axis.
    static func samePads(size: Int, kernel: Int, stride: Int, dilation: Int, upper: Bool) -> (Int, Int) {
        let output = (size + stride - 1) / stride
        let total = max(0, (output - 1) * stride + (kernel - 1) * dilation + 1 - size)
        let small = total / 2
        return upper ? (small, total - small) : (total - small, small)
    }
}

/// A straightforward 2-D convolution (1-D when height is 1), the reference for Conv.
struct ReferenceConvolution {
    var n = 1, c = 1, h = 1, w = 1, cout = 1, kh = 1, kw = 1
    var sh = 1, sw = 1, dh = 1, dw = 1
    var top = 0, left = 0, bottom = 0, right = 0
    var group = 1

    var outH: Int { (h + top + bottom - ((kh - 1) * dh + 1)) / sh + 1 }
    var outW: Int { (w + left + right - ((kw - 1) * dw + 1)) / sw + 1 }

    func run(_ x: [Float], _ weight: [Float], _ bias: [Float]?, _ activation: Activation?) -> [Float] {
        let cg = c / group, og = cout / group
        var out = [Float](repeating: 0, count: n * cout * outH * outW)
        for b in 0..<n { for o in 0..<cout { for oy in 0..<outH { for ox in 0..<outW {
            let gIndex = o / og
            var sum: Float = bias?[o] ?? 0
            for ci in 0..<cg { for ky in 0..<kh { for kx in 0..<kw {
                let iy = oy * sh - top + ky * dh, ix = ox * sw - left + kx * dw
                guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                let channel = gIndex * cg + ci
                sum += x[((b * c + channel) * h + iy) * w + ix] * weight[((o * cg + ci) * kh + ky) * kw + kx]
            } } }
            out[((b * cout + o) * outH + oy) * outW + ox] = activation.map { $0(sum) } ?? sum
        } } } }
        return out
    }
}
