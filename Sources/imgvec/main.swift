import ArgumentParser

/// The `imgvec` command: images to vector embeddings.
struct IMGVec: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "imgvec",
        abstract: "Turn images into vector embeddings with a pure-Swift inference engine.",
        subcommands: [
            EmbedCommand.self, SearchCommand.self, DedupCommand.self, ClusterCommand.self, ExportCommand.self,
            StatsCommand.self, ModelsCommand.self, VerifyCommand.self, PreprocessCommand.self, InspectCommand.self, RunCommand.self, BenchCommand.self,
            BenchPreprocessCommand.self, BenchEmbedCommand.self, BenchWorkerCommand.self,
            BenchEmbedWorkerCommand.self,
        ]
    )
}

IMGVec.main()
