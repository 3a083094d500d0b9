import Foundation

/// A resampling filter, with Pillow's semantics (`PIL.Image.Resampling`).
///
/// `nearest` maps each output pixel to one source pixel (Pillow's affine nearest-neighbour
/// scaling); every other case is Pillow's separable convolution resampler with the filter
/// widened by the scale factor when downscaling (antialiasing).
public enum Interpolation: String, Codable, Sendable, CaseIterable {
    case nearest
    /// Pillow `BOX` (support 0.5).
    case box
    /// Pillow `BILINEAR`: triangle filter, support 1.
    case bilinear
    /// Pillow `HAMMING`: Hamming-windowed sinc, support 1.
    case hamming
    /// Pillow `BICUBIC`: cubic convolution with a = -0.5, support 2.
    case bicubic
    /// Pillow `LANCZOS`: 3-lobed Lanczos windowed sinc, support 3.
    case lanczos

    /// Pillow's integer code for this filter (`Image.Resampling` values), as used by
    /// Hugging Face `preprocessor_config.json` (`resample`).
    public var pillowCode: Int {
        switch self {
        case .nearest: return 0
        case .lanczos: return 1
        case .bilinear: return 2
        case .bicubic: return 3
        case .box: return 4
        case .hamming: return 5
        }
    }

    /// The filter with Pillow integer code `code` (0 nearest, 1 lanczos, 2 bilinear,
    /// 3 bicubic, 4 box, 5 hamming), or `nil`.
    public init?(pillowCode code: Int) {
        guard let match = Interpolation.allCases.first(where: { $0.pillowCode == code }) else { return nil }
        self = match
    }

    /// The filter named `name` in torchvision / timm spelling (`"bicubic"`, `"BILINEAR"`,
    /// `"InterpolationMode.BICUBIC"`, `"lanczos"`, `"nearest"`, ...), or `nil`.
    public init?(name: String) {
        var key = name.lowercased()
        if let dot = key.lastIndex(of: ".") { key = String(key[key.index(after: dot)...]) }
        switch key {
        case "nearest", "nearest-exact": self = .nearest
        case "box": self = .box
        case "bilinear", "linear": self = .bilinear
        case "hamming": self = .hamming
        case "bicubic", "cubic": self = .bicubic
        case "lanczos", "antialias": self = .lanczos
        default: return nil
        }
    }

    /// The convolution kernel and its support (half-width, in source pixels at scale 1);
    /// `nil` for `nearest`.
    var convolutionKernel: ConvolutionKernel? {
        switch self {
        case .nearest: return nil
        case .box: return ConvolutionKernel(support: 0.5, weight: ConvolutionKernel.box)
        case .bilinear: return ConvolutionKernel(support: 1, weight: ConvolutionKernel.triangle)
        case .hamming: return ConvolutionKernel(support: 1, weight: ConvolutionKernel.hamming)
        case .bicubic: return ConvolutionKernel(support: 2, weight: ConvolutionKernel.cubic)
        case .lanczos: return ConvolutionKernel(support: 3, weight: ConvolutionKernel.lanczos3)
        }
    }
}

/// A separable resampling kernel evaluated in double precision, as Pillow does.
struct ConvolutionKernel {
    let support: Double
    let weight: (Double) -> Double

    static func box(_ x: Double) -> Double {
        (x > -0.5 && x <= 0.5) ? 1 : 0
    }

    static func triangle(_ x: Double) -> Double {
        let d = abs(x)
        return d < 1 ? 1 - d : 0
    }

    static func hamming(_ x: Double) -> Double {
        let d = abs(x)
        if d == 0 { return 1 }
        if d >= 1 { return 0 }
        let t = d * Double.pi
        // Pillow writes the window constants as C `float` literals.
        return sin(t) / t * (Double(Float(0.54)) + Double(Float(0.46)) * cos(t))
    }

    static func cubic(_ x: Double) -> Double {
        let a = -0.5
        let d = abs(x)
        if d < 1 { return ((a + 2) * d - (a + 3)) * d * d + 1 }
        if d < 2 { return (((d - 5) * d + 8) * d - 4) * a }
        return 0
    }

    static func sinc(_ x: Double) -> Double {
        if x == 0 { return 1 }
        let t = x * Double.pi
        return sin(t) / t
    }

    static func lanczos3(_ x: Double) -> Double {
        (-3 <= x && x < 3) ? sinc(x) * sinc(x / 3) : 0
    }
}
