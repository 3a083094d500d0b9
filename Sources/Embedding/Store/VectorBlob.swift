import Foundation

/// The on-disk form of a vector: float32 values, little-endian, packed.
public enum VectorBlob {
    /// The bytes of `values` as little-endian float32.
    public static func encode(_ values: [Float]) -> Data {
        values.withUnsafeBufferPointer { encode($0) }
    }

    /// The bytes of `values` as little-endian float32.
    public static func encode(_ values: UnsafeBufferPointer<Float>) -> Data {
        #if _endian(little)
        return Data(buffer: values)
        #else
        var data = Data(count: values.count * 4)
        data.withUnsafeMutableBytes { raw in
            for (i, value) in values.enumerated() {
                raw.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: i * 4, as: UInt32.self)
            }
        }
        return data
        #endif
    }

    /// The floats stored in `bytes` (trailing bytes short of a float are ignored).
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> [Float] {
        let count = bytes.count / 4
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            decode(UnsafeRawBufferPointer(start: bytes.baseAddress, count: count * 4), into: buffer.baseAddress!)
            initialized = count
        }
    }

    /// The floats stored in `data`.
    public static func decode(_ data: Data) -> [Float] {
        data.withUnsafeBytes { decode($0) }
    }

    /// Writes the `bytes.count / 4` floats in `bytes` to `destination`.
    public static func decode(_ bytes: UnsafeRawBufferPointer, into destination: UnsafeMutablePointer<Float>) {
        let count = bytes.count / 4
        guard count > 0, let base = bytes.baseAddress else { return }
        #if _endian(little)
        UnsafeMutableRawPointer(destination).copyMemory(from: base, byteCount: count * 4)
        #else
        for i in 0..<count {
            let bits = base.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)
            destination[i] = Float(bitPattern: UInt32(littleEndian: bits))
        }
        #endif
    }
}
