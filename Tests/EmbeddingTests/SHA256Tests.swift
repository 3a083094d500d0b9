import Embedding
import Foundation
import Testing

@Suite struct ContentHashTests {
    @Test func knownVectors() {
        #expect(ContentHash.hexDigest(of: Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(ContentHash.hexDigest(of: Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func fileDigestEqualsDataDigest() throws {
        let bytes = Data((0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("imgvec-hash-\(UUID().uuidString)")
        try bytes.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try ContentHash.hexDigest(ofFileAt: url) == ContentHash.hexDigest(of: bytes))
    }
}
