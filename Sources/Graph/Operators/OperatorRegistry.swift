import Kernels
import Tensor

/// Builds an operator for one node.
public typealias OperatorFactory = (OperatorContext) throws -> Operator

/// Maps op types (per domain) to the factories that build them.
///
/// Each op family registers itself from its own file through one function
/// (`registerConvolutionOperators(in:)` and so on); ``standard`` holds them all.
public final class OperatorRegistry: @unchecked Sendable {
    private var factories: [String: OperatorFactory] = [:]

    public init() {}

    /// Every built-in operator.
    public static let standard: OperatorRegistry = {
        let registry = OperatorRegistry()
        registerElementwiseOperators(in: registry)
        registerActivationOperators(in: registry)
        registerShapeOperators(in: registry)
        registerReductionOperators(in: registry)
        registerNormalizationOperators(in: registry)
        registerConvolutionOperators(in: registry)
        registerPoolingOperators(in: registry)
        registerLinearAlgebraOperators(in: registry)
        registerPaddingOperators(in: registry)
        return registry
    }()

    private static func key(_ opType: String, _ domain: String) -> String {
        let normalized = domain == "ai.onnx" ? "" : domain
        return normalized + "::" + opType
    }

    /// Registers `factory` for `opType` in `domain` ("" is the ONNX default domain).
    public func register(_ opType: String, domain: String = "", factory: @escaping OperatorFactory) {
        factories[Self.key(opType, domain)] = factory
    }

    /// The factory for an op type, if registered.
    public func factory(for opType: String, domain: String = "") -> OperatorFactory? {
        factories[Self.key(opType, domain)]
    }

    /// Whether `node`'s op type is registered.
    public func supports(_ node: Node) -> Bool { factory(for: node.opType, domain: node.domain) != nil }

    /// Every registered op type, sorted.
    public var supportedOpTypes: [String] {
        factories.keys.map { String($0.split(separator: ":", omittingEmptySubsequences: false).last!) }.sorted()
    }

    /// Builds the operator for `node`.
    public func makeOperator(for node: Node, opsetVersion: Int, constantInputs: [Tensor?]) throws -> Operator {
        guard let factory = factory(for: node.opType, domain: node.domain) else {
            throw GraphError.unsupportedOperators(["\(node.opType) (node '\(node.name)', opset \(opsetVersion))"])
        }
        return try factory(OperatorContext(node: node, opsetVersion: opsetVersion, constantInputs: constantInputs))
    }

    /// Runs `node` once on concrete inputs and returns freshly allocated outputs.
    /// Used for constant folding and by the per-op tests.
    public func evaluate(_ node: Node, inputs: [Tensor?], opsetVersion: Int = 17,
                         context: ExecutionContext? = nil) throws -> [Tensor] {
        let op = try makeOperator(for: node, opsetVersion: opsetVersion, constantInputs: inputs)
        let types = try op.inferTypes(inputs.map { $0.map { TensorType($0.dataType, $0.shape) } }, constants: inputs)
        if let aliased = op.aliasedInput, let source = inputs[aliased] {
            return [Tensor(dataType: types[0].dataType, shape: types[0].shape, storage: source.storage,
                           byteOffset: source.byteOffset)]
        }
        let outputs = types.map { Tensor(zeros: $0.shape, dataType: $0.dataType) }
        try op.execute(inputs, outputs, context ?? ExecutionContext(threadPool: ThreadPool(threadCount: 1)))
        return outputs
    }
}
