// libFuzzer target: arbitrary bytes -> ImageDecoder.decode(data:). Any input must either
// decode or throw ImageDecodingError; crashes, hangs and sanitizer reports are bugs.
import Foundation
import Imaging

/// A lower pixel limit than the default keeps each run fast (the check itself is what matters).
private let decoder = ImageDecoder(maxPixels: 4_000_000)
private let clipDecoder = ImageDecoder(maxPixels: 4_000_000, applyEXIFOrientation: false, sixteenBitGray: .pillowClip)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    let useClip = data.count > 0 && data[data.startIndex + data.count - 1] & 1 == 1
    do {
        let decoded = try (useClip ? clipDecoder : decoder).decode(data: data, name: "fuzz")
        precondition(decoded.image.pixels.count == decoded.image.width * decoded.image.height * 3)
    } catch is ImageDecodingError {
    } catch {
        fatalError("unexpected error type: \(error)")
    }
    return 0
}

// SwiftPM links debug executables with `--defsym main=FuzzImageDecoders_main` (testable executables), a
// symbol -parse-as-library never emits; provide it and hand over to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafeRawPointer?, Int) -> CInt) -> CInt

@_cdecl("FuzzImageDecoders_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { fuzz($0, $1) }
}
