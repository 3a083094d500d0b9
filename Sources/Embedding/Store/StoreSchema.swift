/// The store's tables, versioned with `PRAGMA user_version`.
///
/// Version 1:
/// - `collections`: one row per collection, its provenance fixed at creation.
/// - `images`: one row per (collection, path) with file facts and the vector as a
///   little-endian float32 BLOB (last column, so listing files never reads vectors).
enum StoreSchema {
    /// The version this code writes.
    static let currentVersion = 1

    static let version1 = """
    CREATE TABLE IF NOT EXISTS collections (
        id            INTEGER PRIMARY KEY,
        name          TEXT    NOT NULL UNIQUE,
        model_sha256  TEXT    NOT NULL,
        model_name    TEXT    NOT NULL,
        recipe_name   TEXT    NOT NULL,
        recipe_json   TEXT    NOT NULL,
        output_node   TEXT    NOT NULL,
        pooling       TEXT    NOT NULL,
        normalized    INTEGER NOT NULL,
        dimension     INTEGER NOT NULL,
        created_at    REAL    NOT NULL
    );
    CREATE TABLE IF NOT EXISTS images (
        id             INTEGER PRIMARY KEY,
        collection_id  INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
        path           TEXT    NOT NULL,
        byte_size      INTEGER NOT NULL,
        mtime_ns       INTEGER NOT NULL,
        sha256         TEXT    NOT NULL,
        width          INTEGER,
        height         INTEGER,
        embedded_at    REAL    NOT NULL,
        vector         BLOB    NOT NULL,
        UNIQUE (collection_id, path)
    );
    """

    /// Creates or upgrades the schema of `database` to ``currentVersion``.
    static func migrate(_ database: SQLiteDatabase) throws {
        let version = Int(try database.prepare("PRAGMA user_version").singleInt64() ?? 0)
        if version > currentVersion {
            throw StoreError.unsupportedSchema(store: database.path, version: version, supported: currentVersion)
        }
        guard version < currentVersion else { return }
        try database.transaction {
            if version < 1 { try database.execute(version1) }
            try database.execute("PRAGMA user_version = \(currentVersion)")
        }
    }
}
