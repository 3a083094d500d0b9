/// Errors of the embedding store other than SQLite's own.
public enum StoreError: Error, CustomStringConvertible, Equatable {
    /// The collection exists with other provenance: its vectors are not comparable with this run's.
    case provenanceMismatch(collection: String, stored: CollectionProvenance, requested: CollectionProvenance,
                            differing: [String])
    /// A vector's length differs from the collection's dimension.
    case dimensionMismatch(collection: String, path: String, expected: Int, found: Int)
    /// No collection of that name exists.
    case noSuchCollection(name: String, store: String)
    /// The store file was written by a newer imgvec.
    case unsupportedSchema(store: String, version: Int, supported: Int)

    public var description: String {
        switch self {
        case let .provenanceMismatch(name, stored, requested, differing):
            return "collection '\(name)' holds vectors from \(stored.summary); this run uses "
                + "\(requested.summary) (differs in: \(differing.joined(separator: ", "))): "
                + "use --collection NAME or a new --store"
        case let .dimensionMismatch(name, path, expected, found):
            return "\(path): vector has \(found) values but collection '\(name)' holds \(expected)-dimensional vectors"
        case let .noSuchCollection(name, store):
            return "\(store): no collection named '\(name)'"
        case let .unsupportedSchema(store, version, supported):
            return "\(store): store schema version \(version) is newer than this imgvec supports (\(supported)); upgrade imgvec"
        }
    }
}
