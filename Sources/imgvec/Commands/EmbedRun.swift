import ArgumentParser
import Foundation
import ImgVec

/// One `imgvec embed` invocation: resolves inputs, sinks and reporting, then runs the pipeline.
final class EmbedRun {
    let command: EmbedCommand
    let reporter: RunReporter
    private let errorLog: ErrorLog?

    init(command: EmbedCommand) throws {
        self.command = command
        self.reporter = RunReporter(enabled: !command.quiet)
        self.errorLog = try command.errors.map { try ErrorLog(path: $0) }
    }

    /// Runs the job and returns the exit status.
    func execute() throws -> Int32 {
        let resolved = try ModelResolver().resolve(command.model, options: SessionOptions(threadCount: command.threads))
        let model = resolved.model
        let recipeName = command.recipe ?? resolved.preset?.recipe ?? "torchvision"
        let recipe = try RecipeResolver.resolve(recipeName)
        let pooling = command.pooling ?? resolved.preset.flatMap { Pooling(rawValue: $0.pooling) } ?? .none
        let options = EmbeddingOptions(recipe: recipe, outputNode: command.node, pooling: pooling,
                                       normalize: command.normalize, batchSize: command.batch,
                                       decodeThreads: command.decodeThreads ?? ProcessInfo.processInfo.activeProcessorCount,
                                       fastJPEG: command.fastJPEG)
        let pipeline = EmbeddingPipeline(model: model, options: options)
        let dimension = try pipeline.probeDimension()
        var paths = InputCollector.collect(command.paths)

        let sink: EmbeddingSink
        if let output = command.output {
            sink = try FileSink(url: URL(fileURLWithPath: output), dimension: dimension)
        } else {
            let provenance = CollectionProvenance(
                modelSHA256: resolved.sha256, modelName: resolved.name,
                recipeName: recipeName, recipeJSON: try recipe.canonicalJSON(),
                outputNode: command.node ?? model.graph.outputs.first?.name ?? "",
                pooling: pooling.rawValue, normalized: command.normalize, dimension: dimension)
            let storeSink = try StoreSink(store: command.store.open(), collection: command.store.collection,
                                          provenance: provenance)
            paths = storeSink.pathsNeedingWork(paths)
            sink = storeSink
        }
        let skipped = sink.skippedCount

        Interrupt.install()
        let progress: EmbeddingProgress
        do {
            progress = try pipeline.run(
                paths: paths,
                onBatch: { try sink.write($0) },
                onFailure: { failure in
                    self.reporter.failure(failure)
                    self.errorLog?.record(failure)
                },
                onProgress: { self.reporter.progress($0, skipped: skipped) },
                shouldStop: { Interrupt.requested })
            try sink.finish()
        } catch {
            sink.abandon()
            reporter.finish()
            throw error
        }
        reporter.summary(progress, skipped: skipped, interrupted: Interrupt.requested)
        if Interrupt.requested { return 130 }
        return progress.failed > 0 ? 3 : 0
    }
}
