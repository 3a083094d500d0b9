// swift-tools-version:6.0
// imgvec: images to vector embeddings, in Swift, with a pure-Swift ONNX engine.
// The module layout mirrors the architecture (docs/ARCHITECTURE.md); each target
// depends only on the targets listed below it.
import PackageDescription



/// Release-mode optimisation flags for numeric targets.
let fastMath: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]

let package = Package(
    name: "imgvec",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "ImgVec", targets: ["ImgVec"]),
        .library(name: "ImgVecEngine", targets: ["Tensor", "Kernels", "Graph", "ONNX"]),
        .library(name: "Imaging", targets: ["Imaging"]),
        .library(name: "ModelZoo", targets: ["ModelZoo"]),
        .executable(name: "imgvec", targets: ["imgvec"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
    ],
    targets: [
        // MARK: C libraries (system-library targets: module map + pkg-config + providers)
        .systemLibrary(name: "CJPEG", path: "Sources/CSystem/CJPEG", pkgConfig: "libjpeg",
                       providers: [.apt(["libjpeg62-turbo-dev"]), .brew(["jpeg-turbo"])]),
        .systemLibrary(name: "CPNG", path: "Sources/CSystem/CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"]), .brew(["libpng"])]),
        .systemLibrary(name: "CWebP", path: "Sources/CSystem/CWebP", pkgConfig: "libwebp",
                       providers: [.apt(["libwebp-dev"]), .brew(["webp"])]),
        .systemLibrary(name: "CGIF", path: "Sources/CSystem/CGIF",
                       providers: [.apt(["libgif-dev"]), .brew(["giflib"])]),
        .systemLibrary(name: "CTIFF", path: "Sources/CSystem/CTIFF", pkgConfig: "libtiff-4",
                       providers: [.apt(["libtiff-dev"]), .brew(["libtiff"])]),
        // setjmp/longjmp error handling for libjpeg/libpng and silent libtiff handlers (Swift cannot longjmp).
        .target(name: "CImageCodecs", dependencies: ["CJPEG", "CPNG", "CTIFF"],
                path: "Sources/CSystem/CImageCodecs"),

        .systemLibrary(name: "CSQLite", path: "Sources/CSystem/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]),

        // MARK: Engine layers
        .target(name: "Tensor", swiftSettings: fastMath),
        // imgvec's own sgemm (C; AVX-512/AVX2 micro-kernels chosen at run time per function,
        // never by target-wide -m flags, so it runs on any x86-64 and builds everywhere).
        // Also the BLAS loader: OpenBLAS (Debian's libopenblas0) is dlopen'ed on first use on
        // Linux, not linked (blas_loader.c says why); macOS links Accelerate from Kernels.
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O2"])],
                linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        .target(name: "Kernels", dependencies: ["Tensor", "CKernels"], swiftSettings: fastMath),
        .target(name: "Graph", dependencies: ["Tensor", "Kernels"], swiftSettings: fastMath),
        .target(name: "ONNX", dependencies: ["Graph"], swiftSettings: fastMath),

        // MARK: Images
        .target(name: "Imaging",
                dependencies: ["Tensor", "CImageCodecs", "CJPEG", "CPNG", "CWebP", "CGIF", "CTIFF"],
                swiftSettings: fastMath),

        // MARK: Models: checkpoints, architecture builders, presets, hub downloads
        .target(name: "ModelZoo",
                dependencies: ["Tensor", "Graph", "Imaging", .product(name: "Crypto", package: "swift-crypto")],
                resources: [.copy("Conformance")],
                swiftSettings: fastMath),

        // MARK: The job: pipeline, store, search, export
        .target(name: "Embedding",
                dependencies: ["Tensor", "Kernels", "Graph", "ONNX", "Imaging", "ModelZoo", "CSQLite",
                               .product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: fastMath),

        // MARK: Interfaces
        .target(name: "ImgVec", dependencies: ["Tensor", "Graph", "ONNX", "Imaging", "Embedding"]),
        .executableTarget(name: "imgvec", dependencies: [
            "ImgVec",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // MARK: Tests
        // TestSupport's HubTestServer hashes with swift-crypto (shared by ModelZooTests and CLITests).
        .target(name: "TestSupport", dependencies: ["Tensor", .product(name: "Crypto", package: "swift-crypto")],
                path: "Tests/TestSupport"),
        .testTarget(name: "TensorTests", dependencies: ["Tensor", "TestSupport"]),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "TestSupport"]),
        .testTarget(name: "GraphTests", dependencies: ["Graph", "TestSupport"]),
        .testTarget(name: "ONNXTests", dependencies: ["ONNX", "TestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "TestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "ModelZooTests", dependencies: ["ModelZoo", "ONNX", "TestSupport",
                                                         .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "EmbeddingTests", dependencies: ["Embedding", "TestSupport"]),
        .testTarget(name: "ParityTests", dependencies: ["ImgVec", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["TestSupport", "Tensor", "Imaging", "Embedding"]),
    ],
    // Swift 5 language mode: the numeric code passes raw buffers between threads
    // deliberately; strict-concurrency checking would only add noise there.
    swiftLanguageModes: [.v5]
)
