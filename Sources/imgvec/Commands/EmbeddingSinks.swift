import Foundation
import ImgVec

/// Where `imgvec embed` puts each batch of vectors.
protocol EmbeddingSink: AnyObject {
    /// Files skipped because the sink already has them unchanged.
    var skippedCount: Int { get }
    func write(_ batch: [EmbeddedImage]) throws
    /// Completes the output (keeps everything written so far).
    func finish() throws
    /// Gives up after a fatal error.
    func abandon()
}

/// Streams vectors to a .npy/.jsonl/.csv file with flat memory.
final class FileSink: EmbeddingSink {
    private let writer: VectorStreamWriter
    var skippedCount: Int { 0 }

    init(url: URL, dimension: Int) throws {
        writer = try VectorExport.makeWriter(to: url, dimension: dimension)
    }

    func write(_ batch: [EmbeddedImage]) throws {
        let vectors = Tensor(shape: [batch.count, writer.dimension], floats: batch.flatMap(\.vector))
        try writer.append(paths: batch.map(\.record.path), vectors: vectors)
    }

    func finish() throws { try writer.finish() }
    func abandon() { writer.cancel() }
}

/// Writes vectors into a store collection, one transaction per batch.
final class StoreSink: EmbeddingSink {
    private let collection: EmbeddingCollection
    private(set) var skippedCount = 0

    init(store: EmbeddingStore, collection name: String, provenance: CollectionProvenance) throws {
        collection = try store.collection(named: name, provenance: provenance)
    }

    /// Drops the paths whose size and modification time match what the store holds.
    func pathsNeedingWork(_ paths: [String]) -> [String] {
        guard let known = try? collection.knownFiles(), !known.isEmpty else { return paths }
        return paths.filter { path in
            guard let signature = known[path], let stat = FileStat.of(path),
                  signature.matches(byteSize: stat.byteSize, modificationTimeNanoseconds: stat.modificationTimeNanoseconds)
            else { return true }
            skippedCount += 1
            return false
        }
    }

    func write(_ batch: [EmbeddedImage]) throws { try collection.upsert(batch: batch) }
    func finish() throws {}
    func abandon() {}
}
