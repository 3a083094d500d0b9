import ArgumentParser
import Foundation
import ImgVec

/// `imgvec dedup`: groups of near-duplicate images, each naming the copy to keep.
struct DedupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dedup",
        abstract: "Find groups of near-duplicate images in a collection.",
        discussion: """
        Two images are near-duplicates when their cosine similarity is at least --threshold.
        Groups never chain: every pair inside a group passes the threshold (A~B and B~C do not
        put A and C together unless A~C). Each group names the copy to keep: the largest
        resolution, then the largest file, then the first path.
        Example: imgvec dedup --threshold 0.97 --json
        """
    )

    @Option(help: "Cosine similarity at or above which two images are duplicates.")
    var threshold: Float = DuplicateFinder.defaultThreshold

    @Flag(help: "Print JSON: an array of {\"keep\", \"duplicates\", \"min_similarity\"}.")
    var json = false

    @OptionGroup var store: StoreOptions

    func run() throws {
        let collection = try store.open().requireCollection(named: store.collection)
        let groups = try DuplicateFinder(threshold: threshold).findGroups(in: collection.loadAll())
        if json {
            let array = groups.map { group -> [String: Any] in
                ["keep": group.keeper.path, "duplicates": group.duplicates.map(\.path),
                 "min_similarity": Double(group.minimumSimilarity)]
            }
            print(String(decoding: try JSONSerialization.data(withJSONObject: array, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]), as: UTF8.self))
            return
        }
        if groups.isEmpty { print("no duplicates at threshold \(threshold)"); return }
        for (index, group) in groups.enumerated() {
            print("group \(index + 1) (min similarity \(String(format: "%.4f", group.minimumSimilarity))):")
            print("  keep    \(group.keeper.path)")
            for duplicate in group.duplicates { print("  remove  \(duplicate.path)") }
        }
    }
}
