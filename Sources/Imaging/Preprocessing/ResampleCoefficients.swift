import CImageCodecs
import Foundation

/// Pillow's per-output-pixel filter taps for one axis, in 8-bit fixed point.
///
/// For output index `o` (scale = in / out, widened to at least 1 for the support):
/// `center = (o + 0.5) * scale`, source span `[Int(center - support + 0.5), Int(center + support + 0.5))`
/// clamped to the image, weights `kernel((i - center + 0.5) / filterScale)` normalised to sum 1
/// in double precision, then rounded half away from zero to `PRECISION_BITS = 22` fractional bits.
/// Only the outputs in `outputRange` are tabulated (each output pixel is independent).
struct ResampleCoefficients {
    /// Fractional bits of the fixed-point weights: `32 - 8 - 2` as in Pillow.
    static let precisionBits: Int32 = 22

    /// Output indices covered (row or column numbers of the full resized image).
    let outputRange: Range<Int>
    /// Taps stored per output index (maximum span).
    let stride: Int
    /// First source index of each covered output.
    let starts: [Int]
    /// Number of source indices of each covered output.
    let counts: [Int]
    /// `counts.count * stride` weights; unused tail entries are zero.
    let weights: [Int32]

    init(inputSize: Int, outputSize: Int, outputRange: Range<Int>, kernel: ConvolutionKernel) {
        self.outputRange = outputRange
        // Pillow computes `in1 - in0` in single precision; exact for realistic sizes.
        let scale = Double(Float(inputSize)) / Double(outputSize)
        let filterScale = max(scale, 1)
        let support = kernel.support * filterScale
        let stride = Int(support.rounded(.up)) * 2 + 1
        let inverseFilterScale = 1.0 / filterScale
        let one = Double(1 << Int(Self.precisionBits))

        var starts = [Int](repeating: 0, count: outputRange.count)
        var counts = [Int](repeating: 0, count: outputRange.count)
        var weights = [Int32](repeating: 0, count: outputRange.count * stride)
        var taps = [Double](repeating: 0, count: stride)
        for (slot, o) in outputRange.enumerated() {
            let center = (Double(o) + 0.5) * scale
            let first = max(Int(center - support + 0.5), 0)
            let end = min(Int(center + support + 0.5), inputSize)
            let count = max(end - first, 0)
            var total = 0.0
            for t in 0..<count {
                let w = kernel.weight((Double(t + first) - center + 0.5) * inverseFilterScale)
                taps[t] = w
                total += w
            }
            let base = slot * stride
            for t in 0..<count {
                var w = taps[t]
                if total != 0 { w /= total }
                weights[base + t] = w < 0 ? Int32(-0.5 + w * one) : Int32(0.5 + w * one)
            }
            starts[slot] = first
            counts[slot] = count
        }
        self.stride = stride
        self.starts = starts
        self.counts = counts
        self.weights = weights
    }

    /// Source indices `[lowest, highest)` read by the covered outputs (spans are monotonic).
    var sourceSpan: Range<Int> {
        guard let firstStart = starts.first, let lastStart = starts.last, let lastCount = counts.last else {
            return 0..<0
        }
        return firstStart..<max(firstStart, lastStart + lastCount)
    }

    /// Pillow's `clip8`: drop the fraction (arithmetic shift) and clamp to 0...255.
    @inline(__always)
    static func clip8(_ accumulator: Int32) -> UInt8 {
        let value = accumulator >> precisionBits
        return value < 0 ? 0 : (value > 255 ? 255 : UInt8(truncatingIfNeeded: value))
    }

    /// Start value of each accumulator: one half in fixed point (rounds to nearest).
    static let roundingOffset: Int32 = 1 << (precisionBits - 1)

    /// The coefficients as the C resampler's axis description (valid inside `body` only).
    func withAxis<R>(_ body: (inout imgc_resample_axis) -> R) -> R {
        starts.withUnsafeBufferPointer { starts in
            counts.withUnsafeBufferPointer { counts in
                weights.withUnsafeBufferPointer { weights in
                    var axis = imgc_resample_axis(count: outputRange.count, starts: starts.baseAddress, counts: counts.baseAddress,
                                                  weights: weights.baseAddress, stride: stride)
                    return body(&axis)
                }
            }
        }
    }
}
