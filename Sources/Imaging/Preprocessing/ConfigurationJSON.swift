import Foundation

/// Small helpers for reading loosely typed JSON configuration files (HF / timm).
struct ConfigurationJSON {
    let source: String
    let object: [String: Any]

    init(_ data: Data, source: String) throws {
        let parsed: Any
        do { parsed = try JSONSerialization.jsonObject(with: data) } catch {
            throw PreprocessingError.unreadableFile(path: source, reason: "not valid JSON (\(error.localizedDescription))")
        }
        guard let object = parsed as? [String: Any] else {
            throw PreprocessingError.unreadableFile(path: source, reason: "top level is not a JSON object")
        }
        self.init(object, source: source)
    }

    init(_ object: [String: Any], source: String) {
        self.object = object
        self.source = source
    }

    func fail(_ reason: String) -> PreprocessingError {
        .unsupportedConfiguration(source: source, reason: reason)
    }

    func has(_ key: String) -> Bool { object[key] != nil && !(object[key] is NSNull) }

    func bool(_ key: String, default value: Bool) throws -> Bool {
        guard has(key) else { return value }
        if let b = object[key] as? Bool { return b }
        throw fail("'\(key)' must be true or false")
    }

    func double(_ key: String) throws -> Double? {
        guard has(key) else { return nil }
        if let n = object[key] as? NSNumber, !(object[key] is Bool) { return n.doubleValue }
        throw fail("'\(key)' must be a number")
    }

    func int(_ key: String) throws -> Int? {
        guard let d = try double(key) else { return nil }
        guard d == d.rounded(), abs(d) < 1e9 else { throw fail("'\(key)' must be an integer, got \(d)") }
        return Int(d)
    }

    func string(_ key: String) throws -> String? {
        guard has(key) else { return nil }
        if let s = object[key] as? String { return s }
        throw fail("'\(key)' must be a string")
    }

    /// Three floats (a single number is repeated, as HF and timm accept).
    func triple(_ key: String) throws -> [Float]? {
        guard has(key) else { return nil }
        if let n = object[key] as? NSNumber, !(object[key] is Bool) { return Array(repeating: n.floatValue, count: 3) }
        guard let list = object[key] as? [Any], list.count == 3,
              let values = list.map({ ($0 as? NSNumber)?.floatValue }) as? [Float] else {
            throw fail("'\(key)' must be a list of 3 numbers")
        }
        return values
    }

    func nested(_ key: String) -> ConfigurationJSON? {
        (object[key] as? [String: Any]).map { ConfigurationJSON($0, source: source) }
    }

    /// A list of integers.
    func ints(_ key: String) throws -> [Int]? {
        guard has(key) else { return nil }
        guard let list = object[key] as? [Any],
              let values = list.map({ ($0 as? NSNumber).flatMap { Int(exactly: $0.doubleValue) } }) as? [Int] else {
            throw fail("'\(key)' must be a list of integers")
        }
        return values
    }
}
