// libFuzzer target: arbitrary bytes -> the EXIF Orientation parser (as a bare TIFF/EXIF
// block and as a whole image file) and the format sniffer. None may trap.
import Imaging

private let probe = RGBImage(width: 3, height: 2, pixels: Array(0..<18))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeRawBufferPointer(start: $0, count: count)) } ?? []
    _ = ImageFormat.sniff(bytes)
    for value in [EXIF.orientation(tiffData: bytes), EXIF.orientation(imageFile: bytes)] {
        guard let value else { continue }
        precondition((1...8).contains(value), "orientation \(value) out of range")
        let turned = probe.oriented(byEXIF: value)
        precondition(turned.pixels.count == probe.pixels.count)
    }
    return 0
}

// SwiftPM links debug executables with `--defsym main=FuzzEXIF_main` (testable executables), a
// symbol -parse-as-library never emits; provide it and hand over to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafeRawPointer?, Int) -> CInt) -> CInt

@_cdecl("FuzzEXIF_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { fuzz($0, $1) }
}
