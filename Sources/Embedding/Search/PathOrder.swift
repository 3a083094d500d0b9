/// The order paths are listed and ties are broken in: byte-wise UTF-8,
/// the same as SQLite's default BINARY collation used by the store.
public enum PathOrder {
    /// Whether `a` comes before `b`.
    @inlinable
    public static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}
