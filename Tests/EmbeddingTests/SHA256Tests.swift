import Foundation
import Testing
@testable import Embedding

@Suite struct SHA256Tests {
    @Test func knownDigests() {
        #expect(SHA256.hexDigest(of: Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hexDigest(of: Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hexDigest(of: Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hexDigest(of: Data(repeating: 0x61, count: 1_000)) // 'a' × 1000
            == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    @Test func chunkingDoesNotChangeTheDigest() throws {
        let bytes = Data((0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        let whole = SHA256.hexDigest(of: bytes)
        for chunk in [1, 7, 63, 64, 65, 500] {
            var hasher = SHA256()
            for start in stride(from: 0, to: bytes.count, by: chunk) {
                hasher.update(bytes.subdata(in: start..<min(bytes.count, start + chunk)))
            }
            #expect(SHA256.hex(hasher.finalize()) == whole)
        }
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let file = folder.file("blob.bin")
        try bytes.write(to: file)
        #expect(try SHA256.hexDigest(ofFileAt: file) == whole)
    }
}
