import Embedding
import Foundation
import Tensor

/// Reads the files `imgvec embed -o` writes, independently of the writers.
enum OutputReader {
    struct Row {
        let path: String
        let vector: [Float]
    }

    static func read(_ url: URL, format: String) throws -> [Row] {
        switch format {
        case "jsonl":
            return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { line in
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                let numbers = object["embedding"] as! [NSNumber]
                return Row(path: object["path"] as! String, vector: numbers.map { $0.floatValue })
            }
        case "npy":
            let tensor = try NumPyFile.read(url)
            let paths = try String(contentsOf: VectorExport.pathsFileURL(for: url), encoding: .utf8)
                .split(separator: "\n").map(String.init)
            let width = tensor.shape[1]
            let values = tensor.toFloats()
            return paths.enumerated().map { Row(path: $1, vector: Array(values[$0 * width..<($0 + 1) * width])) }
        case "csv":
            let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst()
            return lines.map { line in
                // Paths here contain no commas or quotes; a quoted first field is unquoted.
                var fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                var path = fields.removeFirst()
                if path.hasPrefix("\""), path.hasSuffix("\"") { path = String(path.dropFirst().dropLast()) }
                return Row(path: path, vector: fields.map { Float($0)! })
            }
        default:
            fatalError("unknown format \(format)")
        }
    }
}
