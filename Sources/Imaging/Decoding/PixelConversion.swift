/// Pillow's `convert('RGB')` rules for the sample layouts the decoders produce.
/// All functions take interleaved samples and return `count * 3` RGB bytes.
enum PixelConversion {
    /// L -> RGB: the gray value replicated.
    static func grayToRGB(_ gray: [UInt8], pixelCount: Int, stride: Int = 1) -> [UInt8] {
        var rgb = [UInt8](repeating: 0, count: pixelCount * 3)
        gray.withUnsafeBufferPointer { src in
            rgb.withUnsafeMutableBufferPointer { dst in
                for i in 0..<pixelCount {
                    let v = src[i * stride]
                    dst[3 * i] = v; dst[3 * i + 1] = v; dst[3 * i + 2] = v
                }
            }
        }
        return rgb
    }

    /// RGBA / RGBX / RGB+extra -> RGB: the first three samples, alpha dropped (no compositing).
    static func firstThree(_ samples: [UInt8], pixelCount: Int, stride: Int) -> [UInt8] {
        if stride == 3 { return Array(samples.prefix(pixelCount * 3)) }
        var rgb = [UInt8](repeating: 0, count: pixelCount * 3)
        samples.withUnsafeBufferPointer { src in
            rgb.withUnsafeMutableBufferPointer { dst in
                for i in 0..<pixelCount {
                    dst[3 * i] = src[stride * i]
                    dst[3 * i + 1] = src[stride * i + 1]
                    dst[3 * i + 2] = src[stride * i + 2]
                }
            }
        }
        return rgb
    }

    /// P -> RGB: palette lookup. `palette` holds 256 RGB triples (missing entries black).
    static func paletteToRGB(_ indices: [UInt8], pixelCount: Int, palette: [UInt8]) -> [UInt8] {
        precondition(palette.count == 768)
        var rgb = [UInt8](repeating: 0, count: pixelCount * 3)
        indices.withUnsafeBufferPointer { src in
            palette.withUnsafeBufferPointer { lut in
                rgb.withUnsafeMutableBufferPointer { dst in
                    for i in 0..<pixelCount {
                        let p = Int(src[i]) * 3
                        dst[3 * i] = lut[p]; dst[3 * i + 1] = lut[p + 1]; dst[3 * i + 2] = lut[p + 2]
                    }
                }
            }
        }
        return rgb
    }

    /// CMYK -> RGB with Pillow's integer formula (`cmyk2rgb`):
    /// nk = 255 - K; R = nk - MULDIV255(C, nk), MULDIV255(a, b) = (((a*b+128) >> 8) + a*b+128) >> 8.
    /// `inverted`: the samples are stored inverted (Adobe APP14), so un-invert them first.
    static func cmykToRGB(_ cmyk: [UInt8], pixelCount: Int, inverted: Bool) -> [UInt8] {
        var rgb = [UInt8](repeating: 0, count: pixelCount * 3)
        let flip: Int32 = inverted ? 255 : 0
        @inline(__always) func muldiv255(_ a: Int32, _ b: Int32) -> Int32 {
            let t = a * b + 128
            return ((t >> 8) + t) >> 8
        }
        cmyk.withUnsafeBufferPointer { src in
            rgb.withUnsafeMutableBufferPointer { dst in
                for i in 0..<pixelCount {
                    let c = abs(flip - Int32(src[4 * i])), m = abs(flip - Int32(src[4 * i + 1]))
                    let y = abs(flip - Int32(src[4 * i + 2])), k = abs(flip - Int32(src[4 * i + 3]))
                    let nk = 255 - k
                    dst[3 * i] = UInt8(clamping: nk - muldiv255(c, nk))
                    dst[3 * i + 1] = UInt8(clamping: nk - muldiv255(m, nk))
                    dst[3 * i + 2] = UInt8(clamping: nk - muldiv255(y, nk))
                }
            }
        }
        return rgb
    }
}
