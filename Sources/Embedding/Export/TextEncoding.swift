import Foundation

/// Text forms shared by the JSON Lines and CSV writers.
enum TextEncoding {
    /// The shortest decimal text that parses back to exactly `value`
    /// (Swift's float printing: "0.1", "1e-05", "-3.4028235e+38"). Valid JSON for finite values.
    @inline(__always)
    static func shortest(_ value: Float) -> String { value.description }

    /// `text` as a JSON string literal with quotes.
    static func jsonString(_ text: String) -> String {
        var result = "\""
        result.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// `text` as an RFC 4180 field: always quoted, inner quotes doubled.
    static func csvField(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
