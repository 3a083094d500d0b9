import Foundation
import Tensor
import Testing
import TestSupport

/// `imgvec inspect` and `imgvec run`, through the real binary.
@Suite struct EngineCommandTests {
    static let subset = Fixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/shared-subset")
    let model = subset.appendingPathComponent("models/mobilenet_v3_small_features.onnx").path

    @Test func inspectDescribesTheModel() throws {
        let result = try CommandRunner.run(["inspect", model])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("input: float32 [batch, 3, 224, 224]"))
        #expect(result.stdout.contains("output: float32 [batch, 576]"))
        #expect(result.stdout.contains("Conv"))
        #expect(result.stdout.contains("parameters: "))
        #expect(result.stdout.contains("multiply-adds per image: "))
    }

    @Test func runWritesTheSameOutputAsONNXRuntime() throws {
        let directory = try CommandRunner.temporaryDirectory()
        let output = directory.appendingPathComponent("out.npy")
        let result = try CommandRunner.run([
            "run", model, "--input", Self.subset.appendingPathComponent("reference/random_batch/input.npy").path,
            "--output", output.path, "--threads", "2",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let got = try NumPyFile.read(output)
        let want = try NumPyFile.read(Self.subset.appendingPathComponent("reference/random_batch/mobilenet_v3_small_features.npy"))
        #expect(got.shape == [4, 576])
        #expect(Comparison.maxAbsDifference(got.toFloats(), want.toFloats()) <= 2e-4)
    }

    /// The BLAS backend (`IMGVEC_GEMM=blas`) loads OpenBLAS on demand; when no BLAS library can
    /// be loaded (`IMGVEC_BLAS_LIBRARY` naming a missing one) it says so once and imgvec's own
    /// kernels compute the same output.
    @Test(arguments: [nil, "/nonexistent/libcblas.so"])
    func runOnTheBLASBackendMatchesONNXRuntime(library: String?) throws {
        let directory = try CommandRunner.temporaryDirectory()
        let output = directory.appendingPathComponent("out.npy")
        var environment = ProcessInfo.processInfo.environment
        environment["IMGVEC_GEMM"] = "blas"
        environment["IMGVEC_BLAS_LIBRARY"] = library
        let result = try CommandRunner.run([
            "run", model, "--input", Self.subset.appendingPathComponent("reference/random_batch/input.npy").path,
            "--output", output.path, "--threads", "2",
        ], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let warned = result.stderr.contains("no BLAS library could be loaded")
        #expect(warned == (library != nil), "\(result.stderr)")
        let got = try NumPyFile.read(output)
        let want = try NumPyFile.read(Self.subset.appendingPathComponent("reference/random_batch/mobilenet_v3_small_features.npy"))
        #expect(Comparison.maxAbsDifference(got.toFloats(), want.toFloats()) <= 2e-4)
    }

    /// `imgvec bench` against ONNX Runtime on two configurations: each row has a speedup, and
    /// the last line is their geometric mean (the figure the performance goal is stated in).
    @Test func benchEndsWithTheGeometricMeanOfItsSpeedups() throws {
        let result = try CommandRunner.run(["bench", model, "--batch", "1", "--batch", "2", "--threads", "1",
                                            "--runs", "2", "--warmup", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let speedups = lines.filter { $0.hasPrefix("mobilenet_v3_small_features") }.compactMap { line in
            line.split(separator: " ").first { $0.hasSuffix("x") }.flatMap { Double($0.dropLast()) }
        }
        #expect(speedups.count == 2, "\(result.stdout)")
        let summary = try #require(lines.last { $0.hasPrefix("geometric mean speedup over 2 configurations: ") })
        let printed = try #require(Double(summary.split(separator: " ")[6].dropLast()))
        // The rows print speedups to 2 decimals: the mean of the unrounded ones is within 0.005.
        let expected = (speedups.reduce(1, *)).squareRoot()
        #expect(abs(printed - expected) <= 0.006, "\(summary) vs \(speedups)")
        let lowest = try #require(Double(summary.split(separator: " ")[8].dropLast(2)))
        #expect(lowest == speedups.min(), "\(summary) vs \(speedups)")
    }

    @Test func runReturnsANamedIntermediateValue() throws {
        let values = try CommandRunner.run(["inspect", model, "--values"])
        #expect(values.status == 0, "\(values.stderr)")
        let names = values.stdout.components(separatedBy: "values:\n").last!.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let flattenInput = try #require(names.dropLast().last) // the value just before the output
        let directory = try CommandRunner.temporaryDirectory()
        let output = directory.appendingPathComponent("mid.npy")
        let result = try CommandRunner.run([
            "run", model, "--input", Self.subset.appendingPathComponent("reference/random_batch/input.npy").path,
            "--output", output.path, "--node", flattenInput,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let mid = try NumPyFile.read(output)
        #expect(mid.shape == [4, 576, 1, 1])
    }

    @Test func errorsNameTheFileAndExitNonZero() throws {
        let missing = try CommandRunner.run(["run", "/nonexistent/model.onnx", "--input", "x.npy", "--output", "y.npy"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("/nonexistent/model.onnx"))

        let directory = try CommandRunner.temporaryDirectory()
        let garbage = directory.appendingPathComponent("garbage.onnx")
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919) }).write(to: garbage)
        let bad = try CommandRunner.run(["inspect", garbage.path])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("garbage.onnx"))

        let wrongShape = directory.appendingPathComponent("wrong.npy")
        try NumPyFile.write(Tensor(zeros: [1, 3, 100, 100]), to: wrongShape)
        let mismatch = try CommandRunner.run(["run", model, "--input", wrongShape.path, "--output", directory.appendingPathComponent("o.npy").path])
        #expect(mismatch.status != 0)
        #expect(mismatch.stderr.contains("input"))
    }
}
