/// Renders a `HubProgress` as one terminal line, e.g.
/// `onnx/model.onnx  42% [############                  ] 12.3 MB / 29.1 MB`.
/// The caller prints it after `\r` (and throttles: reports arrive per received chunk).
public struct HubProgressBar: Sendable {
    /// Characters between the brackets.
    public var width: Int

    public init(width: Int = 30) {
        self.width = max(1, width)
    }

    /// The line for `progress` (no newline, no carriage return).
    public func line(for progress: HubProgress) -> String {
        let done = Self.formatBytes(progress.completedBytes)
        guard let total = progress.totalBytes, total > 0 else {
            return "\(progress.filename)  \(done)"
        }
        let fraction = min(1, max(0, Double(progress.completedBytes) / Double(total)))
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
        let percent = String(Int((fraction * 100).rounded(.down)))
        let padded = String(repeating: " ", count: max(0, 3 - percent.count)) + percent
        return "\(progress.filename) \(padded)% [\(bar)] \(done) / \(Self.formatBytes(total))"
    }

    /// Decimal units as the hub shows sizes: `999 B`, `1.5 kB`, `12.3 MB`, `1.2 GB`.
    public static func formatBytes(_ count: Int64) -> String {
        if count < 1000 { return "\(count) B" }
        let units = ["kB", "MB", "GB", "TB"]
        var value = Double(count) / 1000
        var index = 0
        while value >= 999.95 && index < units.count - 1 {
            value /= 1000
            index += 1
        }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[index])"
    }
}
