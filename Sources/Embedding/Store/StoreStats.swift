import Foundation

/// A summary of a store for `imgvec stats`.
public struct StoreStats {
    /// One collection's summary.
    public struct Collection {
        public let name: String
        public let provenance: CollectionProvenance
        public let imageCount: Int
        /// Images whose width and height are known.
        public let imagesWithSize: Int
        /// Floats per vector.
        public var dimension: Int { provenance.dimension }
    }

    /// The store file.
    public let path: String
    /// Bytes on disk: the database file plus its write-ahead log.
    public let fileSizeBytes: Int64
    /// `PRAGMA user_version` of the file.
    public let schemaVersion: Int
    /// Every collection, by name.
    public let collections: [Collection]
    /// Images across all collections.
    public var totalImages: Int { collections.reduce(0) { $0 + $1.imageCount } }
}

extension EmbeddingStore {
    /// Counts, collections with their provenance, dimensions and the file size.
    public func stats() throws -> StoreStats {
        try database.readTransaction {
            var summaries: [StoreStats.Collection] = []
            let counts = try database.prepare("""
                SELECT COUNT(*), COUNT(width * height) FROM images WHERE collection_id = ?
                """)
            for collection in try allCollections() {
                try counts.bind(collection.id, at: 1)
                _ = try counts.step()
                summaries.append(.init(name: collection.name, provenance: collection.provenance,
                                       imageCount: Int(counts.int64(at: 0)),
                                       imagesWithSize: Int(counts.int64(at: 1))))
                counts.reset()
            }
            let version = Int(try database.prepare("PRAGMA user_version").singleInt64() ?? 0)
            return StoreStats(path: path, fileSizeBytes: Self.fileSize(path) + Self.fileSize(path + "-wal"),
                              schemaVersion: version, collections: summaries)
        }
    }

    private static func fileSize(_ path: String) -> Int64 {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        return (attributes?[.size] as? NSNumber)?.int64Value ?? 0
    }
}
