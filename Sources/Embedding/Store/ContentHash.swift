import Crypto
import Foundation

/// SHA-256 content hashes (lowercase hex) of images and model files, through
/// swift-crypto (CryptoKit on Apple platforms, BoringSSL elsewhere).
public enum ContentHash {
    /// The SHA-256 of `data`, lowercase hex.
    public static func hexDigest(of data: Data) -> String {
        hex(SHA256.hash(data: data))
    }

    /// The SHA-256 of a file, streamed in 1 MB chunks, lowercase hex.
    public static func hexDigest(ofFileAt url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hex(hasher.finalize())
    }

    private static let digits = Array("0123456789abcdef".utf8)

    private static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        var out: [UInt8] = []
        for byte in digest { out.append(digits[Int(byte >> 4)]); out.append(digits[Int(byte & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }
}
