/// Registers the reduction operator family: the Reduce* operators and ArgMax/ArgMin.
func registerReductionOperators(in registry: OperatorRegistry) {
    for function in ReduceFunction.allCases {
        registry.register(function.rawValue) { try ReduceOperator($0, function: function) }
    }
    registry.register("ArgMax") { try ArgExtremumOperator($0, maximum: true) }
    registry.register("ArgMin") { try ArgExtremumOperator($0, maximum: false) }
}
