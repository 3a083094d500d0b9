import Foundation
import Testing
@testable import Embedding
import TestSupport

@Suite struct EmbeddingStoreTests {
    @Test func roundTripKeepsRecordsAndVectorsInPathOrder() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let path = folder.file("nested/store.sqlite").path
        let batch = Sample.batch(5).reversed() as [EmbeddedImage]
        do {
            let store = try EmbeddingStore(path: path)
            let collection = try store.collection(provenance: Sample.provenance())
            try collection.upsert(batch: Array(batch))
            store.close()
        }
        let store = try EmbeddingStore(path: path)
        let collection = try store.requireCollection()
        #expect(collection.provenance == Sample.provenance())
        #expect(collection.provenance.createdAt != nil)
        #expect(try collection.count() == 5)
        let loaded = try collection.loadAll()
        let expected = batch.sorted { $0.record.path < $1.record.path }
        #expect(loaded.paths == expected.map(\.record.path))
        #expect(loaded.vectors.shape == [5, 4])
        #expect(loaded.vectors.toFloats() == expected.flatMap(\.vector))
        for (record, original) in zip(loaded.records, expected) {
            var withoutTime = record
            withoutTime.embeddedAt = nil
            #expect(withoutTime == original.record)
        }
        #expect(try collection.vector(for: expected[2].record.path) == expected[2].vector)
        #expect(try collection.vector(for: "missing.jpg") == nil)
    }

    @Test func differentProvenanceIsRefusedNamingTheDifference() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let store = try EmbeddingStore(path: folder.file("store.sqlite").path)
        _ = try store.collection(provenance: Sample.provenance())
        // The same provenance reopens the collection.
        _ = try store.collection(provenance: Sample.provenance())
        let other = Sample.provenance(modelSHA: String(repeating: "cd", count: 32), modelName: "resnet50")
        do {
            _ = try store.collection(provenance: other)
            Issue.record("expected a provenance mismatch")
        } catch let error as StoreError {
            let message = error.description
            #expect(message.contains("collection 'default'"))
            #expect(message.contains("model sha256 abababababab"))
            #expect(message.contains("(resnet18)"))
            #expect(message.contains("(resnet50)"))
            #expect(message.contains("differs in: model sha256, model name"))
            #expect(message.contains("--collection NAME"))
            #expect(!message.contains("recipe JSON,"))
        }
        // Another name is fine.
        let second = try store.collection(named: "big", provenance: other)
        #expect(second.name == "big")
        #expect(try store.allCollections().map(\.name) == ["big", "default"])
    }

    @Test func upsertIsIdempotentAndReplacesTheSameRow() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let store = try EmbeddingStore(path: folder.file("store.sqlite").path)
        let collection = try store.collection(provenance: Sample.provenance())
        let batch = Sample.batch(3)
        try collection.upsert(batch: batch)
        try collection.upsert(batch: batch)
        #expect(try collection.count() == 3)
        var changed = batch[1]
        changed.record.byteSize = 5
        changed.vector = [9, 8, 7, 6]
        try collection.upsert(batch: [changed])
        #expect(try collection.count() == 3)
        #expect(try collection.vector(for: changed.record.path) == [9, 8, 7, 6])
        #expect(try collection.knownFiles()[changed.record.path]?.byteSize == 5)
    }

    @Test func wrongDimensionIsRefusedBeforeWriting() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let store = try EmbeddingStore(path: folder.file("store.sqlite").path)
        let collection = try store.collection(provenance: Sample.provenance())
        var batch = Sample.batch(3)
        batch[2].vector = [1, 2]
        #expect(throws: StoreError.self) { try collection.upsert(batch: batch) }
        #expect(try collection.count() == 0)
    }

    @Test func unchangedFilesAreSkippedAndChangedOnesNeedEmbedding() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let store = try EmbeddingStore(path: folder.file("store.sqlite").path)
        let collection = try store.collection(provenance: Sample.provenance())
        let item = Sample.batch(1)[0]
        let (path, size, mtime) = (item.record.path, item.record.byteSize, item.record.modificationTimeNanoseconds)
        #expect(try collection.needsEmbedding(path: path, byteSize: size, modificationTimeNanoseconds: mtime))
        try collection.upsert(batch: [item])
        #expect(try !collection.needsEmbedding(path: path, byteSize: size, modificationTimeNanoseconds: mtime))
        #expect(try collection.needsEmbedding(path: path, byteSize: size + 1, modificationTimeNanoseconds: mtime))
        #expect(try collection.needsEmbedding(path: path, byteSize: size, modificationTimeNanoseconds: mtime + 1))
        let known = try collection.knownFiles()
        #expect(known.count == 1)
        #expect(known[path] == item.record.signature)
        #expect(known[path]!.matches(byteSize: size, modificationTimeNanoseconds: mtime))
        #expect(!known[path]!.matches(byteSize: size, modificationTimeNanoseconds: mtime - 1))
    }

    @Test func removeAndStats() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let path = folder.file("store.sqlite").path
        let store = try EmbeddingStore(path: path)
        let collection = try store.collection(provenance: Sample.provenance())
        let batch = Sample.batch(4)
        try collection.upsert(batch: batch)
        #expect(try collection.remove(paths: [batch[0].record.path, "absent.jpg"]) == 1)
        let stats = try store.stats()
        #expect(stats.path == path)
        #expect(stats.schemaVersion == StoreSchema.currentVersion)
        #expect(stats.collections.count == 1)
        #expect(stats.collections[0].imageCount == 3)
        #expect(stats.collections[0].imagesWithSize == 3)
        #expect(stats.collections[0].dimension == 4)
        #expect(stats.totalImages == 3)
        #expect(stats.fileSizeBytes > 0)
        #expect(try store.deleteCollection(named: "default"))
        #expect(try store.stats().totalImages == 0)
        let orphans = try store.database.prepare("SELECT COUNT(*) FROM images").singleInt64()
        #expect(orphans == 0)
    }

    @Test func emptyCollectionLoadsSearchesAndClustersSafely() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let store = try EmbeddingStore(path: folder.file("store.sqlite").path)
        let collection = try store.collection(named: "empty", provenance: Sample.provenance(dimension: 3))
        let loaded = try collection.loadAll()
        #expect(loaded.count == 0 && loaded.vectors.shape == [0, 3])
        #expect(try VectorSearch(loaded).search(vector: [1, 2, 3], k: 5).isEmpty)
        #expect(try DuplicateFinder().findGroups(in: loaded).isEmpty)
        #expect(throws: SearchError.self) { try KMeans.cluster(loaded.vectors, configuration: .init(k: 1)) }
        #expect(throws: StoreError.noSuchCollection(name: "default", store: store.path)) {
            _ = try store.requireCollection()
        }
    }

    @Test func newerSchemaIsRefused() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let path = folder.file("store.sqlite").path
        do {
            let database = try SQLiteDatabase(path: path)
            try database.execute("PRAGMA user_version = 99")
        }
        #expect(throws: StoreError.unsupportedSchema(store: path, version: 99, supported: 1)) {
            _ = try EmbeddingStore(path: path)
        }
    }

    @Test func defaultPathHonoursTheEnvironment() {
        #expect(EmbeddingStore.defaultPath(environment: ["IMGVEC_STORE": "/x/s.sqlite", "HOME": "/h"]) == "/x/s.sqlite")
        #expect(EmbeddingStore.defaultPath(environment: ["HOME": "/h"]) == "/h/.local/share/imgvec/store.sqlite")
    }
}
