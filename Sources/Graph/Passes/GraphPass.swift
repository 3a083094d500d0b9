/// A rewrite of a ``Graph`` that keeps its results unchanged.
///
/// Passes run in order at load (``GraphOptimizer``). Each does one thing.
/// `protected` names values that must stay observable: graph outputs and any
/// intermediate value the user asked for; no pass may remove or rename them.
public protocol GraphPass {
    /// A short name for logs and profiles.
    var name: String { get }
    /// Rewrites `graph` in place.
    func run(on graph: inout Graph, protected: Set<String>) throws
}

/// The standard pass pipeline.
public struct GraphOptimizer {
    public var passes: [GraphPass]

    public init(passes: [GraphPass] = GraphOptimizer.standardPasses) {
        self.passes = passes
    }

    /// Identity removal, load-time constant folding, Pad folding into Conv, BatchNorm
    /// folding, MatMul bias folding, GELU recognition, activation fusion, MatMul operand
    /// (Transpose, scale) folding, attention's head split and merge read and written in place,
    /// residual-add folding into MatMul and Conv, squeeze-excitation
    /// scales folded into the pointwise Conv that reads them, 2x2 max pools folded into the
    /// 3x3 Conv before them, then dead-node removal.
    public static var standardPasses: [GraphPass] {
        [IdentityEliminationPass(), ConstantFoldingPass(), PadFoldingPass(), BatchNormFoldingPass(),
         MatMulBiasFusionPass(), GeluFusionPass(), ActivationFusionPass(), MatMulOperandFusionPass(),
         AttentionLayoutFusionPass(),
         ResidualAddFusionPass(), ConvResidualFusionPass(), ChannelScaleFusionPass(), ConvMaxPoolFusionPass(),
         DeadNodeEliminationPass()]
    }

    /// Runs every pass in order and returns the rewritten graph.
    public func optimize(_ graph: Graph, protected extraProtected: Set<String> = []) throws -> Graph {
        var graph = graph
        let protected = extraProtected.union(graph.outputs.map(\.name))
        for pass in passes { try pass.run(on: &graph, protected: protected) }
        return graph
    }
}

extension Graph {
    /// Renames every use of value `old` as an input to `new`.
    mutating func replaceUses(of old: String, with new: String) {
        for index in nodes.indices {
            for slot in nodes[index].inputs.indices where nodes[index].inputs[slot] == old {
                nodes[index].inputs[slot] = new
            }
        }
    }

    /// The indices of the nodes that read `value`.
    func consumers(of value: String) -> [Int] {
        nodes.indices.filter { nodes[$0].inputs.contains(value) }
    }
}
