import Tensor

/// Folds a skip connection into the convolution that feeds it: `Add(Conv(x), r)` (either
/// operand order), with the Add's fused activation (ResNet's `Relu(Add(...))`), becomes one
/// Conv with `r` as input 3 and the activation applied after the sum. The GEMM path then adds
/// `r` to each output tile while it is in cache instead of a separate pass over memory.
///
/// Conditions: the Conv has no activation of its own (the sum would come after it), the Add
/// is its output's only reader, and `r` is computed (not a constant) before the Conv runs.
public struct ConvResidualFusionPass: GraphPass {
    public let name = "conv-residual-fusion"
    public init() {}

    public func run(on graph: inout Graph, protected: Set<String>) throws {
        try graph.foldResidualAdds(protected: protected, carryingActivation: true) { node, _ in
            node.opType == "Conv" && node.attributes[FusedActivationAttribute.kind] == nil
        }
    }
}
