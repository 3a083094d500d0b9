import Foundation
import Tensor

/// One named collection in an ``EmbeddingStore``: images and their vectors.
///
/// Get one from ``EmbeddingStore/collection(named:provenance:)`` (embed) or
/// ``EmbeddingStore/requireCollection(named:)`` (read-only commands).
public final class EmbeddingCollection {
    /// The store this collection lives in.
    public let store: EmbeddingStore
    /// The collection's row id.
    public let id: Int64
    /// The collection's name.
    public let name: String
    /// How its vectors were made.
    public let provenance: CollectionProvenance
    /// Floats per vector.
    public var dimension: Int { provenance.dimension }

    var database: SQLiteDatabase { store.database }

    init(store: EmbeddingStore, id: Int64, name: String, provenance: CollectionProvenance) {
        self.store = store
        self.id = id
        self.name = name
        self.provenance = provenance
    }

    // MARK: Writing

    /// Writes a batch of images and vectors in ONE transaction.
    ///
    /// A path already present is replaced in place (same row, new facts and vector),
    /// so re-running never duplicates. After a crash at any moment, the batch is
    /// either fully present or fully absent.
    public func upsert(batch: [EmbeddedImage]) throws {
        guard !batch.isEmpty else { return }
        for item in batch where item.vector.count != dimension {
            throw StoreError.dimensionMismatch(collection: name, path: item.record.path,
                                               expected: dimension, found: item.vector.count)
        }
        try database.transaction { try writeRows(batch) }
    }

    /// Writes rows without a transaction of its own (the caller holds one).
    func writeRows(_ batch: [EmbeddedImage]) throws {
        let statement = try database.prepare("""
            INSERT INTO images (collection_id, path, byte_size, mtime_ns, sha256, width, height, embedded_at, vector)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (collection_id, path) DO UPDATE SET
                byte_size = excluded.byte_size, mtime_ns = excluded.mtime_ns, sha256 = excluded.sha256,
                width = excluded.width, height = excluded.height, embedded_at = excluded.embedded_at,
                vector = excluded.vector
            """)
        let now = Date().timeIntervalSince1970
        for item in batch {
            let record = item.record
            try statement.bind(id, at: 1)
            try statement.bind(record.path, at: 2)
            try statement.bind(record.byteSize, at: 3)
            try statement.bind(record.modificationTimeNanoseconds, at: 4)
            try statement.bind(record.contentSHA256.lowercased(), at: 5)
            try statement.bind(record.width, at: 6)
            try statement.bind(record.height, at: 7)
            try statement.bind(record.embeddedAt?.timeIntervalSince1970 ?? now, at: 8)
            try statement.bind(item.vector, at: 9)
            try statement.run()
            statement.reset()
        }
    }

    /// Removes `paths` (absent ones are ignored). Returns how many rows were deleted.
    @discardableResult
    public func remove(paths: [String]) throws -> Int {
        try database.transaction {
            let delete = try database.prepare("DELETE FROM images WHERE collection_id = ? AND path = ?")
            var removed = 0
            for path in paths {
                try delete.bind(id, at: 1)
                try delete.bind(path, at: 2)
                try delete.run()
                removed += database.changes
                delete.reset()
            }
            return removed
        }
    }

    // MARK: Incremental runs

    /// Whether the file must be (re-)embedded: it is unknown, or its size or mtime changed.
    public func needsEmbedding(path: String, byteSize: Int64, modificationTimeNanoseconds: Int64) throws -> Bool {
        let query = try database.prepare(
            "SELECT byte_size, mtime_ns FROM images WHERE collection_id = ? AND path = ?")
        try query.bind(id, at: 1)
        try query.bind(path, at: 2)
        guard try query.step() else { return true }
        return query.int64(at: 0) != byteSize || query.int64(at: 1) != modificationTimeNanoseconds
    }

    /// Every stored path with its size, mtime and hash: one query for a whole folder scan.
    /// A file needs embedding when its path is absent or `!signature.matches(byteSize:modificationTimeNanoseconds:)`.
    public func knownFiles() throws -> [String: FileSignature] {
        let query = try database.prepare(
            "SELECT path, byte_size, mtime_ns, sha256 FROM images WHERE collection_id = ?")
        try query.bind(id, at: 1)
        var result: [String: FileSignature] = [:]
        while try query.step() {
            result[query.text(at: 0)] = FileSignature(byteSize: query.int64(at: 1),
                                                      modificationTimeNanoseconds: query.int64(at: 2),
                                                      contentSHA256: query.text(at: 3))
        }
        return result
    }

    // MARK: Reading

    /// Number of images stored.
    public func count() throws -> Int {
        let query = try database.prepare("SELECT COUNT(*) FROM images WHERE collection_id = ?")
        try query.bind(id, at: 1)
        return Int(try query.singleInt64() ?? 0)
    }

    /// All image records (no vectors), in path order (byte-wise UTF-8).
    public func records() throws -> [ImageRecord] {
        let query = try database.prepare("""
            SELECT path, byte_size, mtime_ns, sha256, width, height, embedded_at
            FROM images WHERE collection_id = ? ORDER BY path
            """)
        try query.bind(id, at: 1)
        var result: [ImageRecord] = []
        while try query.step() { result.append(Self.record(from: query)) }
        return result
    }

    /// The stored vector for `path`, or `nil` when the path is not stored.
    public func vector(for path: String) throws -> [Float]? {
        let query = try database.prepare("SELECT vector FROM images WHERE collection_id = ? AND path = ?")
        try query.bind(id, at: 1)
        try query.bind(path, at: 2)
        return try query.step() ? query.floats(at: 0) : nil
    }

    /// Every record and vector, in path order, vectors as one contiguous `[N, D]` float32 tensor.
    public func loadAll() throws -> StoredVectors {
        try database.readTransaction {
            let total = try count()
            let vectors = Tensor(zeros: [total, dimension])
            let query = try database.prepare("""
                SELECT path, byte_size, mtime_ns, sha256, width, height, embedded_at, vector
                FROM images WHERE collection_id = ? ORDER BY path
                """)
            try query.bind(id, at: 1)
            var records: [ImageRecord] = []
            records.reserveCapacity(total)
            let base = vectors.floatPointer
            while try query.step() {
                let record = Self.record(from: query)
                guard records.count < total else { break }
                let held = query.copyFloats(at: 7, into: base + records.count * dimension, capacity: dimension)
                if held != dimension {
                    throw StoreError.dimensionMismatch(collection: name, path: record.path,
                                                       expected: dimension, found: held)
                }
                records.append(record)
            }
            return StoredVectors(records: records, vectors: vectors)
        }
    }

    private static func record(from query: SQLiteStatement) -> ImageRecord {
        ImageRecord(path: query.text(at: 0), byteSize: query.int64(at: 1),
                    modificationTimeNanoseconds: query.int64(at: 2), contentSHA256: query.text(at: 3),
                    width: query.optionalInt(at: 4), height: query.optionalInt(at: 5),
                    embeddedAt: Date(timeIntervalSince1970: query.double(at: 6)))
    }
}

/// A collection read into memory: records and vectors row for row, in path order.
public struct StoredVectors {
    /// One record per row of ``vectors``.
    public let records: [ImageRecord]
    /// `[N, D]` float32, row `i` belongs to `records[i]`.
    public let vectors: Tensor
    /// The paths, row for row.
    public var paths: [String] { records.map(\.path) }
    /// Number of rows.
    public var count: Int { records.count }
}
