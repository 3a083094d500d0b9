import ArgumentParser
import Foundation
import ImgVec

/// `imgvec search`: exact cosine nearest neighbours over a whole collection.
struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Find the stored images most similar to an image or to a stored path.",
        discussion: """
        Scores are exact cosine similarities computed over the whole collection.
        --image embeds the query with the collection's own model, recipe, node, pooling and
        normalisation (pass the model file with --model; its SHA-256 must match the collection's).
        Example: imgvec search --path photos/cat.jpg -k 5 --json
        """
    )

    @Option(help: "Query image file (embedded on the fly; needs --model).")
    var image: String?

    @Option(help: "Query by a path already in the store.")
    var path: String?

    @Option(help: "The collection's model file (for --image; presets are found by name).")
    var model: String?

    @Option(name: .short, help: "Number of results.")
    var k = 10

    @Flag(help: "Print a JSON array of {\"path\", \"score\"} objects, best first.")
    var json = false

    @OptionGroup var store: StoreOptions

    func validate() throws {
        guard (image == nil) != (path == nil) else { throw ValidationError("give exactly one of --image or --path") }
        guard k > 0 else { throw ValidationError("-k must be positive") }
    }

    func run() throws {
        let collection = try store.open().requireCollection(named: store.collection)
        let search = try VectorSearch(collection.loadAll())
        let results: [SearchResult]
        if let path {
            results = try search.search(path: path, k: k)
        } else {
            let vector = try QueryEmbedder.embed(image: image!, model: model, provenance: collection.provenance)
            results = try search.search(vector: vector, k: k)
        }
        if json {
            let array = results.map { ["path": $0.path, "score": Double($0.score)] as [String: Any] }
            print(String(decoding: try JSONSerialization.data(withJSONObject: array, options: [.prettyPrinted, .withoutEscapingSlashes]), as: UTF8.self))
        } else {
            for result in results { print(String(format: "%.6f  %@", result.score, result.path)) }
        }
    }
}

/// Embeds one query image exactly as a collection's vectors were made.
enum QueryEmbedder {
    static func embed(image: String, model: String?, provenance: CollectionProvenance) throws -> [Float] {
        // A preset collection finds its own model; an ONNX collection needs the file.
        let argument = model ?? (ModelPreset.named(provenance.modelName) != nil ? provenance.modelName : nil)
        guard let argument else {
            throw CLIError("--image needs --model: the ONNX file of the collection's model '\(provenance.modelName)'")
        }
        let resolved = try ModelResolver().resolve(argument, options: SessionOptions())
        guard resolved.sha256 == provenance.modelSHA256 else {
            throw CLIError("\(argument): not the collection's model (sha256 \(resolved.sha256.prefix(12))…, the collection was made with \(provenance.modelSHA256.prefix(12))… '\(provenance.modelName)')")
        }
        let recipe = try PreprocessingRecipe.fromJSON(Data(provenance.recipeJSON.utf8))
        let inference = resolved.model
        let options = EmbeddingOptions(recipe: recipe, outputNode: provenance.outputNode.isEmpty ? nil : provenance.outputNode,
                                       pooling: Pooling(rawValue: provenance.pooling) ?? .none,
                                       normalize: provenance.normalized, batchSize: 1, decodeThreads: 1)
        var vector: [Float]?
        var failure: EmbeddingFailure?
        try EmbeddingPipeline(model: inference, options: options).run(
            paths: [image], onBatch: { vector = $0.first?.vector }, onFailure: { failure = $0 })
        if let failure { throw CLIError(failure.description) }
        return vector ?? []
    }
}
