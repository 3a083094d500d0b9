/// Registers the convolution operator family. (Filled in by the op-family work.)
func registerConvolutionOperators(in registry: OperatorRegistry) {}
