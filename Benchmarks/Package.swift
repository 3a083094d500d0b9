// swift-tools-version:6.0
// Release-mode per-layer timings of imgvec's kernels (compare with scripts/bench_layers.py).
// Kept out of the main package so a normal build never compiles it. Run:
//   swift build -c release --package-path Benchmarks --scratch-path .build-bench
//   .build-bench/release/kernel-bench --batch 8 --threads 2
//   .build-bench/release/kernel-bench --vmath    (ns/element of exp, sigmoid, SiLU, GELU, softmax, ...)
import PackageDescription

let package = Package(
    name: "imgvec-benchmarks",
    dependencies: [.package(name: "imgvec", path: "..")],
    targets: [
        .executableTarget(name: "kernel-bench",
                          dependencies: [.product(name: "ImgVecEngine", package: "imgvec")],
                          swiftSettings: [.unsafeFlags(["-Ounchecked"])]),
    ],
    swiftLanguageModes: [.v5]
)
