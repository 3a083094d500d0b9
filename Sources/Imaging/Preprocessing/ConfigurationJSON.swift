import Foundation

/// A parsed JSON value (numbers kept as `Double`; decoded with `JSONDecoder`, whose number
/// parsing round-trips, unlike `JSONSerialization` on Linux).
enum JSONValue: Codable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case let .bool(b): try c.encode(b)
        case let .number(d): try c.encode(d)
        case let .string(s): try c.encode(s)
        case let .array(a): try c.encode(a)
        case let .object(o): try c.encode(o)
        }
    }

    var number: Double? { if case let .number(d) = self { return d }; return nil }
}

/// Small helpers for reading loosely typed JSON configuration files (HF / timm).
struct ConfigurationJSON {
    let source: String
    let object: [String: JSONValue]

    init(_ data: Data, source: String) throws {
        let parsed: JSONValue
        do { parsed = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
            throw PreprocessingError.unreadableFile(path: source, reason: "not valid JSON (\(error))")
        }
        guard case let .object(object) = parsed else {
            throw PreprocessingError.unreadableFile(path: source, reason: "top level is not a JSON object")
        }
        self.init(object, source: source)
    }

    init(_ object: [String: JSONValue], source: String) {
        self.object = object
        self.source = source
    }

    func fail(_ reason: String) -> PreprocessingError {
        .unsupportedConfiguration(source: source, reason: reason)
    }

    func has(_ key: String) -> Bool { object[key] != nil && object[key] != .null }

    func bool(_ key: String, default value: Bool) throws -> Bool {
        guard has(key) else { return value }
        if case let .bool(b)? = object[key] { return b }
        throw fail("'\(key)' must be true or false")
    }

    func double(_ key: String) throws -> Double? {
        guard has(key) else { return nil }
        if let d = object[key]?.number { return d }
        throw fail("'\(key)' must be a number")
    }

    func int(_ key: String) throws -> Int? {
        guard let d = try double(key) else { return nil }
        guard d == d.rounded(), abs(d) < 1e9 else { throw fail("'\(key)' must be an integer, got \(d)") }
        return Int(d)
    }

    func string(_ key: String) throws -> String? {
        guard has(key) else { return nil }
        if case let .string(s)? = object[key] { return s }
        throw fail("'\(key)' must be a string")
    }

    /// Three floats (a single number is repeated, as HF and timm accept).
    func triple(_ key: String) throws -> [Float]? {
        guard has(key) else { return nil }
        if let d = object[key]?.number { return Array(repeating: Float(d), count: 3) }
        guard case let .array(list)? = object[key], list.count == 3,
              let values = list.map({ $0.number.map(Float.init) }) as? [Float] else {
            throw fail("'\(key)' must be a list of 3 numbers")
        }
        return values
    }

    func nested(_ key: String) -> ConfigurationJSON? {
        if case let .object(o)? = object[key] { return ConfigurationJSON(o, source: source) }
        return nil
    }

    /// A list of integers.
    func ints(_ key: String) throws -> [Int]? {
        guard has(key) else { return nil }
        guard case let .array(list)? = object[key],
              let values = list.map({ $0.number.flatMap { Int(exactly: $0) } }) as? [Int] else {
            throw fail("'\(key)' must be a list of integers")
        }
        return values
    }
}
