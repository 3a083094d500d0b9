/// Registers the activation operator family: pointwise unary functions, Clip,
/// Cast/CastLike, Softmax and LogSoftmax.
func registerActivationOperators(in registry: OperatorRegistry) {
    for function in UnaryFunction.allCases {
        registry.register(function.rawValue) { try UnaryOperator($0, function: function) }
    }
    registry.register("Clip") { try ClipOperator($0) }
    registry.register("Cast") { try CastOperator($0, like: false) }
    registry.register("CastLike") { try CastOperator($0, like: true) }
    registry.register("Softmax") { try SoftmaxOperator($0, logarithmic: false) }
    registry.register("LogSoftmax") { try SoftmaxOperator($0, logarithmic: true) }
}
