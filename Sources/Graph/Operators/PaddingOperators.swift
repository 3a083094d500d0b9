/// Registers the padding operator family. (Filled in by the op-family work.)
func registerPaddingOperators(in registry: OperatorRegistry) {}
