import Foundation

/// What the store knows about one image file (everything but its vector).
public struct ImageRecord: Equatable, Sendable {
    /// The image's path as the caller names it (unique within a collection).
    public var path: String
    /// File size in bytes.
    public var byteSize: Int64
    /// Modification time in nanoseconds since 1970.
    public var modificationTimeNanoseconds: Int64
    /// SHA-256 of the file's bytes, lowercase hex.
    public var contentSHA256: String
    /// Pixel width, when known.
    public var width: Int?
    /// Pixel height, when known.
    public var height: Int?
    /// When the vector was computed (set by the store on write).
    public var embeddedAt: Date?

    public init(path: String, byteSize: Int64, modificationTimeNanoseconds: Int64, contentSHA256: String,
                width: Int? = nil, height: Int? = nil, embeddedAt: Date? = nil) {
        self.path = path
        self.byteSize = byteSize
        self.modificationTimeNanoseconds = modificationTimeNanoseconds
        self.contentSHA256 = contentSHA256
        self.width = width
        self.height = height
        self.embeddedAt = embeddedAt
    }

    /// `width * height`, or 0 when unknown.
    public var pixelCount: Int { (width ?? 0) * (height ?? 0) }

    /// The file's identity for incremental runs.
    public var signature: FileSignature {
        FileSignature(byteSize: byteSize, modificationTimeNanoseconds: modificationTimeNanoseconds,
                      contentSHA256: contentSHA256)
    }
}

/// One image and its vector, as written by ``EmbeddingCollection/upsert(batch:)``.
public struct EmbeddedImage: Sendable {
    public var record: ImageRecord
    /// The vector; its count must equal the collection's dimension.
    public var vector: [Float]

    public init(record: ImageRecord, vector: [Float]) {
        self.record = record
        self.vector = vector
    }
}

/// The size, modification time and hash the store remembers for a path.
public struct FileSignature: Equatable, Hashable, Sendable {
    public var byteSize: Int64
    public var modificationTimeNanoseconds: Int64
    public var contentSHA256: String

    public init(byteSize: Int64, modificationTimeNanoseconds: Int64, contentSHA256: String) {
        self.byteSize = byteSize
        self.modificationTimeNanoseconds = modificationTimeNanoseconds
        self.contentSHA256 = contentSHA256
    }

    /// Whether a file with this size and mtime is unchanged since it was embedded.
    public func matches(byteSize size: Int64, modificationTimeNanoseconds mtime: Int64) -> Bool {
        byteSize == size && modificationTimeNanoseconds == mtime
    }
}
