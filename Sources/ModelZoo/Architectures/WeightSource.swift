import Tensor

/// The weights an architecture builder reads: a state dict keyed by PyTorch names.
///
/// `names` lists every key the checkpoint holds (so the builder can report keys it
/// did not use); `lookup` returns one tensor by name (it may decode lazily, and may
/// throw when the checkpoint is damaged). Tensors of any floating-point type are
/// accepted; builders convert them to float32.
public struct WeightSource {
    /// Every key of the state dict.
    public let names: [String]
    private let lookup: (String) throws -> Tensor?

    /// A source backed by a lookup function (for example a checkpoint reader).
    public init(names: [String], lookup: @escaping (String) throws -> Tensor?) {
        self.names = names
        self.lookup = lookup
    }

    /// A source backed by an in-memory dictionary.
    public init(_ tensors: [String: Tensor]) {
        self.names = tensors.keys.sorted()
        self.lookup = { tensors[$0] }
    }

    /// The tensor named `name`, if present.
    public func tensor(_ name: String) throws -> Tensor? { try lookup(name) }

    /// The same weights with `prefix` removed from every name that has it
    /// (for checkpoints saved from a wrapper, e.g. `module.` or `model.`).
    public func strippingPrefix(_ prefix: String) -> WeightSource {
        let stripped = names.map { $0.hasPrefix(prefix) ? String($0.dropFirst(prefix.count)) : $0 }
        let original = Dictionary(zip(stripped, names), uniquingKeysWith: { first, _ in first })
        return WeightSource(names: stripped) { [self] name in try self.tensor(original[name] ?? name) }
    }
}

/// One tensor an architecture expects: its state-dict name and shape.
public struct ParameterSpec: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let shape: [Int]
    /// True for BatchNorm running statistics (buffers, not learned parameters).
    public let isBuffer: Bool

    public init(name: String, shape: [Int], isBuffer: Bool) {
        self.name = name
        self.shape = shape
        self.isBuffer = isBuffer
    }

    public var count: Int { shape.reduce(1, *) }
    public var description: String { "\(name) \(shape)" }
}

extension Array where Element == ParameterSpec {
    /// Learned parameters (buffers excluded), as `sum(p.numel() for p in model.parameters())` counts them.
    public var parameterCount: Int { filter { !$0.isBuffer }.reduce(0) { $0 + $1.count } }
}

/// What a builder puts at the end of the network.
public enum ArchitectureHead: String, Sendable, CaseIterable {
    /// The pooled feature vector (no classifier); classifier weights in the checkpoint are ignored.
    case features
    /// The full network including its classifier (logits).
    case classifier
}
