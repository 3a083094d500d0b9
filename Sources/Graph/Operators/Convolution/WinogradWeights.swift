import Kernels
import Tensor

/// The weights of a 3x3 convolution transformed once, at build, for Winograd F(4x4, 3x3):
/// `U = G g G^T` per (output, input) channel pair gives 36 matrices `Cout × Cin`, one per
/// position of the 6x6 transformed tile, each packed for the GEMM (``PackedMatrix``).
///
/// The transform is computed in double precision, so the weights add no rounding beyond
/// their final float32 value. Memory: 4x the 3x3 weights (36 / 9).
struct WinogradWeights: @unchecked Sendable {
    /// `positions[6 * row + column]`: `Cout × Cin`.
    let positions: [PackedMatrix]
    let inputChannels: Int
    let outputChannels: Int

    /// G of F(4x4, 3x3) (6x3), in Lavin and Gray's points 0, ±1, ±2, ∞.
    static let g: [[Double]] = [
        [1.0 / 4, 0, 0],
        [-1.0 / 6, -1.0 / 6, -1.0 / 6],
        [-1.0 / 6, 1.0 / 6, -1.0 / 6],
        [1.0 / 24, 1.0 / 12, 1.0 / 6],
        [1.0 / 24, -1.0 / 12, 1.0 / 6],
        [0, 0, 1],
    ]

    /// Transforms `weight` (`[Cout, Cin, 3, 3]`, float32); `nil` for any other shape.
    init?(weight: Tensor) {
        let shape = weight.shape
        guard weight.dataType == .float32, shape.count == 4, shape[2] == 3, shape[3] == 3,
              shape[0] > 0, shape[1] > 0 else { return nil }
        let cout = shape[0], cin = shape[1], pairs = cout * cin
        let w = UnsafePointer(weight.floatPointer)
        let transformed = UnsafeMutablePointer<Float>.allocate(capacity: 36 * pairs)
        defer { transformed.deallocate() }
        let g = Self.g
        var half = [Double](repeating: 0, count: 18)   // G g: 6x3
        for pair in 0..<pairs {
            let kernel = w + pair * 9
            for i in 0..<6 {
                for j in 0..<3 {
                    half[i * 3 + j] = g[i][0] * Double(kernel[j]) + g[i][1] * Double(kernel[3 + j]) + g[i][2] * Double(kernel[6 + j])
                }
            }
            for i in 0..<6 {
                for k in 0..<6 {
                    let value = half[i * 3] * g[k][0] + half[i * 3 + 1] * g[k][1] + half[i * 3 + 2] * g[k][2]
                    transformed[(6 * i + k) * pairs + pair] = Float(value)
                }
            }
        }
        positions = (0..<36).map { position in
            PackedMatrix(rows: cout, columns: cin, a: transformed + position * pairs, lda: cin)
        }
        inputChannels = cin
        outputChannels = cout
    }
}
