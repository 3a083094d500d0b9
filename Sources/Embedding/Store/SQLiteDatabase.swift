import CSQLite
import Foundation

/// One connection to a SQLite database file.
///
/// A thin wrapper: C types stay inside this file and ``SQLiteStatement``.
/// The connection is opened in serialized mode, but callers should use it from
/// one thread at a time (statements are not shared). Closing a connection while a
/// transaction is open rolls the transaction back, exactly as a crash would.
public final class SQLiteDatabase {
    /// The database file.
    public let path: String
    var handle: OpaquePointer?

    /// Opens (creating if needed) the database at `path`, creating parent folders.
    ///
    /// - Parameters:
    ///   - busyTimeout: how long to wait for another process's lock before failing.
    ///   - readOnly: open without write access (the file must exist).
    public init(path: String, busyTimeout: TimeInterval = 10, readOnly: Bool = false) throws {
        self.path = path
        if !readOnly {
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
            try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
            | SQLITE_OPEN_FULLMUTEX
        var db: OpaquePointer?
        let code = sqlite3_open_v2(path, &db, flags, nil)
        guard code == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_close_v2(db)
            throw SQLiteError(path: path, code: code, message: "cannot open database: \(message)")
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, Int32(clamping: Int(busyTimeout * 1000)))
    }

    deinit { close() }

    /// Closes the connection; an open transaction is rolled back. Safe to call twice.
    public func close() {
        guard let db = handle else { return }
        handle = nil
        sqlite3_close_v2(db)
    }

    /// Whether ``close()`` has not been called yet.
    public var isOpen: Bool { handle != nil }

    /// Switches to write-ahead logging with `synchronous=NORMAL`: commits are
    /// atomic and durable across process crashes, readers never block the writer.
    public func enableWriteAheadLog() throws {
        let mode = try prepare("PRAGMA journal_mode=WAL").singleText()
        guard mode?.lowercased() == "wal" else {
            throw SQLiteError(path: path, code: SQLITE_ERROR, message: "cannot enable WAL (journal mode is \(mode ?? "?"))")
        }
        try execute("PRAGMA synchronous=NORMAL")
    }

    /// Runs one or more statements that return no rows.
    public func execute(_ sql: String) throws {
        let db = try openHandle()
        var errorMessage: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(db, sql, nil, nil, &errorMessage)
        if code != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_free(errorMessage)
            throw SQLiteError(path: path, code: code, message: "\(message) (in: \(sql.prefix(80)))")
        }
    }

    /// Compiles `sql` into a statement. Bind with `?` placeholders (1-based).
    public func prepare(_ sql: String) throws -> SQLiteStatement {
        let db = try openHandle()
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v2(db, sql, -1, &statement, nil)
        guard code == SQLITE_OK, let statement else {
            throw error(code, "cannot prepare: \(sql.prefix(80))")
        }
        return SQLiteStatement(database: self, handle: statement, sql: sql)
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`; rolls back if `body` throws.
    ///
    /// Everything `body` writes becomes visible atomically, or not at all.
    @discardableResult
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Runs `body` inside a deferred transaction so all its reads see one snapshot.
    @discardableResult
    public func readTransaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN DEFERRED")
        defer { try? execute("COMMIT") }
        return try body()
    }

    /// The rowid of the most recent successful INSERT on this connection.
    public var lastInsertedRowID: Int64 { handle.map { sqlite3_last_insert_rowid($0) } ?? 0 }

    /// Rows changed by the most recent INSERT, UPDATE or DELETE.
    public var changes: Int { handle.map { Int(sqlite3_changes($0)) } ?? 0 }

    /// The SQLite library version, e.g. "3.40.1".
    public static var libraryVersion: String { String(cString: sqlite3_libversion()) }

    func openHandle() throws -> OpaquePointer {
        guard let db = handle else {
            throw SQLiteError(path: path, code: SQLITE_MISUSE, message: "database is closed")
        }
        return db
    }

    /// An error carrying SQLite's current message for this connection.
    func error(_ code: Int32, _ context: String) -> SQLiteError {
        let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
        return SQLiteError(path: path, code: code, message: "\(message) (\(context))")
    }
}
