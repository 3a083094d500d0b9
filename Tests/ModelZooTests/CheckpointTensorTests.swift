import Foundation
import Tensor
import Testing
import TestSupport
@testable import ModelZoo

@Suite("Checkpoint tensors: strides, conversions, safetensors")
struct CheckpointTensorTests {
    final class Owner {}

    static func recipe(_ type: DataType, count: Int, offset: Int = 0, size: [Int], stride: [Int]) -> TensorRecipe {
        TensorRecipe(storage: StorageReference(dataType: type, key: "0", elementCount: count),
                     storageOffset: offset, size: size, stride: stride)
    }

    @Test("non-contiguous strides and offsets are materialised in C order")
    func strided() throws {
        let storage: [Float] = (0..<12).map(Float.init)
        try storage.withUnsafeBytes { raw in
            // Transposed [2, 3] view of a [3, 2] matrix starting at element 1.
            let transposed = try TensorMaterializer.tensor(Self.recipe(.float32, count: 12, offset: 1, size: [2, 3], stride: [1, 2]),
                                                           storageBytes: raw, owner: Owner(), name: "t", path: "p")
            #expect(transposed.shape == [2, 3])
            #expect(transposed.toFloats() == [1, 3, 5, 2, 4, 6])
            // HWIO-style 4-d strides like the legacy efficientnet file: size [2,1,2,3] stride [1,2,12,4]... kept in range.
            let hwio = try TensorMaterializer.tensor(Self.recipe(.float32, count: 12, size: [2, 1, 2, 3], stride: [1, 2, 6, 2]),
                                                     storageBytes: raw, owner: Owner(), name: "w", path: "p")
            var expected: [Float] = []
            for o in 0..<2 { for i in 0..<1 { for h in 0..<2 { for w in 0..<3 { expected.append(Float(o + 2 * i + 6 * h + 2 * w)) } } } }
            #expect(hwio.toFloats() == expected)
            // A contiguous aligned float32 view shares the bytes.
            let view = try TensorMaterializer.tensor(Self.recipe(.float32, count: 12, offset: 4, size: [2, 4], stride: [4, 1]),
                                                     storageBytes: raw, owner: Owner(), name: "v", path: "p")
            #expect(UnsafeRawPointer(view.rawPointer) == raw.baseAddress! + 16)
            #expect(view.toFloats() == (4..<12).map(Float.init))
            // Out of range and oversized expanded views throw.
            #expect(throws: CheckpointError.self) {
                try TensorMaterializer.tensor(Self.recipe(.float32, count: 12, offset: 1, size: [3, 4], stride: [4, 1]),
                                              storageBytes: raw, owner: Owner(), name: "x", path: "p")
            }
            #expect(throws: CheckpointError.self) {
                try TensorMaterializer.tensor(Self.recipe(.float32, count: 12, size: [1 << 40], stride: [0]),
                                              storageBytes: raw, owner: Owner(), name: "x", path: "p")
            }
            #expect(throws: CheckpointError.self) {
                try TensorMaterializer.tensor(Self.recipe(.float32, count: 13, size: [13], stride: [1]),
                                              storageBytes: raw, owner: Owner(), name: "x", path: "p")
            }
        }
    }

    @Test("float16, bfloat16 and float64 storages become float32; strided float16 too")
    func conversions() throws {
        let halves: [UInt16] = [0x3C00, 0xC000, 0x0001, 0x7BFF, 0x3555, 0x8000]  // 1, -2, 2^-24, 65504, 0.333251953125, -0
        try halves.withUnsafeBytes { raw in
            let tensor = try TensorMaterializer.tensor(Self.recipe(.float16, count: 6, size: [3, 2], stride: [1, 3]),
                                                       storageBytes: raw, owner: Owner(), name: "h", path: "p")
            #expect(tensor.dataType == .float32)
            #expect(tensor.toFloats() == [1, 65504, -2, 0.333251953125, Float(sign: .plus, exponent: -24, significand: 1), -0.0])
        }
        let bfloats: [UInt16] = [0x3F80, 0xC040]  // 1, -3
        try bfloats.withUnsafeBytes { raw in
            let tensor = try TensorMaterializer.tensor(Self.recipe(.bfloat16, count: 2, size: [2], stride: [1]),
                                                       storageBytes: raw, owner: Owner(), name: "b", path: "p")
            #expect(tensor.toFloats() == [1, -3])
        }
        let doubles: [Double] = [0.1, -1e40]
        try doubles.withUnsafeBytes { raw in
            let tensor = try TensorMaterializer.tensor(Self.recipe(.float64, count: 2, size: [2], stride: [1]),
                                                       storageBytes: raw, owner: Owner(), name: "d", path: "p")
            #expect(tensor.toFloats() == [Float(0.1), -.infinity])
        }
    }

    /// A safetensors file: header JSON padded with `padding` spaces, then `data`.
    static func safetensors(_ header: String, padding: Int = 0, data: [UInt8]) -> Data {
        let json = Array((header + String(repeating: " ", count: padding)).utf8)
        var bytes = withUnsafeBytes(of: UInt64(json.count).littleEndian) { Array($0) }
        bytes += json + data
        return Data(bytes)
    }

    static let sampleHeader = #"{"__metadata__":{"format":"pt"},"b":{"dtype":"BF16","shape":[2],"data_offsets":[8,12]},"# +
        #""a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"c":{"dtype":"F64","shape":[1],"data_offsets":[12,20]},"# +
        #""d":{"dtype":"I64","shape":[],"data_offsets":[20,28]},"e":{"dtype":"F16","shape":[0,3],"data_offsets":[28,28]}}"#

    static let sampleData: [UInt8] = {
        var data: [UInt8] = []
        for value in [Float(1.5), -2] { data += withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
        data += [0x80, 0x3F, 0x40, 0xC0]                                       // BF16 1, -3
        data += withUnsafeBytes(of: Double(0.25).bitPattern.littleEndian) { Array($0) }
        data += withUnsafeBytes(of: Int64(-7).littleEndian) { Array($0) }
        return data
    }()

    @Test("safetensors: every dtype, aligned and unaligned data sections, file order")
    func safetensorsDtypes() throws {
        let directory = try CheckpointTestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for padding in 0..<4 {
            let url = directory.appendingPathComponent("t\(padding).safetensors")
            try Self.safetensors(Self.sampleHeader, padding: padding, data: Self.sampleData).write(to: url)
            let checkpoint = try CheckpointReader.read(contentsOf: url)
            #expect(checkpoint.format == .safetensors)
            #expect(checkpoint.names == ["a", "b", "c", "d", "e"])
            #expect(try checkpoint.floats("a") == [1.5, -2])
            #expect(try checkpoint.floats("b") == [1, -3])
            #expect(try checkpoint.floats("c") == [0.25])
            #expect(try checkpoint.tensor("d").toInt64s() == [-7])
            #expect(try checkpoint.tensor("d").shape == [])
            #expect(try checkpoint.tensor("e").shape == [0, 3])
            #expect(checkpoint.storedDataTypes == ["a": .float32, "b": .bfloat16, "c": .float64, "d": .int64, "e": .float16])
        }
    }

    @Test("safetensors: bad headers, offsets, sizes, dtypes and every truncation throw")
    func safetensorsErrors() throws {
        let directory = try CheckpointTestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let a = #""a":{"dtype":"F32","shape":[2],"data_offsets":"#
        let cases: [(String, Data)] = [
            ("offsets past the data", Self.safetensors("{\(a)[0,16]}}", data: Self.sampleData)),
            ("size mismatch", Self.safetensors("{\(a)[0,12]}}", data: Self.sampleData)),
            ("reversed offsets", Self.safetensors("{\(a)[8,0]}}", data: Self.sampleData)),
            ("negative shape", Self.safetensors(#"{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, data: Self.sampleData)),
            ("huge shape", Self.safetensors(#"{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}"#, data: Self.sampleData)),
            ("unknown dtype", Self.safetensors(#"{"a":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}}"#, data: Self.sampleData)),
            ("not JSON", Self.safetensors("{\"a\": nope}", data: Self.sampleData)),
            ("header past the end", Data([0x40, 0, 0, 0, 0, 0, 0, 0x7F, 0x7B, 0x7D])),
        ]
        for (what, data) in cases {
            let url = directory.appendingPathComponent("bad.safetensors")
            try data.write(to: url)
            #expect(throws: CheckpointError.self, "\(what)") { try CheckpointReader.read(contentsOf: url) }
        }
        let whole = Self.safetensors(Self.sampleHeader, data: Self.sampleData)
        for length in 0..<whole.count {
            let url = directory.appendingPathComponent("cut.safetensors")
            try whole.prefix(length).write(to: url)
            #expect(throws: CheckpointError.self, "length \(length)") { try CheckpointReader.read(contentsOf: url) }
        }
    }
}
