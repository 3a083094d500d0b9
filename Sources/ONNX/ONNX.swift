import Foundation
import Graph
// Temporary: replaced by the ONNX importer branch.
public struct ONNXModel { public var graph: Graph; public var opsetVersion: Int; public var producerName = ""; public var producerVersion = ""
  public static func load(contentsOf url: URL) throws -> ONNXModel { throw GraphError.malformed("ONNX importer not built yet") } }
public enum ModelValidator { public static func validate(_ graph: Graph, opsetVersion: Int, registry: OperatorRegistry) throws {} }
