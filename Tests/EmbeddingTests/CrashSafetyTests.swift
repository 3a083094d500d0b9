import Foundation
import Testing
@testable import Embedding

/// A batch is atomic: an interrupted write leaves none of it behind.
@Suite struct CrashSafetyTests {
    @Test func closingWithoutCommitLeavesNoPartialBatch() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let path = folder.file("store.sqlite").path
        let first = Sample.batch(4, seed: 1, prefix: "a/")
        let second = Sample.batch(6, seed: 2, prefix: "b/")
        do {
            let store = try EmbeddingStore(path: path)
            let collection = try store.collection(provenance: Sample.provenance())
            try collection.upsert(batch: first)
            // Half of the next batch, inside a transaction that never commits.
            try store.database.execute("BEGIN IMMEDIATE")
            try collection.writeRows(Array(second.prefix(3)))
            store.close() // like a crash: the open transaction is discarded
        }
        let store = try EmbeddingStore(path: path)
        let loaded = try store.requireCollection().loadAll()
        #expect(loaded.paths == first.map(\.record.path))
    }

    @Test func snapshotOfFilesMidTransactionShowsWholeBatchesOnly() throws {
        // Copy the database and its WAL while a large batch is half written:
        // that copy is what a machine killed at that moment would leave on disk.
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let path = folder.file("store.sqlite").path
        let copy = folder.file("crashed.sqlite").path
        let dimension = 256
        let first = Sample.batch(20, dimension: dimension, seed: 1, prefix: "a/")
        let second = Sample.batch(400, dimension: dimension, seed: 2, prefix: "b/")
        let store = try EmbeddingStore(path: path)
        let collection = try store.collection(provenance: Sample.provenance(dimension: dimension))
        try collection.upsert(batch: first)
        try store.database.execute("PRAGMA cache_size = 8") // force pages out to the WAL early
        func walSize() -> Int {
            ((try? FileManager.default.attributesOfItem(atPath: path + "-wal"))?[.size] as? NSNumber)?.intValue ?? 0
        }
        let committedWAL = walSize()
        try store.database.execute("BEGIN IMMEDIATE")
        try collection.writeRows(Array(second.prefix(200)))
        // Uncommitted pages really reached the disk (so the snapshot tests something).
        #expect(walSize() > committedWAL)
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: path + suffix) {
            try FileManager.default.copyItem(atPath: path + suffix, toPath: copy + suffix)
        }
        try store.database.execute("ROLLBACK")
        store.close()

        let crashed = try EmbeddingStore(path: copy)
        let loaded = try crashed.requireCollection().loadAll()
        #expect(loaded.paths == first.map(\.record.path))
        #expect(loaded.vectors.toFloats() == first.flatMap(\.vector))
    }

    @Test func failingBatchRollsBackEntirely() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let store = try EmbeddingStore(path: folder.file("store.sqlite").path)
        let collection = try store.collection(provenance: Sample.provenance())
        let batch = Sample.batch(4)
        #expect(throws: SQLiteError.self) {
            try store.database.transaction {
                try collection.writeRows(Array(batch.prefix(2)))
                try store.database.execute("INSERT INTO no_such_table VALUES (1)")
            }
        }
        #expect(try collection.count() == 0)
    }

    @Test func sqliteErrorsNameTheDatabaseAndReason() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let path = folder.file("store.sqlite").path
        let database = try SQLiteDatabase(path: path)
        do {
            try database.execute("SELECT * FROM missing_table")
            Issue.record("expected an error")
        } catch let error as SQLiteError {
            #expect(error.description.contains(path))
            #expect(error.description.contains("no such table: missing_table"))
        }
        let readOnly = folder.file("absent/never.sqlite").path
        #expect(throws: SQLiteError.self) { _ = try SQLiteDatabase(path: readOnly, readOnly: true) }
    }
}
