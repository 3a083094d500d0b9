import Tensor

/// Folds a residual connection `Add(MatMul(...), r)` (or `Add(r, MatMul(...))`) into the MatMul,
/// which then adds `r` in its GEMM epilogue after bias and activation (input 3). `r` must be
/// computed (not a constant, which would more likely broadcast); a MatMul whose output is
/// only read by the Add. A residual that turns out to broadcast still works (slower path).
public struct ResidualAddFusionPass: GraphPass {
    public let name = "residual-add-fusion"
    public init() {}

    public func run(on graph: inout Graph, protected: Set<String>) throws {
        try graph.foldResidualAdds(protected: protected, carryingActivation: false) { node, add in
            node.opType == "MatMul" && !add.attributes.keys.contains(FusedActivationAttribute.kind)
        }
    }
}
