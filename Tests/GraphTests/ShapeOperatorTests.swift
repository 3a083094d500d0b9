import Graph
import Kernels
import Tensor
import Testing
import TestSupport

@Suite struct ShapeOperatorTests {
    @Test func reshapeCopiesZerosAndInfersMinusOne() throws {
        let x = Tensor(zeros: [2, 3, 4])
        #expect(try run("Reshape", [x, int64s([0, -1])])[0].shape == [2, 12])
        #expect(try run("Reshape", [x, int64s([-1, 0, 2])])[0].shape == [4, 3, 2])
        #expect(try run("Reshape", [Tensor(zeros: [0, 3]), int64s([0, 3])], attributes: ["allowzero": .int(1)])[0].shape == [0, 3])
        #expect(throws: GraphError.self) { try run("Reshape", [x, int64s([-1, -1])]) }
        #expect(throws: GraphError.self) { try run("Reshape", [x, int64s([5, -1])]) }
        #expect(throws: GraphError.self) { try run("Reshape", [x, int64s([7, 4])]) }
        // A shape that is not constant while planning is an error, not a crash.
        let node = Node(name: "r", opType: "Reshape", inputs: ["x", "s"], outputs: ["y"])
        let op = try OperatorRegistry.standard.makeOperator(for: node, opsetVersion: 17, constantInputs: [nil, nil])
        #expect(throws: GraphError.self) {
            try op.inferTypes([TensorType(.float32, [2, 3, 4]), TensorType(.int64, [2])], constants: [nil, nil])
        }
        #expect(op.aliasedInput == 0)
    }

    @Test func flattenSqueezeUnsqueeze() throws {
        let x = Tensor(zeros: [2, 1, 3, 1])
        #expect(try run("Flatten", [x], attributes: ["axis": .int(-2)])[0].shape == [2, 3])
        #expect(try run("Flatten", [x], attributes: ["axis": .int(0)])[0].shape == [1, 6])
        #expect(try run("Squeeze", [x])[0].shape == [2, 3])
        #expect(try run("Squeeze", [x, int64s([-1])])[0].shape == [2, 1, 3])
        #expect(try run("Squeeze", [x], attributes: ["axes": .ints([1])], opset: 11)[0].shape == [2, 3, 1])
        #expect(throws: GraphError.self) { try run("Squeeze", [x, int64s([0])]) }
        #expect(try run("Unsqueeze", [Tensor(zeros: [2, 3]), int64s([0, -1])])[0].shape == [1, 2, 3, 1])
        #expect(try run("Unsqueeze", [Tensor(zeros: [2, 3])], attributes: ["axes": .ints([1])], opset: 11)[0].shape == [2, 1, 3])
    }

    @Test func shapeSizeIdentityDropout() throws {
        let x = Tensor(zeros: [2, 3, 4, 5])
        #expect(try run("Shape", [x])[0].toInt64s() == [2, 3, 4, 5])
        #expect(try run("Shape", [x], attributes: ["start": .int(1), "end": .int(-1)])[0].toInt64s() == [3, 4])
        #expect(try run("Size", [x])[0].toInt64s() == [120])
        let y = Tensor(shape: [2], floats: [1, 2])
        #expect(try run("Identity", [y])[0].toFloats() == [1, 2])
        let dropped = try run("Dropout", [y], outputs: 2)
        #expect(dropped[0].toFloats() == [1, 2])
        #expect(boolValues(dropped[1]) == [true, true])
    }

    /// Reference transpose by index arithmetic.
    static func transposed(_ values: [Float], _ shape: [Int], _ perm: [Int]) -> [Float] {
        let outShape = perm.map { shape[$0] }
        var strides = [Int](repeating: 1, count: shape.count)
        for axis in stride(from: shape.count - 2, through: 0, by: -1) { strides[axis] = strides[axis + 1] * shape[axis + 1] }
        return (0..<values.count).map { index in
            var remainder = index, offset = 0
            for axis in stride(from: outShape.count - 1, through: 0, by: -1) {
                offset += remainder % outShape[axis] * strides[perm[axis]]
                remainder /= outShape[axis]
            }
            return values[offset]
        }
    }

    @Test func transposeAllPaths() throws {
        var generator = SeededGenerator(seed: 2)
        let cases: [([Int], [Int]?)] = [([5, 7], nil), ([3, 33, 35], [0, 2, 1]), ([2, 3, 4, 5], [0, 2, 1, 3]),
                                        ([2, 3, 4, 5], [3, 1, 0, 2]), ([2, 1, 4, 5], [1, 3, 2, 0]), ([2, 3, 4], [0, 1, 2])]
        for (shape, perm) in cases {
            let x = generator.tensor(shape)
            let p = perm ?? Array((0..<shape.count).reversed())
            let y = try run("Transpose", [x], attributes: perm.map { ["perm": .ints($0)] } ?? [:])[0]
            #expect(y.shape == p.map { shape[$0] })
            #expect(y.toFloats() == Self.transposed(x.toFloats(), shape, p), "\(shape) \(p)")
        }
        // Large enough to be split across threads: attention's head split, and a scattered walk.
        let context = ExecutionContext(threadPool: ThreadPool(threadCount: 3))
        for (shape, p) in [([2, 50, 3, 12, 64], [2, 0, 3, 1, 4]), ([64, 41, 30], [2, 1, 0])] {
            let x = generator.tensor(shape)
            let node = Node(name: "t", opType: "Transpose", inputs: ["x"], outputs: ["y"], attributes: ["perm": .ints(p)])
            let y = try OperatorRegistry.standard.evaluate(node, inputs: [x], context: context)[0]
            #expect(y.toFloats() == Self.transposed(x.toFloats(), shape, p), "\(shape) \(p) on 3 threads")
        }
        let ints = try run("Transpose", [int64s([1, 2, 3, 4, 5, 6], [2, 3])])[0]
        #expect(ints.toInt64s() == [1, 4, 2, 5, 3, 6])
    }

    @Test func concatAndSplit() throws {
        let a = Tensor(shape: [2, 1], floats: [1, 2]), b = Tensor(shape: [2, 2], floats: [3, 4, 5, 6])
        let c = try run("Concat", [a, b], attributes: ["axis": .int(-1)])[0]
        #expect(c.shape == [2, 3] && c.toFloats() == [1, 3, 4, 2, 5, 6])
        #expect(try run("Concat", [int64s([1]), int64s([2, 3])], attributes: ["axis": .int(0)])[0].toInt64s() == [1, 2, 3])
        #expect(throws: GraphError.self) { try run("Concat", [a, Tensor(zeros: [3, 1])], attributes: ["axis": .int(1)]) }
        let x = Tensor(shape: [2, 5], floats: (0..<10).map(Float.init))
        let parts = try run("Split", [x, int64s([2, 3])], attributes: ["axis": .int(1)], outputs: 2)
        #expect(parts[0].toFloats() == [0, 1, 5, 6] && parts[1].toFloats() == [2, 3, 4, 7, 8, 9])
        let even = try run("Split", [Tensor(shape: [4], floats: [1, 2, 3, 4])], outputs: 2)
        #expect(even[0].toFloats() == [1, 2] && even[1].toFloats() == [3, 4])
        let numbered = try run("Split", [x], attributes: ["axis": .int(-1), "num_outputs": .int(2)], outputs: 2, opset: 18)
        #expect(numbered[0].shape == [2, 3] && numbered[1].toFloats() == [3, 4, 8, 9])
        let legacy = try run("Split", [x], attributes: ["axis": .int(1), "split": .ints([4, 1])], outputs: 2, opset: 11)
        #expect(legacy[1].toFloats() == [4, 9])
        #expect(throws: GraphError.self) { try run("Split", [x, int64s([2, 2])], attributes: ["axis": .int(1)], outputs: 2) }
    }

    @Test func sliceNegativeStepsAndClamping() throws {
        let x = Tensor(shape: [3, 4], floats: (0..<12).map(Float.init))
        func slice(_ starts: [Int64], _ ends: [Int64], _ axes: [Int64]? = nil, _ steps: [Int64]? = nil) throws -> Tensor {
            try run("Slice", [x, int64s(starts), int64s(ends), axes.map { int64s($0) }, steps.map { int64s($0) }])[0]
        }
        #expect(try slice([1], [3]).toFloats() == (4..<12).map(Float.init))
        #expect(try slice([0, 1], [Int64.max, -1]).toFloats() == [1, 2, 5, 6, 9, 10])
        #expect(try slice([-1], [Int64.min], [1], [-1]).toFloats() == [3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8])
        #expect(try slice([Int64.max], [Int64.min], [0], [-2]).toFloats() == [8, 9, 10, 11, 0, 1, 2, 3])
        #expect(try slice([3, 0], [1, 4], [-1, 0], [-1, 2]).toFloats() == [3, 2, 11, 10])
        #expect(try slice([5], [10], [1]).shape == [3, 0])
        let ints = try run("Slice", [int64s([1, 2, 3, 4]), int64s([-3]), int64s([-1])])[0]
        #expect(ints.toInt64s() == [2, 3])
        #expect(throws: GraphError.self) { try slice([0], [1], [0], [0]) }
    }

    @Test func gatherAxesAndIndices() throws {
        let x = Tensor(shape: [3, 4], floats: (0..<12).map(Float.init))
        let rows = try run("Gather", [x, int64s([2, -3])])[0]
        #expect(rows.shape == [2, 4] && rows.toFloats() == [8, 9, 10, 11, 0, 1, 2, 3])
        let column = try run("Gather", [x, int64s([-1], [])], attributes: ["axis": .int(-1)])[0]
        #expect(column.shape == [3] && column.toFloats() == [3, 7, 11])
        let grid = try run("Gather", [x, int64s([0, 1, 1, 0], [2, 2])], attributes: ["axis": .int(1)])[0]
        #expect(grid.shape == [3, 2, 2] && grid.toFloats() == [0, 1, 1, 0, 4, 5, 5, 4, 8, 9, 9, 8])
        #expect(try run("Gather", [int64s([2, 3, 4]), int64s([1], [])])[0].toInt64s() == [3])
        #expect(throws: GraphError.self) { try run("Gather", [x, int64s([3])]) }
    }

    @Test func expandTileConstantOfShapeRange() throws {
        let e = try run("Expand", [Tensor(shape: [3, 1], floats: [1, 2, 3]), int64s([2, 1, 2])])[0]
        #expect(e.shape == [2, 3, 2] && e.toFloats() == [1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3])
        #expect(try run("Expand", [int64s([7]), int64s([3])])[0].toInt64s() == [7, 7, 7])
        let t = try run("Tile", [Tensor(shape: [2, 2], floats: [1, 2, 3, 4]), int64s([2, 3])])[0]
        #expect(t.shape == [4, 6])
        #expect(t.toFloats() == [1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4, 1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4])
        let zeros = try run("ConstantOfShape", [int64s([2, 3])])[0]
        #expect(zeros.dataType == .float32 && zeros.toFloats() == Array(repeating: 0, count: 6))
        let ones = try run("ConstantOfShape", [int64s([3])], attributes: ["value": .tensor(int64s([1], [1]))])[0]
        #expect(ones.dataType == .int64 && ones.toInt64s() == [1, 1, 1])
        #expect(try run("Range", [int64s([10], []), int64s([1], []), int64s([-3], [])])[0].toInt64s() == [10, 7, 4])
        #expect(try run("Range", [Tensor(scalar: 0), Tensor(scalar: 1), Tensor(scalar: 0.25)])[0].toFloats() == [0, 0.25, 0.5, 0.75])
    }
}
