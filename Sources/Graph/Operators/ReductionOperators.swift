/// Registers the reduction operator family. (Filled in by the op-family work.)
func registerReductionOperators(in registry: OperatorRegistry) {}
