// swift-tools-version:5.4
// (5.4, not newer: from 5.5 SwiftPM renames an executable's entry point to `<Target>_main` for
// testable executables and links `main` to it, which libFuzzer's own `main` cannot satisfy.)
// libFuzzer targets for imgvec's parsers. Kept out of the main package so that a
// normal build never needs the fuzzer runtime. Build and run with scripts/fuzz.
import PackageDescription

let fuzzer: [SwiftSetting] = [.unsafeFlags(["-sanitize=fuzzer,address", "-parse-as-library"])]
let fuzzerLink: [LinkerSetting] = [.unsafeFlags(["-sanitize=fuzzer,address"])]

let package = Package(
    name: "imgvec-fuzz",
    dependencies: [.package(name: "imgvec", path: "..")],
    targets: [
        .executableTarget(name: "FuzzONNXModelReader",
                          dependencies: [.product(name: "ImgVecEngine", package: "imgvec")],
                          swiftSettings: fuzzer, linkerSettings: fuzzerLink),
        .executableTarget(name: "FuzzImageDecoders",
                          dependencies: [.product(name: "Imaging", package: "imgvec")],
                          swiftSettings: fuzzer, linkerSettings: fuzzerLink),
        .executableTarget(name: "FuzzCheckpointReader",
                          dependencies: [.product(name: "ModelZoo", package: "imgvec")],
                          swiftSettings: fuzzer, linkerSettings: fuzzerLink),
        .executableTarget(name: "FuzzEXIF",
                          dependencies: [.product(name: "Imaging", package: "imgvec")],
                          swiftSettings: fuzzer, linkerSettings: fuzzerLink),
    ],
    swiftLanguageVersions: [.v5]
)
