import ArgumentParser
import Foundation
import ImgVec

/// `imgvec stats`: what a store holds.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Show a store's collections, counts, models, dimensions and size."
    )

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var store: StoreOptions

    func run() throws {
        let stats = try store.open().stats()
        if json {
            let object: [String: Any] = [
                "path": stats.path, "size_bytes": stats.fileSizeBytes, "images": stats.totalImages,
                "collections": stats.collections.map { c -> [String: Any] in
                    ["name": c.name, "images": c.imageCount, "dimension": c.provenance.dimension,
                     "model": c.provenance.modelName, "model_sha256": c.provenance.modelSHA256,
                     "recipe": c.provenance.recipeName, "node": c.provenance.outputNode,
                     "pooling": c.provenance.pooling, "normalized": c.provenance.normalized]
                },
            ]
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]), as: UTF8.self))
            return
        }
        print("store: \(stats.path) (\(String(format: "%.1f MB", Double(stats.fileSizeBytes) / 1e6)))")
        print("images: \(stats.totalImages)")
        for c in stats.collections {
            print("collection '\(c.name)': \(c.imageCount) images, dimension \(c.provenance.dimension)")
            print("  model \(c.provenance.modelName) (sha256 \(c.provenance.modelSHA256.prefix(16))…), recipe \(c.provenance.recipeName), node \(c.provenance.outputNode.isEmpty ? "(output)" : c.provenance.outputNode), pooling \(c.provenance.pooling)\(c.provenance.normalized ? ", L2-normalised" : "")")
        }
    }
}
