/// Registers the activation operator family. (Filled in by the op-family work.)
func registerActivationOperators(in registry: OperatorRegistry) {}
