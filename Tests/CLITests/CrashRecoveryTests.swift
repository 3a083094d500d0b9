import Embedding
import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `kill -9` in the middle of `imgvec embed`, then a re-run: complete, no duplicates.
@Suite(.serialized) struct CrashRecoveryTests {
    @Test func killNineThenRerunFinishesWithoutDuplicates() throws {
        let sources = try EmbedFixtures.imageFiles().filter { !EmbedFixtures.isCorrupt($0) && $0.lastPathComponent != "wide_4000x50.jpg" }
        // Eight copies of every valid image: enough files that the kill lands mid-run.
        let folder = try CommandRunner.temporaryDirectory()
        for copy in 0..<8 {
            for source in sources {
                try FileManager.default.copyItem(at: source, to: folder.appendingPathComponent("c\(copy)_\(source.lastPathComponent)"))
            }
        }
        let total = sources.count * 8
        let store = folder.appendingPathComponent("store.sqlite").path
        let arguments = ["embed", folder.path, "--model", EmbedFixtures.model, "--store", store,
                         "--batch", "2", "--threads", "1", "--decode-threads", "1"]

        let process = Process()
        process.executableURL = try #require(CommandRunner.executable)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var stored = 0
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline && process.isRunning {
            if FileManager.default.fileExists(atPath: store),
               let count = try? EmbeddingStore(path: store).allCollections().first?.count(), count >= 6 {
                stored = count
                break
            }
            usleep(5_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the run finished before it could be killed")
        #expect(stored > 0 && stored < total)

        let rerun = try CommandRunner.run(arguments)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let collection = try #require(try EmbeddingStore(path: store).allCollections().first)
        let records = try collection.records()
        #expect(records.count == total)
        #expect(Set(records.map(\.path)).count == total, "no duplicated rows")
        #expect(rerun.stderr.contains("skipped "), "\(rerun.stderr)")

        // Every stored vector is complete and right.
        let all = try collection.loadAll()
        let values = all.vectors.toFloats()
        for (row, path) in all.paths.enumerated() {
            let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            let stem = String(name.drop { $0 != "_" }.dropFirst())
            let (expected, tolerance) = try EmbedFixtures.reference(for: stem)
            let worst = Comparison.maxAbsDifference(Array(values[row * 576..<(row + 1) * 576]), expected)
            #expect(worst <= tolerance, "\(path): \(worst)")
        }
    }
}
