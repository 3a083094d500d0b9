import CSQLite
import Foundation

/// A compiled SQL statement: bind parameters, step through rows, read columns.
///
/// Parameter and column indices follow SQLite: binds are 1-based, columns 0-based.
/// A statement can be reused: ``reset()`` clears the previous run and its binds.
public final class SQLiteStatement {
    private unowned let database: SQLiteDatabase
    private var handle: OpaquePointer?
    /// The statement's SQL text (for error messages).
    public let sql: String

    /// Tells SQLite to copy bound text and blobs before the bind call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(database: SQLiteDatabase, handle: OpaquePointer, sql: String) {
        self.database = database
        self.handle = handle
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    // MARK: Binding

    /// Binds a 64-bit integer to parameter `index` (1-based).
    public func bind(_ value: Int64, at index: Int32) throws {
        try check(sqlite3_bind_int64(handle, index, value), "bind #\(index)")
    }

    /// Binds an integer to parameter `index` (1-based).
    public func bind(_ value: Int, at index: Int32) throws { try bind(Int64(value), at: index) }

    /// Binds a double to parameter `index` (1-based).
    public func bind(_ value: Double, at index: Int32) throws {
        try check(sqlite3_bind_double(handle, index, value), "bind #\(index)")
    }

    /// Binds UTF-8 text to parameter `index` (1-based).
    public func bind(_ value: String, at index: Int32) throws {
        try check(sqlite3_bind_text(handle, index, value, -1, Self.transient), "bind #\(index)")
    }

    /// Binds bytes as a BLOB to parameter `index` (1-based).
    public func bind(_ value: Data, at index: Int32) throws {
        let code = value.withUnsafeBytes { raw -> Int32 in
            // A zero-length blob still needs a non-null pointer to be a blob, not NULL.
            sqlite3_bind_blob64(handle, index, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1),
                                sqlite3_uint64(raw.count), Self.transient)
        }
        try check(code, "bind #\(index)")
    }

    /// Binds floats as a little-endian float32 BLOB to parameter `index` (1-based).
    public func bind(_ value: [Float], at index: Int32) throws {
        try bind(VectorBlob.encode(value), at: index)
    }

    /// Binds SQL NULL to parameter `index` (1-based).
    public func bindNull(at index: Int32) throws {
        try check(sqlite3_bind_null(handle, index), "bind #\(index)")
    }

    /// Binds an optional integer (NULL when `nil`).
    public func bind(_ value: Int?, at index: Int32) throws {
        if let value { try bind(Int64(value), at: index) } else { try bindNull(at: index) }
    }

    // MARK: Stepping

    /// Advances to the next row. Returns `false` when the statement is done.
    @discardableResult
    public func step() throws -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw database.error(code, "running: \(sql.prefix(80))")
        }
    }

    /// Runs the statement to completion, ignoring rows.
    public func run() throws { while try step() {} }

    /// Clears the previous run and all binds so the statement can run again.
    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Runs the statement and returns column 0 of the first row as text.
    public func singleText() throws -> String? {
        defer { reset() }
        return try step() ? text(at: 0) : nil
    }

    /// Runs the statement and returns column 0 of the first row as an integer.
    public func singleInt64() throws -> Int64? {
        defer { reset() }
        return try step() ? int64(at: 0) : nil
    }

    // MARK: Columns of the current row

    /// Whether column `index` (0-based) is NULL.
    public func isNull(at index: Int32) -> Bool { sqlite3_column_type(handle, index) == SQLITE_NULL }

    /// Column `index` (0-based) as a 64-bit integer.
    public func int64(at index: Int32) -> Int64 { sqlite3_column_int64(handle, index) }

    /// Column `index` (0-based) as an integer, `nil` when NULL.
    public func optionalInt(at index: Int32) -> Int? { isNull(at: index) ? nil : Int(int64(at: index)) }

    /// Column `index` (0-based) as a double.
    public func double(at index: Int32) -> Double { sqlite3_column_double(handle, index) }

    /// Column `index` (0-based) as text ("" when NULL).
    public func text(at index: Int32) -> String {
        guard let pointer = sqlite3_column_text(handle, index) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, index))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    /// Column `index` (0-based) as bytes.
    public func data(at index: Int32) -> Data {
        let count = Int(sqlite3_column_bytes(handle, index))
        guard count > 0, let pointer = sqlite3_column_blob(handle, index) else { return Data() }
        return Data(bytes: pointer, count: count)
    }

    /// Column `index` (0-based), a little-endian float32 BLOB, as floats.
    public func floats(at index: Int32) -> [Float] {
        let count = Int(sqlite3_column_bytes(handle, index))
        guard count > 0, let pointer = sqlite3_column_blob(handle, index) else { return [] }
        return VectorBlob.decode(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    /// Copies column `index` (0-based), a float32 BLOB, into `destination`.
    /// Returns how many floats it held (only `min(held, capacity)` are copied).
    public func copyFloats(at index: Int32, into destination: UnsafeMutablePointer<Float>, capacity: Int) -> Int {
        let count = Int(sqlite3_column_bytes(handle, index))
        guard count > 0, let pointer = sqlite3_column_blob(handle, index) else { return 0 }
        let held = count / 4
        VectorBlob.decode(UnsafeRawBufferPointer(start: pointer, count: min(held, capacity) * 4), into: destination)
        return held
    }

    private func check(_ code: Int32, _ context: String) throws {
        if code != SQLITE_OK { throw database.error(code, "\(context) in: \(sql.prefix(80))") }
    }
}
