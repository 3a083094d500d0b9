/// Registers the elementwise operator family. (Filled in by the op-family work.)
func registerElementwiseOperators(in registry: OperatorRegistry) {}
