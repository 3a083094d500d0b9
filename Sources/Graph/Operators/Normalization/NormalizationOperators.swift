/// Registers the normalization operator family: LayerNormalization,
/// BatchNormalization (inference) and InstanceNormalization.
func registerNormalizationOperators(in registry: OperatorRegistry) {
    registry.register("LayerNormalization") { try LayerNormalizationOperator($0) }
    registry.register("BatchNormalization") { try BatchNormalizationOperator($0) }
    registry.register("InstanceNormalization") { try InstanceNormalizationOperator($0) }
}
