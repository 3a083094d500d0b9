@_exported import Tensor
@_exported import Graph
@_exported import ONNX
@_exported import Imaging
@_exported import Embedding
@_exported import ModelZoo
