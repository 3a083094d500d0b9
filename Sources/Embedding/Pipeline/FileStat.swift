import Foundation

/// A file's size and modification time, read without opening it: what incremental
/// runs compare with the store to skip unchanged files.
public struct FileStat: Equatable, Sendable {
    public var byteSize: Int64
    /// Modification time in nanoseconds since 1970.
    public var modificationTimeNanoseconds: Int64

    public init(byteSize: Int64, modificationTimeNanoseconds: Int64) {
        self.byteSize = byteSize
        self.modificationTimeNanoseconds = modificationTimeNanoseconds
    }

    /// The stat of `path`, or `nil` when it does not exist or is not readable.
    public static func of(_ path: String) -> FileStat? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let size = attributes[.size] as? NSNumber, let date = attributes[.modificationDate] as? Date else { return nil }
        return FileStat(byteSize: size.int64Value, modificationTimeNanoseconds: Int64((date.timeIntervalSince1970 * 1e9).rounded()))
    }
}
