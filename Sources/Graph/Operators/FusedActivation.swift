import Kernels

/// How a fused activation is recorded on the node that produces its input.
///
/// The fusion pass (``ActivationFusionPass``) writes these attributes; operator
/// factories read them back with ``Activation/init(fusedInto:)``.
public enum FusedActivationAttribute {
    public static let kind = "_fused_activation"
    public static let minimum = "_fused_min"
    public static let maximum = "_fused_max"
    public static let alpha = "_fused_alpha"
    public static let beta = "_fused_beta"
}

extension Activation {
    /// The activation fused into `node`, if any.
    public init?(fusedInto node: Node) throws {
        let name = try node.string(FusedActivationAttribute.kind, default: "")
        guard !name.isEmpty else { return nil }
        switch name {
        case "Relu": self = .relu
        case "Clip":
            self = .clip(min: try node.float(FusedActivationAttribute.minimum, default: -.infinity),
                         max: try node.float(FusedActivationAttribute.maximum, default: .infinity))
        case "HardSwish": self = .hardSwish
        case "HardSigmoid":
            self = .hardSigmoid(alpha: try node.float(FusedActivationAttribute.alpha, default: 0.2),
                                beta: try node.float(FusedActivationAttribute.beta, default: 0.5))
        case "Sigmoid": self = .sigmoid
        case "SiLU": self = .silu
        case "Gelu": self = .gelu
        case "QuickGelu": self = .quickGelu(alpha: try node.float(FusedActivationAttribute.alpha, default: 1.702))
        default:
            throw GraphError.badAttribute(node: node.label, attribute: FusedActivationAttribute.kind,
                                          reason: "unknown activation \(name)")
        }
    }

    /// The attributes that record this activation on a node.
    public var fusedAttributes: [String: Attribute] {
        typealias A = FusedActivationAttribute
        switch self {
        case .relu: return [A.kind: .string("Relu")]
        case let .clip(lo, hi): return [A.kind: .string("Clip"), A.minimum: .float(lo), A.maximum: .float(hi)]
        case .hardSwish: return [A.kind: .string("HardSwish")]
        case let .hardSigmoid(alpha, beta):
            return [A.kind: .string("HardSigmoid"), A.alpha: .float(alpha), A.beta: .float(beta)]
        case .sigmoid: return [A.kind: .string("Sigmoid")]
        case .silu: return [A.kind: .string("SiLU")]
        case .gelu: return [A.kind: .string("Gelu")]
        case let .quickGelu(alpha): return [A.kind: .string("QuickGelu"), A.alpha: .float(alpha)]
        }
    }
}
