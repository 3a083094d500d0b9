import Foundation

/// A single SQLite file holding named collections of image vectors.
///
/// The file is opened in WAL mode with `synchronous=NORMAL`: each
/// ``EmbeddingCollection/upsert(batch:)`` is one transaction, so a process killed
/// at any moment leaves every batch either fully written or absent.
///
/// The CLI's default location is `$IMGVEC_STORE` when set, otherwise
/// `~/.local/share/imgvec/store.sqlite` (see ``defaultPath(environment:)``).
/// An `EmbeddingStore` is used from one thread at a time.
public final class EmbeddingStore {
    /// The connection (exposed for tools and tests; prefer the typed API).
    public let database: SQLiteDatabase
    /// The store file's path.
    public var path: String { database.path }

    /// Opens or creates the store at `path`, creating parent folders and the schema.
    public init(path: String, busyTimeout: TimeInterval = 10) throws {
        database = try SQLiteDatabase(path: path, busyTimeout: busyTimeout)
        try database.enableWriteAheadLog()
        try database.execute("PRAGMA foreign_keys=ON")
        try StoreSchema.migrate(database)
    }

    /// The CLI default: `$IMGVEC_STORE`, else `~/.local/share/imgvec/store.sqlite`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit = environment["IMGVEC_STORE"], !explicit.isEmpty { return explicit }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? FileManager.default.homeDirectoryForCurrentUser.path
        return home + "/.local/share/imgvec/store.sqlite"
    }

    /// Closes the file. Later calls throw.
    public func close() { database.close() }

    /// The collection `name`, created with `provenance` when absent.
    ///
    /// - Throws: ``StoreError/provenanceMismatch(collection:stored:requested:differing:)`` when the
    ///   collection exists with different provenance (the message says what differs).
    public func collection(named name: String = "default", provenance: CollectionProvenance) throws -> EmbeddingCollection {
        try database.transaction {
            if let existing = try existingCollection(named: name) {
                let differing = existing.provenance.differences(from: provenance)
                guard differing.isEmpty else {
                    throw StoreError.provenanceMismatch(collection: name, stored: existing.provenance,
                                                        requested: provenance, differing: differing)
                }
                return existing
            }
            let created = Date()
            let insert = try database.prepare("""
                INSERT INTO collections (name, model_sha256, model_name, recipe_name, recipe_json,
                    output_node, pooling, normalized, dimension, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            try insert.bind(name, at: 1)
            try insert.bind(provenance.modelSHA256.lowercased(), at: 2)
            try insert.bind(provenance.modelName, at: 3)
            try insert.bind(provenance.recipeName, at: 4)
            try insert.bind(provenance.recipeJSON, at: 5)
            try insert.bind(provenance.outputNode, at: 6)
            try insert.bind(provenance.pooling, at: 7)
            try insert.bind(provenance.normalized ? 1 : 0, at: 8)
            try insert.bind(provenance.dimension, at: 9)
            try insert.bind(created.timeIntervalSince1970, at: 10)
            try insert.run()
            var stored = provenance
            stored.createdAt = created
            return EmbeddingCollection(store: self, id: database.lastInsertedRowID, name: name, provenance: stored)
        }
    }

    /// The collection `name` if it exists (for read-only commands: search, dedup, export, stats).
    public func existingCollection(named name: String) throws -> EmbeddingCollection? {
        try allCollections().first { $0.name == name }
    }

    /// The collection `name`, or a ``StoreError/noSuchCollection(name:store:)`` error.
    public func requireCollection(named name: String = "default") throws -> EmbeddingCollection {
        guard let found = try existingCollection(named: name) else {
            throw StoreError.noSuchCollection(name: name, store: path)
        }
        return found
    }

    /// Every collection, by name.
    public func allCollections() throws -> [EmbeddingCollection] {
        let query = try database.prepare("""
            SELECT id, name, model_sha256, model_name, recipe_name, recipe_json, output_node, pooling,
                   normalized, dimension, created_at FROM collections ORDER BY name
            """)
        var result: [EmbeddingCollection] = []
        while try query.step() {
            let provenance = CollectionProvenance(
                modelSHA256: query.text(at: 2), modelName: query.text(at: 3), recipeName: query.text(at: 4),
                recipeJSON: query.text(at: 5), outputNode: query.text(at: 6), pooling: query.text(at: 7),
                normalized: query.int64(at: 8) != 0, dimension: Int(query.int64(at: 9)),
                createdAt: Date(timeIntervalSince1970: query.double(at: 10)))
            result.append(EmbeddingCollection(store: self, id: query.int64(at: 0), name: query.text(at: 1),
                                              provenance: provenance))
        }
        return result
    }

    /// Deletes collection `name` and all its images. Returns whether it existed.
    @discardableResult
    public func deleteCollection(named name: String) throws -> Bool {
        try database.transaction {
            let delete = try database.prepare("DELETE FROM collections WHERE name = ?")
            try delete.bind(name, at: 1)
            try delete.run()
            return database.changes > 0
        }
    }
}
