import Embedding
import Foundation
import Tensor
import Testing
import TestSupport

/// `imgvec embed` end to end through the real binary, on the fixture images.
@Suite(.serialized) struct EmbedCommandTests {
    @Test func fileOutputsMatchReferenceEmbeddingsAndReportCorruptFiles() throws {
        let files = try EmbedFixtures.imageFiles()
        let folder = try EmbedFixtures.folder(with: files)
        let valid = files.filter { !EmbedFixtures.isCorrupt($0) }
        for format in ["jsonl", "npy", "csv"] {
            let output = folder.appendingPathComponent("../out-\(UUID().uuidString).\(format)").standardizedFileURL
            let errors = folder.appendingPathComponent("../errors-\(UUID().uuidString).jsonl").standardizedFileURL
            let result = try CommandRunner.run(["embed", folder.path, "--model", EmbedFixtures.model, "-o", output.path,
                                                "--errors", errors.path, "--batch", "4"])
            #expect(result.status == 3, "exit status should say 'some files failed': \(result.stderr)")
            for corrupt in files.filter(EmbedFixtures.isCorrupt) {
                #expect(result.stderr.contains("\(corrupt.lastPathComponent): "), "no error line for \(corrupt.lastPathComponent)")
            }
            #expect(result.stderr.contains("embedded \(valid.count), skipped 0, failed \(files.count - valid.count)"))
            let logged = try String(contentsOf: errors, encoding: .utf8).split(separator: "\n")
            #expect(logged.count == files.count - valid.count)

            let rows = try OutputReader.read(output, format: format)
            #expect(rows.map(\.path) == valid.map { folder.appendingPathComponent($0.lastPathComponent).path },
                    "rows must come sorted by path")
            for row in rows {
                let stem = URL(fileURLWithPath: row.path).deletingPathExtension().lastPathComponent
                let (expected, tolerance) = try EmbedFixtures.reference(for: stem)
                let worst = Comparison.maxAbsDifference(row.vector, expected)
                #expect(worst <= tolerance, "\(format) \(stem): max abs diff \(worst)")
            }
        }
    }

    @Test func storeRunsAreIncrementalAndSearchDedupClusterExportWork() throws {
        let files = try EmbedFixtures.imageFiles().filter { !EmbedFixtures.isCorrupt($0) }
        let chosen = files.filter { ["flower.jpg", "jpeg_progressive.jpg", "png_rgb.png", "china.jpg", "jpeg_gray.jpg"].contains($0.lastPathComponent) }
        let folder = try EmbedFixtures.folder(with: chosen)
        try EmbedFixtures.writeResizedCopy(of: folder.appendingPathComponent("flower.jpg"),
                                           to: folder.appendingPathComponent("flower_copy.png"), scale: 0.6)
        let store = folder.appendingPathComponent("store.sqlite").path
        let first = try CommandRunner.run(["embed", folder.path, "--model", EmbedFixtures.model, "--store", store])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("embedded 6, skipped 0, failed 0"))
        let second = try CommandRunner.run(["embed", folder.path, "--model", EmbedFixtures.model, "--store", store])
        #expect(second.status == 0)
        #expect(second.stderr.contains("embedded 0, skipped 6, failed 0"), "re-run must embed nothing: \(second.stderr)")

        // A different pooling would mix incomparable vectors: refused, naming what differs.
        let mixed = try CommandRunner.run(["embed", folder.path, "--model", EmbedFixtures.model, "--store", store, "--normalize"])
        #expect(mixed.status == 1)
        #expect(mixed.stderr.contains("collection 'default'"))

        let flower = folder.appendingPathComponent("flower.jpg").path
        let search = try CommandRunner.run(["search", "--store", store, "--path", flower, "-k", "3", "--json"])
        #expect(search.status == 0, "\(search.stderr)")
        let hits = try #require(try JSONSerialization.jsonObject(with: Data(search.stdout.utf8)) as? [[String: Any]])
        #expect(hits.count == 3)
        #expect(hits.first?["path"] as? String == flower)
        #expect(abs((hits.first?["score"] as? Double ?? 0) - 1) < 1e-5)
        #expect(hits[1]["path"] as? String == folder.appendingPathComponent("flower_copy.png").path)

        let byImage = try CommandRunner.run(["search", "--store", store, "--image", flower, "--model", EmbedFixtures.model, "--json"])
        #expect(byImage.status == 0, "\(byImage.stderr)")
        let imageHits = try #require(try JSONSerialization.jsonObject(with: Data(byImage.stdout.utf8)) as? [[String: Any]])
        #expect(imageHits.first?["path"] as? String == flower)

        // This random-weight test model scores unrelated photos up to ~0.97; the resized copy is above 0.99.
        let dedup = try CommandRunner.run(["dedup", "--store", store, "--threshold", "0.99", "--json"])
        #expect(dedup.status == 0, "\(dedup.stderr)")
        let groups = try #require(try JSONSerialization.jsonObject(with: Data(dedup.stdout.utf8)) as? [[String: Any]])
        #expect(groups.count == 1)
        #expect(groups.first?["keep"] as? String == flower, "the larger original is the one to keep")
        #expect(groups.first?["duplicates"] as? [String] == [folder.appendingPathComponent("flower_copy.png").path])

        let clusterA = try CommandRunner.run(["cluster", "--store", store, "-k", "3", "--seed", "7", "--json",
                                              "--sheet", folder.appendingPathComponent("sheets").path])
        let clusterB = try CommandRunner.run(["cluster", "--store", store, "-k", "3", "--seed", "7", "--json"])
        #expect(clusterA.status == 0 && clusterB.status == 0, "\(clusterA.stderr)")
        #expect(clusterA.stdout == clusterB.stdout, "k-means must be deterministic for a seed")
        let sheets = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("sheets").path)
        #expect(!sheets.isEmpty && sheets.allSatisfy { $0.hasSuffix(".png") })

        let exported = folder.appendingPathComponent("all.npy")
        let export = try CommandRunner.run(["export", "--store", store, "--format", "npy", "-o", exported.path])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(try NumPyFile.read(exported).shape == [6, 576])
        let paths = try String(contentsOf: VectorExport.pathsFileURL(for: exported), encoding: .utf8)
        #expect(paths.split(separator: "\n").count == 6)

        let stats = try CommandRunner.run(["stats", "--store", store])
        #expect(stats.status == 0 && stats.stdout.contains("6 images, dimension 576"), "\(stats.stdout)")
    }

    @Test func pathsFromStandardInput() throws {
        let files = try EmbedFixtures.imageFiles().filter { ["china.jpg", "png_gray.png"].contains($0.lastPathComponent) }
        let output = try CommandRunner.temporaryDirectory().appendingPathComponent("stdin.jsonl")
        let result = try CommandRunner.run(["embed", "-", "--model", EmbedFixtures.model, "-o", output.path],
                                           stdin: Data(files.map(\.path).joined(separator: "\n").utf8))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try OutputReader.read(output, format: "jsonl").map(\.path) == files.map(\.path))
    }
}
