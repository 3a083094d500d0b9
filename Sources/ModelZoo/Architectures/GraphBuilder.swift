import Graph
import Tensor

/// Activations the builders emit, as plain ONNX nodes (the engine fuses them later).
enum LayerActivation {
    case none, relu, relu6, hardSwish, silu, sigmoid, gelu
    /// PyTorch `Hardsigmoid`: relu6(x + 3) / 6 (ONNX HardSigmoid with alpha 1/6, beta 0.5).
    case hardSigmoid
}

/// Assembles a ``Graph`` from state-dict weights, one layer at a time.
///
/// Every checkpoint tensor a layer needs is declared through ``load(_:_:buffer:)``,
/// which records its ``ParameterSpec``, checks presence and shape, and collects every
/// problem into one ``ArchitectureError`` that ``finish(output:outputShape:ignoring:)``
/// throws. Without a weight source the builder only records the specs (used by
/// `parameters(...)` of each family). Value and node names follow the PyTorch module
/// names so graphs read like the model they come from.
struct GraphBuilder {
    let architecture: String
    private let source: WeightSource?
    private(set) var nodes: [Node] = []
    private(set) var initializers: [String: Tensor] = [:]
    private(set) var specs: [ParameterSpec] = []
    private var used: Set<String> = []
    /// Names already taken by values, weights and constants.
    private var valueNames: Set<String> = ["input", "output"]
    private(set) var problems: ArchitectureError
    let inputShape: [Dimension]

    init(architecture: String, weights: WeightSource?, inputShape: [Dimension]) {
        self.architecture = architecture
        self.source = weights
        self.inputShape = inputShape
        self.problems = ArchitectureError(architecture: architecture)
    }

    // MARK: Weights

    /// Declares checkpoint tensor `name` of `shape`; returns it as float32 when present and well-shaped.
    mutating func load(_ name: String, _ shape: [Int], buffer: Bool = false) -> Tensor? {
        specs.append(ParameterSpec(name: name, shape: shape, isBuffer: buffer))
        valueNames.insert(name)
        guard let source else { return nil }
        used.insert(name)
        do {
            guard let tensor = try source.tensor(name) else { problems.missing.append(name); return nil }
            guard tensor.shape == shape else {
                problems.wrongShape.append(.init(name: name, expected: shape, found: tensor.shape))
                return nil
            }
            guard tensor.dataType.isFloatingPoint else {
                problems.other.append("\(name): expected a floating-point tensor, found \(tensor.dataType)")
                return nil
            }
            return tensor.convertedToFloat32()
        } catch {
            problems.other.append("\(name): \(error)")
            return nil
        }
    }

    /// Declares a checkpoint tensor used unchanged as an initializer; returns its value name.
    mutating func weight(_ name: String, _ shape: [Int], buffer: Bool = false) -> String {
        if let tensor = load(name, shape, buffer: buffer) { initializers[name] = tensor }
        return name
    }

    /// Adds an initializer computed from checkpoint tensors (nil when they were missing).
    mutating func derived(_ name: String, _ tensor: Tensor?) -> String {
        valueNames.insert(name)
        if let tensor { initializers[name] = tensor }
        return name
    }

    /// Adds an int64 constant (shapes, indices, axes).
    mutating func constant(_ name: String, int64s values: [Int64], shape: [Int]? = nil) -> String {
        valueNames.insert(name)
        initializers[name] = Tensor(shape: shape ?? [values.count], int64s: values)
        return name
    }

    /// Adds a float constant.
    mutating func constant(_ name: String, floats values: [Float], shape: [Int]) -> String {
        valueNames.insert(name)
        initializers[name] = Tensor(shape: shape, floats: values)
        return name
    }

    /// Records a configuration problem (reported with the weight problems).
    mutating func fail(_ reason: String) { problems.other.append(reason) }

    // MARK: Nodes

