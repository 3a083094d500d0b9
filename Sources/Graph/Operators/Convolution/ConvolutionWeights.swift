import Kernels
import Tensor

/// Convolution weights packed once, when the operator is built, for the GEMM path:
/// one ``PackedMatrix`` per group (`Cout/groups × Cin/groups·kh·kw`; ONNX's
/// `[Cout, Cin/g, kh, kw]` layout is already that row-major matrix), so that workers
/// never pack the weights again.
struct ConvolutionWeights: @unchecked Sendable {
    let groups: [PackedMatrix]

    /// Packs `weight` (`[Cout, Cin/groups, kh...]`, float32) for `groups` groups;
    /// `nil` when the weight is empty or not divisible by `groups`.
    init?(weight: Tensor, groups: Int) {
        let shape = weight.shape
        guard weight.dataType == .float32, shape.count >= 3, groups >= 1, shape[0] % groups == 0 else { return nil }
        let rows = shape[0] / groups, depth = shape.dropFirst().reduce(1, *)
        guard rows > 0, depth > 0 else { return nil }
        let w = UnsafePointer(weight.floatPointer)
        self.groups = (0..<groups).map { group in
            PackedMatrix(rows: rows, columns: depth, a: w + group * rows * depth, lda: depth)
        }
    }

    /// Whether these weights were packed from a weight of shape `shape`.
    func matches(rows: Int, depth: Int, groups: Int) -> Bool {
        self.groups.count == groups && self.groups.first.map { $0.rows == rows && $0.columns == depth } == true
    }
}
