import Foundation
import ImgVec
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Progress bar (only on a terminal), failure lines and the closing summary, all on stderr.
final class RunReporter {
    private let showBar: Bool
    private let showSummary: Bool
    private var lastDraw = Date.distantPast
    private var barVisible = false

    init(enabled: Bool) {
        showSummary = enabled
        showBar = enabled && isatty(STDERR_FILENO) == 1
    }

    /// `path: reason`, always printed.
    func failure(_ failure: EmbeddingFailure) {
        clearBar()
        Self.write("\(failure.path): \(failure.reason)\n")
    }

    func progress(_ progress: EmbeddingProgress, skipped: Int) {
        guard showBar, Date().timeIntervalSince(lastDraw) >= 0.1 || progress.done == progress.total else { return }
        lastDraw = Date()
        let width = 30
        let fraction = progress.total > 0 ? Double(progress.done) / Double(progress.total) : 1
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let remaining = progress.rate > 0 ? Double(progress.total - progress.done) / progress.rate : 0
        let line = String(format: "\r%@ %d/%d  %.1f files/s  ETA %@  errors %d ", bar, progress.done, progress.total,
                          progress.rate, Self.duration(remaining), progress.failed)
        Self.write(line + "\u{1B}[K")
        barVisible = true
    }

    func summary(_ progress: EmbeddingProgress, skipped: Int, interrupted: Bool) {
        clearBar()
        guard showSummary else { return }
        let prefix = interrupted ? "interrupted: " : ""
        Self.write(String(format: "%@embedded %d, skipped %d, failed %d, elapsed %@, %.1f files/s\n", prefix,
                          progress.embedded, skipped, progress.failed, Self.duration(progress.elapsedSeconds), progress.rate))
    }

    func finish() { clearBar() }

    private func clearBar() {
        if barVisible { Self.write("\r\u{1B}[K"); barVisible = false }
    }

    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 3600 ? String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
                             : String(format: "%d:%02d", total / 60, total % 60)
    }

    static func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}

/// `--errors FILE`: failed files as JSON lines `{"path": ..., "error": ...}`.
final class ErrorLog {
    private let handle: FileHandle

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw CLIError("\(path): cannot create the error log")
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    }

    func record(_ failure: EmbeddingFailure) {
        let object: [String: String] = ["path": failure.path, "error": failure.reason]
        if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) {
            handle.write(data + Data("\n".utf8))
        }
    }

    deinit { try? handle.close() }
}

/// Ctrl-C handling: the first SIGINT asks the run to stop after the current file;
/// a second one exits at once.
enum Interrupt {
    private static let flag: UnsafeMutablePointer<Int32> = {
        let pointer = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        pointer.initialize(to: 0)
        return pointer
    }()

    static var requested: Bool { flag.pointee != 0 }

    static func install() {
        _ = flag
        signal(SIGINT) { _ in
            if Interrupt.flag.pointee != 0 { _exit(130) }
            Interrupt.flag.pointee = 1
        }
    }
}
