/// Errors from search, duplicate finding, clustering and export inputs.
public enum SearchError: Error, CustomStringConvertible, Equatable {
    /// A query or matrix has the wrong number of values per vector.
    case dimensionMismatch(what: String, expected: Int, found: Int)
    /// A query path is not in the collection.
    case unknownPath(String)
    /// An argument is out of range (e.g. k larger than the number of vectors).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .dimensionMismatch(what, expected, found):
            return "\(what) has \(found) values per vector, expected \(expected)"
        case let .unknownPath(path): return "\(path): not in the collection (embed it first)"
        case let .invalidArgument(reason): return reason
        }
    }
}
