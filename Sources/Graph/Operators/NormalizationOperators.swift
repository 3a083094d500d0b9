/// Registers the normalization operator family. (Filled in by the op-family work.)
func registerNormalizationOperators(in registry: OperatorRegistry) {}
