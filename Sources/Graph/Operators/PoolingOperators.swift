/// Registers the pooling operator family. (Filled in by the op-family work.)
func registerPoolingOperators(in registry: OperatorRegistry) {}