    /// Emits one node and returns its output value names.
    @discardableResult
    mutating func emit(_ opType: String, _ inputs: [String], name: String, outputs: Int = 1,
                       _ attributes: [String: Attribute] = [:]) -> [String] {
        var base = name
        var suffix = 1
        while valueNames.contains(base) { suffix += 1; base = "\(name)_\(suffix)" }
        let outputNames = outputs == 1 ? [base] : (0..<outputs).map { "\(base):\($0)" }
        valueNames.formUnion(outputNames)
        valueNames.insert(base)
        nodes.append(Node(name: base, opType: opType, inputs: inputs, outputs: outputNames, attributes: attributes))
        return outputNames
    }

    /// Emits a single-output node.
    mutating func node(_ opType: String, _ inputs: [String], name: String, _ attributes: [String: Attribute] = [:]) -> String {
        emit(opType, inputs, name: name, attributes)[0]
    }

    // MARK: Layers

    /// `nn.Conv2d` named `prefix` (weights `prefix.weight`, optional `prefix.bias`).
    /// `pads` are ONNX order [top, left, bottom, right]; default symmetric `kernel / 2`.
    mutating func conv(_ x: String, _ prefix: String, in inChannels: Int, out outChannels: Int, kernel: Int,
                       stride: Int = 1, pads: [Int]? = nil, groups: Int = 1, bias: Bool = false) -> String {
        if inChannels % groups != 0 { fail("\(prefix): \(inChannels) input channels do not split into \(groups) groups") }
        let w = weight("\(prefix).weight", [outChannels, inChannels / max(groups, 1), kernel, kernel])
        var inputs = [x, w]
        if bias { inputs.append(weight("\(prefix).bias", [outChannels])) }
        let p = kernel / 2
        return node("Conv", inputs, name: prefix, [
            "kernel_shape": .ints([kernel, kernel]), "strides": .ints([stride, stride]),
            "pads": .ints(pads ?? [p, p, p, p]), "dilations": .ints([1, 1]), "group": .int(groups),
        ])
    }

    /// `nn.BatchNorm2d` named `prefix` in inference mode.
    mutating func batchNorm(_ x: String, _ prefix: String, channels: Int, epsilon: Float) -> String {
        let inputs = [
            weight("\(prefix).weight", [channels]), weight("\(prefix).bias", [channels]),
            weight("\(prefix).running_mean", [channels], buffer: true),
            weight("\(prefix).running_var", [channels], buffer: true),
        ]
        return node("BatchNormalization", [x] + inputs, name: prefix, ["epsilon": .float(epsilon)])
    }

    /// A pointwise activation (identity for `.none`).
    mutating func activation(_ x: String, _ kind: LayerActivation, name: String) -> String {
        switch kind {
        case .none: return x
        case .relu: return node("Relu", [x], name: name)
        case .relu6:
            let low = constant("relu6.min", floats: [0], shape: [])
            let high = constant("relu6.max", floats: [6], shape: [])
            return node("Clip", [x, low, high], name: name)
        case .hardSwish: return node("HardSwish", [x], name: name)
        case .hardSigmoid: return node("HardSigmoid", [x], name: name, ["alpha": .float(1.0 / 6.0), "beta": .float(0.5)])
        case .sigmoid: return node("Sigmoid", [x], name: name)
        case .silu:
            let gate = node("Sigmoid", [x], name: name + ".sigmoid")
            return node("Mul", [x, gate], name: name)
        case .gelu: return node("Gelu", [x], name: name, ["approximate": .string("none")])
        }
    }

    /// Conv, BatchNorm, activation: torchvision's `Conv2dNormActivation` (`prefix.0`, `prefix.1`)
    /// or any conv/bn pair named explicitly.
    mutating func convBN(_ x: String, conv convName: String, bn bnName: String, in inChannels: Int, out outChannels: Int,
                         kernel: Int, stride: Int = 1, pads: [Int]? = nil, groups: Int = 1,
                         epsilon: Float, activation kind: LayerActivation) -> String {
        let y = conv(x, convName, in: inChannels, out: outChannels, kernel: kernel, stride: stride, pads: pads, groups: groups)
        let z = batchNorm(y, bnName, channels: outChannels, epsilon: epsilon)
        return activation(z, kind, name: bnName + ".act")
    }

