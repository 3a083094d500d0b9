/// Registers the linearalgebra operator family. (Filled in by the op-family work.)
func registerLinearAlgebraOperators(in registry: OperatorRegistry) {}
