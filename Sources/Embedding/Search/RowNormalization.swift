import Kernels
import Tensor

/// L2 normalisation of matrix rows, the first step of every cosine computation.
public enum RowNormalization {
    /// A copy of the `[N, D]` float32 matrix `matrix` with each row scaled to unit
    /// length. All-zero rows stay zero (their cosine with anything is 0).
    public static func normalizedCopy(of matrix: Tensor) -> Tensor {
        precondition(matrix.rank == 2 && matrix.dataType == .float32, "expected a [N, D] float32 matrix")
        let result = matrix.copy()
        normalizeInPlace(result.floatPointer, rows: matrix.shape[0], columns: matrix.shape[1])
        return result
    }

    /// Scales each of `rows` rows of `columns` floats at `base` to unit length.
    public static func normalizeInPlace(_ base: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        guard rows > 0, columns > 0 else { return }
        ThreadPool(threadCount: rows >= 4096 ? nil : 1).parallelChunks(rows) { range in
            for row in range {
                let vector = base + row * columns
                let norm = squaredNorm(vector, count: columns).squareRoot()
                guard norm > 0, norm.isFinite else { continue }
                let scale = 1 / norm
                for i in 0..<columns { vector[i] *= scale }
            }
        }
    }

    /// The sum of squares of `count` floats (SIMD, fixed summation order).
    @inlinable
    public static func squaredNorm(_ vector: UnsafePointer<Float>, count: Int) -> Float {
        var accumulator = SIMD8<Float>()
        var i = 0
        while i + 8 <= count {
            let lane = UnsafeRawPointer(vector + i).loadUnaligned(as: SIMD8<Float>.self)
            accumulator += lane * lane
            i += 8
        }
        var sum = accumulator.sum()
        while i < count { sum += vector[i] * vector[i]; i += 1 }
        return sum
    }
}
