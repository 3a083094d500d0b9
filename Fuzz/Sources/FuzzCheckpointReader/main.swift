// libFuzzer target: arbitrary bytes as a checkpoint file (safetensors, torch zip, legacy
// pickle) through CheckpointReader and its restricted unpickler. None may trap, and no
// input may get past the unpickler's allow-list. Run with `scripts/fuzz FuzzCheckpointReader 600`.
import Foundation
import ModelZoo
import Tensor

/// The reader maps files, so each input goes through one reused temporary file.
private let scratch = FileManager.default.temporaryDirectory
    .appendingPathComponent("imgvec-fuzz-checkpoint-\(getpid()).bin")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    guard (try? data.write(to: scratch)) != nil else { return 0 }
    do {
        let checkpoint = try CheckpointReader.read(contentsOf: scratch)
        // Touch every byte of every tensor so AddressSanitizer sees any view past its storage.
        var checksum: UInt8 = 0
        for name in checkpoint.names {
            guard let tensor = checkpoint.tensors[name] else { continue }
            for byte in UnsafeRawBufferPointer(start: tensor.rawPointer, count: tensor.byteCount) { checksum &+= byte }
        }
        _ = String(describing: checksum)
    } catch {
        _ = String(describing: error)
    }
    return 0
}
