import Foundation
import Testing
import Tensor
import TestSupport

@Suite struct NumPyFileTests {
    @Test func roundTripsFloat32() throws {
        let tensor = Tensor(shape: [2, 3], floats: [1, 2, 3, 4.5, -5, 6])
        let decoded = try NumPyFile.decode(NumPyFile.encode(tensor))
        #expect(decoded.shape == [2, 3])
        #expect(decoded.dataType == .float32)
        #expect(decoded.toFloats() == [1, 2, 3, 4.5, -5, 6])
    }

    @Test func headerIsAlignedAndVersionOne() {
        let data = NumPyFile.encode(Tensor(shape: [5], floats: [1, 2, 3, 4, 5]))
        #expect(data[6] == 1 && data[7] == 0)
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        #expect((10 + headerLength) % 64 == 0)
        #expect(data.count == 10 + headerLength + 20)
    }

    @Test func roundTripsScalarAndInt64() throws {
        let scalar = try NumPyFile.decode(NumPyFile.encode(Tensor(scalar: 7)))
        #expect(scalar.shape == [] && scalar.toFloats() == [7])
        let ints = try NumPyFile.decode(NumPyFile.encode(Tensor(shape: [3], int64s: [-1, 0, 1 << 40])))
        #expect(ints.dataType == .int64 && ints.toInt64s() == [-1, 0, 1 << 40])
    }

    @Test func rejectsTruncatedData() throws {
        var data = NumPyFile.encode(Tensor(shape: [4], floats: [1, 2, 3, 4]))
        data.removeLast(3)
        #expect(throws: NumPyError.self) { try NumPyFile.decode(data) }
        #expect(throws: NumPyError.self) { try NumPyFile.decode(Data([1, 2, 3])) }
    }

    @Test func readsSharedReferenceInput() throws {
        guard let url = Fixtures.sharedFile("reference/random_batch/input.npy") else { return }
        let tensor = try NumPyFile.read(url)
        #expect(tensor.shape == [4, 3, 224, 224])
        #expect(tensor.dataType == .float32)
    }

    @Test func convertsHalfPrecisionExactly() {
        #expect(HalfPrecision.float(fromHalf: 0x3C00) == 1)
        #expect(HalfPrecision.float(fromHalf: 0xC000) == -2)
        #expect(HalfPrecision.float(fromHalf: 0x0001) == Float(sign: .plus, exponent: -24, significand: 1))
        #expect(HalfPrecision.float(fromHalf: 0x7C00) == .infinity)
        #expect(HalfPrecision.float(fromHalf: 0x7BFF) == 65504)
        #expect(HalfPrecision.float(fromBFloat: 0x3F80) == 1)
    }
}
