import ArgumentParser
import Foundation
import ImgVec

/// `imgvec cluster -k K`: k-means over a collection.
struct ClusterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Group a collection into K clusters with k-means (k-means++ seeding).",
        discussion: """
        Deterministic for a given --seed. Vectors are compared by cosine (k-means on L2-normalised
        vectors) unless --metric euclidean. --sheet DIR writes one contact sheet (PNG, thumbnails
        in a grid) per cluster so you can look instead of read.
        Example: imgvec cluster -k 8 --seed 1 --sheet sheets/
        """
    )

    @Option(name: .short, help: "Number of clusters.")
    var k: Int

    @Option(help: "Random seed for k-means++ seeding.")
    var seed: UInt64 = 0

    @Option(help: "cosine or euclidean.")
    var metric = "cosine"

    @Option(help: "Maximum Lloyd iterations.")
    var maxIterations = 100

    @Flag(help: "Print JSON: an array of {\"cluster\", \"size\", \"paths\"}.")
    var json = false

    @Option(help: "Write one contact-sheet PNG per cluster into this folder.")
    var sheet: String?

    @OptionGroup var store: StoreOptions

    func run() throws {
        guard let metric = KMeans.Metric(rawValue: metric) else { throw ValidationError("--metric must be cosine or euclidean") }
        let stored = try store.open().requireCollection(named: store.collection).loadAll()
        let result = try KMeans.cluster(stored.vectors, configuration: .init(k: k, metric: metric, maxIterations: maxIterations, seed: seed))
        var members = [[String]](repeating: [], count: k)
        for (index, cluster) in result.assignments.enumerated() { members[cluster].append(stored.paths[index]) }
        if let sheet {
            let folder = URL(fileURLWithPath: sheet)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for (cluster, paths) in members.enumerated() where !paths.isEmpty {
                try ContactSheet.write(paths: paths, to: folder.appendingPathComponent(String(format: "cluster-%02d.png", cluster)))
            }
        }
        if json {
            let array = members.enumerated().map { ["cluster": $0.offset, "size": $0.element.count, "paths": $0.element] as [String: Any] }
            print(String(decoding: try JSONSerialization.data(withJSONObject: array, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]), as: UTF8.self))
            return
        }
        print("k-means: \(k) clusters, \(result.iterations) iterations\(result.converged ? "" : " (not converged)"), inertia \(String(format: "%.4f", result.inertia))")
        for (cluster, paths) in members.enumerated() {
            print("cluster \(cluster) (\(paths.count)):")
            for path in paths { print("  \(path)") }
        }
    }
}
