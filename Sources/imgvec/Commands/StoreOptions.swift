import ArgumentParser
import Foundation
import ImgVec

/// `--store` and `--collection`, shared by every command that reads or writes the store.
struct StoreOptions: ParsableArguments {
    @Option(name: .customLong("store"), help: ArgumentHelp(
        "The embedding store (a SQLite file).",
        discussion: "Default: $IMGVEC_STORE, else ~/.local/share/imgvec/store.sqlite."))
    var path: String?

    @Option(help: "Collection inside the store (one model and recipe per collection).")
    var collection = "default"

    /// The store's path after defaults.
    var resolvedPath: String { path ?? EmbeddingStore.defaultPath() }

    /// Opens the store.
    func open() throws -> EmbeddingStore { try EmbeddingStore(path: resolvedPath) }
}
