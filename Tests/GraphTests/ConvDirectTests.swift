@testable import Graph
import Kernels
import Tensor
import Testing
import TestSupport

/// Convolutions computed directly (``ConvolutionRun/direct(weights:)``): the micro-kernel reads
/// each tap from a padded, stride-phase-split copy of a band of input rows, with no unfolded or
/// packed copy. Against the naive reference, on 1-3 threads (bands cut per image).
@Suite("Conv direct path")
struct ConvDirectTests {
    /// Runs Conv for `r` (with a same-shape residual added before `activation` when asked) and
    /// compares with the reference on 1, 2 and 3 threads.
    func check(_ r: ReferenceConvolution, activation: Activation? = .relu, residual: Bool = false, seed: UInt64 = 4) throws {
        var generator = SeededGenerator(seed: seed)
        let x = generator.tensor([r.n, r.c, r.h, r.w]), weight = generator.tensor([r.cout, r.c, r.kh, r.kw])
        let b = generator.tensor([r.cout]), skip = generator.tensor([r.n, r.cout, r.outH, r.outW])
        var attributes: [String: Attribute] = ["strides": .ints([r.sh, r.sw]), "pads": .ints([r.top, r.left, r.bottom, r.right])]
        if let activation { attributes.merge(activation.fusedAttributes) { $1 } }
        let inputs: [Tensor?] = residual ? [x, weight, b, skip] : [x, weight, b]
        let node = OpTest.node("Conv", inputs: inputs, attributes: attributes)
        var expected = r.run(x.toFloats(), weight.toFloats(), b.toFloats(), residual ? nil : activation)
        if residual {
            expected = zip(expected, skip.toFloats()).map { $0 + $1 }
            if let activation {
                let output = Tensor(shape: [expected.count], floats: expected)
                activation.apply(output.floatPointer, count: expected.count)
                expected = output.toFloats()
            }
        }
        for threads in [1, 2, 3] {
            let output = try OpTest.run(node, inputs, threads: threads)[0]
            #expect(output.shape == [r.n, r.cout, r.outH, r.outW])
            #expect(OpTest.relativeError(output.toFloats(), expected) < 1e-5, "threads \(threads), \(r)")
        }
    }

    @Test func takenForWideRowsOnly() {
        let stem = ConvolutionGeometry(batch: 1, inputChannels: 3, outputChannels: 64, groups: 1, inputHeight: 224,
                                       inputWidth: 224, kernelHeight: 7, kernelWidth: 7, strideHeight: 2, strideWidth: 2,
                                       padTop: 3, padLeft: 3, padBottom: 3, padRight: 3, outputHeight: 112, outputWidth: 112)
        var generator = SeededGenerator(seed: 1)
        let weights = try! #require(ConvolutionWeights(weight: generator.tensor([64, 3, 7, 7]), groups: 1))
        #expect(ConvolutionRun.usesDirect(stem, weights: weights) == (ConvolutionRun.directEnabled && GEMM.hasDirect(weights.groups[0])))
        var narrow = stem
        (narrow.inputHeight, narrow.inputWidth, narrow.outputHeight, narrow.outputWidth) = (56, 56, 28, 28)
        #expect(!ConvolutionRun.usesDirect(narrow, weights: weights))
        var dilated = stem
        dilated.dilationWidth = 2
        #expect(!ConvolutionRun.usesDirect(dilated, weights: weights))
        var shallow = stem   // 27 taps: MobileNetV3's stem
        (shallow.kernelHeight, shallow.kernelWidth) = (3, 3)
        #expect(!ConvolutionRun.usesDirect(shallow, weights: weights))
        var deep = stem      // 1152 taps: more than one k block
        (deep.inputChannels, deep.kernelHeight, deep.kernelWidth) = (128, 3, 3)
        #expect(!ConvolutionRun.usesDirect(deep, weights: weights))
    }

    /// resnet's stem and stride-2 3x3 shapes (small), a partial last tile and a half-width one.
    @Test func stridedKernels() throws {
        try check(ReferenceConvolution(n: 1, c: 3, h: 20, w: 120, cout: 20, kh: 7, kw: 7, sh: 2, sw: 2,
                                       top: 3, left: 3, bottom: 3, right: 3))
        try check(ReferenceConvolution(n: 2, c: 16, h: 9, w: 130, cout: 13, kh: 3, kw: 3, sh: 2, sw: 2,
                                       top: 1, left: 1, bottom: 1, right: 1), activation: .clip(min: 0, max: 6))
        try check(ReferenceConvolution(n: 1, c: 5, h: 9, w: 120, cout: 7, kh: 5, kw: 3, sh: 1, sw: 2,
                                       top: 2, left: 0, bottom: 1, right: 2), activation: nil)
    }

    /// Stride 1 (too few channels for Winograd), an activation the kernel does not fuse, a skip
    /// connection, and the deepest reduction taken (one k block of 378 taps) with output channels
    /// in two row blocks of the packed weights (400 > 384).
    @Test func residualActivationsAndDeepReductions() throws {
        try check(ReferenceConvolution(n: 1, c: 10, h: 6, w: 60, cout: 24, kh: 3, kw: 3, top: 1, left: 1, bottom: 1, right: 1),
                  activation: .hardSwish, residual: true)
        try check(ReferenceConvolution(n: 1, c: 10, h: 6, w: 60, cout: 24, kh: 3, kw: 3, top: 1, left: 1, bottom: 1, right: 1),
                  residual: true)
        try check(ReferenceConvolution(n: 1, c: 42, h: 6, w: 120, cout: 400, kh: 3, kw: 3, sh: 2, sw: 2,
                                       top: 1, left: 1, bottom: 1, right: 1))
    }

    /// A 1-D convolution (height 1).
    @Test func oneDimensional() throws {
        var generator = SeededGenerator(seed: 8)
        let x = generator.tensor([2, 16, 130]), weight = generator.tensor([9, 16, 5]), b = generator.tensor([9])
        let node = OpTest.node("Conv", inputs: [x, weight, b], attributes: ["strides": .ints([2]), "pads": .ints([2, 2])])
        let reference = ReferenceConvolution(n: 2, c: 16, h: 1, w: 130, cout: 9, kh: 1, kw: 5, sw: 2, left: 2, right: 2)
        let expected = reference.run(x.toFloats(), weight.reshaped([9, 16, 1, 5]).toFloats(), b.toFloats(), nil)
        for threads in [1, 2] {
            let output = try OpTest.run(node, [x, weight, b], threads: threads)[0]
            #expect(output.shape == [2, 9, 65])
            #expect(OpTest.relativeError(output.toFloats(), expected) < 1e-5, "threads \(threads)")
        }
    }
}
