import Foundation
import Tensor
import Testing

/// Storage whose resident memory can be given back and whose bytes come back on access.
@Suite struct ReleasableStorageTests {
    /// Counts how often a recipe ran (the recipes run on the test's thread only).
    final class Counter: @unchecked Sendable { var fills = 0 }

    func recomputable(_ values: [Float], counter: Counter) -> Tensor {
        Tensor(recomputing: [values.count]) { target in
            counter.fills += 1
            for (i, value) in values.enumerated() { target.storeBytes(of: value, toByteOffset: 4 * i, as: Float.self) }
        }
    }

    @Test func recomputableBytesAreMadeOnFirstReadAndAgainAfterRelease() {
        let counter = Counter()
        let values = (0..<100_000).map { Float($0) * 0.5 }   // above the mapped-pages threshold
        let tensor = recomputable(values, counter: counter)
        #expect(counter.fills == 0 && !tensor.storage.isMaterialized)
        #expect(tensor.toFloats() == values)
        #expect(counter.fills == 1 && tensor.storage.isMaterialized)
        #expect(tensor.toFloats() == values)
        #expect(counter.fills == 1)
        tensor.storage.releaseResidentMemory()
        #expect(!tensor.storage.isMaterialized)
        #expect(tensor.toFloats() == values)
        #expect(counter.fills == 2)
        #expect(Int(bitPattern: tensor.rawPointer) % TensorStorage.alignment == 0)
    }

    @Test func transientReadsLeaveNothingResident() {
        let counter = Counter()
        let tensor = recomputable([1, 2, 3], counter: counter)
        let sum = tensor.storage.withTransientBytes { bytes in
            (0..<3).reduce(Float(0)) { $0 + bytes.load(fromByteOffset: 4 * $1, as: Float.self) }
        }
        #expect(sum == 6 && !tensor.storage.isMaterialized && counter.fills == 1)
        _ = tensor.floatPointer
        #expect(tensor.storage.withTransientBytes { $0.load(fromByteOffset: 8, as: Float.self) } == 3)
        #expect(counter.fills == 2)   // the resident bytes were read, not made again
    }

    @Test func independentCopiesReleaseOnlyThemselves() {
        let counter = Counter()
        let original = recomputable([4, 5], counter: counter)
        let copy = original.independentlyReleasable()
        #expect(copy.toFloats() == [4, 5] && original.toFloats() == [4, 5])
        copy.storage.releaseResidentMemory()
        #expect(!copy.storage.isMaterialized && original.storage.isMaterialized)
        // Plain storage is shared as it is (releasing it is a no-op).
        let plain = Tensor(shape: [2], floats: [1, 2])
        #expect(plain.independentlyReleasable().storage === plain.storage && !plain.storage.isReleasable)
        plain.storage.releaseResidentMemory()
        #expect(plain.toFloats() == [1, 2])
    }

    @Test func releasedMappedPagesReadBackFromTheFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("releasable-\(UUID().uuidString).bin")
        defer { try? FileManager.default.removeItem(at: url) }
        let values = (0..<50_000).map { Float($0) - 7 }
        try values.withUnsafeBytes { Data($0) }.write(to: url)
        let file = try MappedFile(path: url.path)
        let tensor = file.tensor(dataType: .float32, shape: [values.count], offset: 0)
        #expect(tensor.toFloats() == values)
        #expect(tensor.storage.isReleasable)
        tensor.storage.releaseResidentMemory()
        #expect(tensor.toFloats() == values)
        // A range that is not page-aligned releases whole pages and leaves the bytes intact.
        file.releasePages(file.bytes.baseAddress! + 4097, byteCount: 10)
        #expect(tensor.toFloats() == values)
    }
}
