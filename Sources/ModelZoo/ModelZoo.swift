/// The model zoo: checkpoint readers, architecture builders, presets and hub downloads.
import Tensor
