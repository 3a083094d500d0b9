/// Registers the shape operator family. (Filled in by the op-family work.)
func registerShapeOperators(in registry: OperatorRegistry) {}
