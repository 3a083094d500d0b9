import ArgumentParser
import Foundation
import ImgVec

/// `imgvec export`: a collection as .npy, .jsonl or .csv for other ML tools.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a collection's vectors for NumPy, pandas or scikit-learn.",
        discussion: """
        npy: float32 [N, D] plus FILE.paths.txt (one path per row); jsonl: one
        {"path": ..., "embedding": [...]} per line; csv: path,e0,e1,... Rows are sorted by path.
        Example: imgvec export --format npy -o vectors.npy
        """
    )

    @Option(help: "npy, jsonl or csv (default: from the file extension).")
    var format: String?

    @Option(name: .shortAndLong, help: "Output file.")
    var output: String

    @OptionGroup var store: StoreOptions

    func run() throws {
        var exportFormat: ExportFormat?
        if let format {
            guard let parsed = ExportFormat(rawValue: format.lowercased()) else {
                throw ValidationError("--format must be npy, jsonl or csv")
            }
            exportFormat = parsed
        }
        let stored = try store.open().requireCollection(named: store.collection).loadAll()
        try VectorExport.write(stored, to: URL(fileURLWithPath: output), format: exportFormat)
        FileHandle.standardError.write(Data("exported \(stored.count) vectors of dimension \(stored.vectors.rank == 2 ? stored.vectors.shape[1] : 0) to \(output)\n".utf8))
    }
}
