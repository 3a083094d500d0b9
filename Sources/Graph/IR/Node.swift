import Tensor

/// One operation in a ``Graph``: an op type, named inputs and outputs, and attributes.
///
/// Inputs and outputs are value names. An empty input name is an omitted
/// optional input, as in ONNX.
public struct Node: Sendable {
    public var name: String
    public var opType: String
    public var domain: String
    public var inputs: [String]
    public var outputs: [String]
    public var attributes: [String: Attribute]

    public init(name: String, opType: String, domain: String = "", inputs: [String], outputs: [String],
                attributes: [String: Attribute] = [:]) {
        self.name = name
        self.opType = opType
        self.domain = domain
        self.inputs = inputs
        self.outputs = outputs
        self.attributes = attributes
    }

    /// A readable identity for error messages: `Conv 'layer1.0.conv1'`.
    public var label: String { name.isEmpty ? "\(opType) (producing '\(outputs.first ?? "?")')" : "\(opType) '\(name)'" }
}

extension Node {
    /// Integer attribute `key`, or `defaultValue` when absent.
    public func int(_ key: String, default defaultValue: Int) throws -> Int {
        guard let attribute = attributes[key] else { return defaultValue }
        guard let value = attribute.intValue else { throw GraphError.badAttribute(node: label, attribute: key, reason: "expected an integer") }
        return value
    }

    /// Float attribute `key`, or `defaultValue` when absent.
    public func float(_ key: String, default defaultValue: Float) throws -> Float {
        guard let attribute = attributes[key] else { return defaultValue }
        guard let value = attribute.floatValue else { throw GraphError.badAttribute(node: label, attribute: key, reason: "expected a float") }
        return value
    }

    /// String attribute `key`, or `defaultValue` when absent.
    public func string(_ key: String, default defaultValue: String) throws -> String {
        guard let attribute = attributes[key] else { return defaultValue }
        guard let value = attribute.stringValue else { throw GraphError.badAttribute(node: label, attribute: key, reason: "expected a string") }
        return value
    }

    /// Integer-list attribute `key`, or `nil` when absent.
    public func ints(_ key: String) throws -> [Int]? {
        guard let attribute = attributes[key] else { return nil }
        guard let value = attribute.intsValue else { throw GraphError.badAttribute(node: label, attribute: key, reason: "expected a list of integers") }
        return value
    }

    /// Float-list attribute `key`, or `nil` when absent.
    public func floats(_ key: String) throws -> [Float]? {
        guard let attribute = attributes[key] else { return nil }
        guard let value = attribute.floatsValue else { throw GraphError.badAttribute(node: label, attribute: key, reason: "expected a list of floats") }
        return value
    }

    /// Input name `index`, or `nil` when omitted.
    public func input(_ index: Int) -> String? {
        index < inputs.count && !inputs[index].isEmpty ? inputs[index] : nil
    }
}
