/// A failure reported by SQLite, naming the database file and SQLite's own message.
public struct SQLiteError: Error, CustomStringConvertible, Equatable {
    /// The database file the failure happened in.
    public let path: String
    /// SQLite's result code (`SQLITE_BUSY` = 5, `SQLITE_CONSTRAINT` = 19, ...).
    public let code: Int32
    /// SQLite's message, plus what the wrapper was doing.
    public let message: String

    public init(path: String, code: Int32, message: String) {
        self.path = path
        self.code = code
        self.message = message
    }

    public var description: String { "SQLite error \(code) in \(path): \(message)" }
}
