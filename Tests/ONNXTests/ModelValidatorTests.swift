import Foundation
import Graph
import ONNX
import Tensor
import Testing

@Suite struct ModelValidatorTests {
    /// A registry knowing only `ops` (factories are never called by the validator).
    static func registry(_ ops: [String]) -> OperatorRegistry {
        let registry = OperatorRegistry()
        for op in ops { registry.register(op) { _ in throw GraphError.malformed("not built in tests") } }
        return registry
    }

    static func graph(_ nodes: [Node], outputs: [String] = ["y"]) -> Graph {
        Graph(nodes: nodes, initializers: ["w": Tensor(shape: [1], floats: [2])],
              inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.symbolic("batch")])],
              outputs: outputs.map { ValueInfo(name: $0, dataType: .float32, shape: nil) })
    }

    @Test func acceptsAWellFormedSupportedGraph() throws {
        let g = Self.graph([Node(name: "m", opType: "Mul", inputs: ["x", "w"], outputs: ["t"]),
                            Node(name: "r", opType: "Relu", inputs: ["t", ""], outputs: ["y"])])
        try ModelValidator.validate(g, opsetVersion: 17, registry: Self.registry(["Mul", "Relu"]))
    }

    @Test func listsEveryUnsupportedOperatorInOneError() throws {
        let g = Self.graph([Node(name: "a", opType: "Foo", inputs: ["x"], outputs: ["t"]),
                            Node(name: "b", opType: "Relu", inputs: ["t"], outputs: ["u"]),
                            Node(name: "c", opType: "Bar", inputs: ["u"], outputs: ["v"]),
                            Node(name: "d", opType: "Foo", inputs: ["v"], outputs: ["y"])])
        #expect(throws: GraphError.unsupportedOperators(["Foo (node 'a', opset 17)", "Bar (node 'c', opset 17)",
                                                         "Foo (node 'd', opset 17)"])) {
            try ModelValidator.validate(g, opsetVersion: 17, registry: Self.registry(["Relu"]))
        }
    }

    @Test func rejectsOpsetsOutsideTheSupportedRange() {
        let g = Self.graph([Node(name: "r", opType: "Relu", inputs: ["x"], outputs: ["y"])])
        for opset in [0, 12, 22] {
            do {
                try ModelValidator.validate(g, opsetVersion: opset, registry: Self.registry(["Relu"]))
                Issue.record("opset \(opset) accepted")
            } catch {
                let text = String(describing: error)
                #expect(text.contains("13...21"))
                #expect(opset == 0 ? text.contains("no default-domain opset") : text.contains("opset \(opset)"))
            }
        }
        for opset in [13, 21] {
            #expect(throws: Never.self) { try ModelValidator.validate(g, opsetVersion: opset, registry: Self.registry(["Relu"])) }
        }
    }

    @Test func rejectsAnUndefinedOrLaterDefinedInput() {
        let g = Self.graph([Node(name: "r", opType: "Relu", inputs: ["t"], outputs: ["y"]),
                            Node(name: "s", opType: "Relu", inputs: ["x"], outputs: ["t"])])
        #expect(throws: GraphError.invalidInput(node: "Relu 'r'", reason:
            "input 't' is neither a graph input, an initializer nor produced by an earlier node")) {
            try ModelValidator.validate(g, opsetVersion: 17, registry: Self.registry(["Relu"]))
        }
    }

    @Test func rejectsAnOutputNobodyProduces() {
        let g = Self.graph([Node(name: "r", opType: "Relu", inputs: ["x"], outputs: ["y"])], outputs: ["y", "z"])
        #expect(throws: GraphError.malformed("graph output 'z' is not produced by any node, input or initializer")) {
            try ModelValidator.validate(g, opsetVersion: 17, registry: Self.registry(["Relu"]))
        }
    }

    @Test func rejectsDuplicateProducers() {
        let twice = Self.graph([Node(name: "r", opType: "Relu", inputs: ["x"], outputs: ["y"]),
                                Node(name: "s", opType: "Relu", inputs: ["x"], outputs: ["y"])])
        #expect(throws: GraphError.malformed("value 'y' is produced twice: by Relu 'r' and by Relu 's'")) {
            try ModelValidator.validate(twice, opsetVersion: 17, registry: Self.registry(["Relu"]))
        }
        let overWeight = Self.graph([Node(name: "r", opType: "Relu", inputs: ["x"], outputs: ["w"]),
                                     Node(name: "s", opType: "Relu", inputs: ["w"], outputs: ["y"])])
        #expect(throws: GraphError.malformed("value 'w' is produced twice: by an initializer and by Relu 'r'")) {
            try ModelValidator.validate(overWeight, opsetVersion: 17, registry: Self.registry(["Relu"]))
        }
    }
}
