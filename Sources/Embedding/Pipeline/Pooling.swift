import Foundation
import Tensor

/// How a model output (a feature map or token sequence) becomes one vector per image.
public enum Pooling: String, Codable, Sendable, CaseIterable {
    /// The output as it is, flattened per image ([N, ...] -> [N, prod]).
    case none
    /// Flatten the feature map (the seed's VGG16 recipe: 7×7×512 -> 25,088).
    case flatten
    /// Mean over spatial positions ([N, C, H, W] -> [N, C]) or tokens ([N, T, D] -> [N, D]).
    case avg
    /// Maximum over spatial positions or tokens.
    case max
    /// Generalised mean (p = 3) over spatial positions or tokens, of the values clamped at 1e-6.
    case gem
    /// The first token of a transformer's sequence ([N, T, D] -> [N, D]).
    case cls

    /// Pools a batch output into `[N, D]` vectors.
    public func apply(to output: Tensor) throws -> Tensor {
        let x = output.convertedToFloat32()
        guard x.rank >= 1, x.shape[0] > 0 else { throw PoolingError.unsupportedShape(self, x.shape) }
        let n = x.shape[0]
        let perImage = x.count / n
        switch self {
        case .none, .flatten:
            return x.reshaped([n, perImage])
        case .cls:
            guard x.rank == 3 else { throw PoolingError.unsupportedShape(self, x.shape) }
            let tokens = x.shape[1], width = x.shape[2]
            let result = Tensor(zeros: [n, width])
            for row in 0..<n {
                (result.floatPointer + row * width).update(from: x.floatPointer + row * tokens * width, count: width)
            }
            return result
        case .avg, .max, .gem:
            // Feature maps [N, C, spatial...] reduce over spatial; sequences [N, T, D] over T.
            let channels: Int, positions: Int, channelStride: Int, positionStride: Int
            switch x.rank {
            case 2: return x
            case 3: (channels, positions, channelStride, positionStride) = (x.shape[2], x.shape[1], 1, x.shape[2])
            default:
                channels = x.shape[1]
                positions = perImage / channels
                (channelStride, positionStride) = (positions, 1)
            }
            let result = Tensor(zeros: [n, channels])
            let source = x.floatPointer, target = result.floatPointer
            for row in 0..<n {
                let image = source + row * perImage
                for c in 0..<channels {
                    var accumulator: Double = self == .max ? -.infinity : 0
                    for p in 0..<positions {
                        let v = Double(image[c * channelStride + p * positionStride])
                        switch self {
                        case .max: accumulator = Swift.max(accumulator, v)
                        case .gem: accumulator += Foundation.pow(Swift.max(v, 1e-6), 3)
                        default: accumulator += v
                        }
                    }
                    switch self {
                    case .max: target[row * channels + c] = Float(accumulator)
                    case .gem: target[row * channels + c] = Float(Foundation.pow(accumulator / Double(positions), 1.0 / 3))
                    default: target[row * channels + c] = Float(accumulator / Double(positions))
                    }
                }
            }
            return result
        }
    }
}

/// L2 normalisation of vectors.
public enum VectorNormalization {
    /// Scales each row of `[N, D]` to unit length (zero rows stay zero).
    public static func l2Normalize(_ vectors: Tensor) -> Tensor {
        let result = vectors.copy()
        let n = vectors.shape[0], d = vectors.count / max(n, 1)
        let p = result.floatPointer
        for row in 0..<n {
            var sum: Double = 0
            for i in 0..<d { sum += Double(p[row * d + i]) * Double(p[row * d + i]) }
            guard sum > 0 else { continue }
            let scale = Float(1 / sum.squareRoot())
            for i in 0..<d { p[row * d + i] *= scale }
        }
        return result
    }
}

/// A pooling that does not fit the model's output.
public enum PoolingError: Error, CustomStringConvertible {
    case unsupportedShape(Pooling, [Int])

    public var description: String {
        switch self {
        case let .unsupportedShape(pooling, shape):
            return "pooling '\(pooling.rawValue)' does not apply to an output of shape \(shape)"
                + (pooling == .cls ? " (cls needs a [batch, tokens, width] sequence)" : "")
        }
    }
}
