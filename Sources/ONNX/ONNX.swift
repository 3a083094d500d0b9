/// ONNX import: the protobuf wire reader and the ONNX → Graph importer.
import Graph