    mutating func add(_ a: String, _ b: String, name: String) -> String { node("Add", [a, b], name: name) }
    mutating func mul(_ a: String, _ b: String, name: String) -> String { node("Mul", [a, b], name: name) }

    /// Global average pooling to [N, C] (GlobalAveragePool + Flatten).
    mutating func pooledFeatures(_ x: String, name: String = "avgpool") -> String {
        let pooled = node("GlobalAveragePool", [x], name: name)
        return node("Flatten", [pooled], name: "flatten", ["axis": .int(1)])
    }

    /// `nn.Linear` named `prefix` on a [N, in] input (Gemm with transB).
    mutating func linear(_ x: String, _ prefix: String, in inFeatures: Int, out outFeatures: Int) -> String {
        let w = weight("\(prefix).weight", [outFeatures, inFeatures])
        let b = weight("\(prefix).bias", [outFeatures])
        return node("Gemm", [x, w, b], name: prefix, ["transB": .int(1)])
    }

    // MARK: Finishing

    /// Names `value` the graph output `output`, checks for unused checkpoint tensors and
    /// throws every problem found. `ignoring` marks checkpoint keys that may stay unused
    /// (a classifier the chosen head drops); `num_batches_tracked` is always ignored.
    mutating func finish(output value: String, outputShape: [Dimension], ignoring: (String) -> Bool = { _ in false }) throws -> Graph {
        if let source {
            problems.unexpected = source.names.filter {
                !used.contains($0) && !$0.hasSuffix("num_batches_tracked") && !ignoring($0)
            }
        }
        guard problems.isEmpty else { throw problems }
        guard let index = nodes.lastIndex(where: { $0.outputs.contains(value) }) else {
            throw ArchitectureError(architecture: architecture, other: ["internal: output value '\(value)' has no producer"])
        }
        nodes[index].outputs = nodes[index].outputs.map { $0 == value ? "output" : $0 }
        return Graph(name: architecture, nodes: nodes, initializers: initializers,
                     inputs: [ValueInfo(name: "input", dataType: .float32, shape: inputShape)],
                     outputs: [ValueInfo(name: "output", dataType: .float32, shape: outputShape)])
    }
}

/// Shared shapes of graph inputs.
enum ImageInput {
    /// `[batch, 3, H, W]` with symbolic batch, height and width.
    static let anySize: [Dimension] = [.symbolic("batch"), .fixed(3), .symbolic("height"), .symbolic("width")]
    /// `[batch, 3, size, size]`.
    static func fixed(_ size: Int) -> [Dimension] { [.symbolic("batch"), .fixed(3), .fixed(size), .fixed(size)] }
}

extension GraphBuilder {
    /// Builds a network whose output is pooled features (`[batch, featureCount]`) or, with
    /// `.classifier`, logits; a features build ignores the checkpoint's `classifier.*` tensors.
    static func buildClassifierNetwork(architecture: String, weights: WeightSource, head: ArchitectureHead,
                                       classes: Int, featureCount: Int,
                                       construct: (inout GraphBuilder) -> String) throws -> Graph {
        var builder = GraphBuilder(architecture: architecture, weights: weights, inputShape: ImageInput.anySize)
        let output = construct(&builder)
        let width = head == .classifier ? classes : featureCount
        return try builder.finish(output: output, outputShape: [.symbolic("batch"), .fixed(width)],
                                  ignoring: { head == .features && $0.hasPrefix("classifier.") })
    }

    /// The tensors `construct` reads, in the order it reads them (no weights needed).
    static func parameterSpecs(architecture: String, construct: (inout GraphBuilder) -> String) -> [ParameterSpec] {
        var builder = GraphBuilder(architecture: architecture, weights: nil, inputShape: ImageInput.anySize)
        _ = construct(&builder)
        return builder.specs
    }
}
