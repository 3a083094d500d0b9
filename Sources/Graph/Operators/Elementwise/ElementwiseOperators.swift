/// Registers the elementwise operator family: broadcast binary arithmetic,
/// comparisons and logic, variadic Max/Min/Sum/Mean, Where and Not.
func registerElementwiseOperators(in registry: OperatorRegistry) {
    for function in BinaryFunction.allCases where function != .max && function != .min {
        registry.register(function.rawValue) { try BinaryOperator($0, function: function) }
    }
    for function in [VariadicOperator.Function.max, .min, .sum, .mean] {
        registry.register(function.rawValue) { context in
            let present = context.node.inputs.filter { !$0.isEmpty }.count
            if present == 2 && (function == .max || function == .min) {
                return try BinaryOperator(context, function: function == .max ? .max : .min)
            }
            if present == 2 && function == .sum { return try BinaryOperator(context, function: .add) }
            return VariadicOperator(context, function: function)
        }
    }
    registry.register("Where") { WhereOperator($0) }
}
