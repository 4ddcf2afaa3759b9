import CSQLite

/// An SQLite result code (C API `int` return values), matched by its primary code.
/// Source: SQLite "Result and Error Codes" (sqlite.org/rescode.html).
public struct SQLiteResultCode: RawRepresentable, Equatable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    /// The primary code (the low 8 bits of an extended code).
    public var primary: SQLiteResultCode { SQLiteResultCode(rawValue: rawValue & 0xFF) }

    public static let ok = SQLiteResultCode(rawValue: SQLITE_OK)
    public static let busy = SQLiteResultCode(rawValue: SQLITE_BUSY)
    public static let full = SQLiteResultCode(rawValue: SQLITE_FULL)
    public static let readonly = SQLiteResultCode(rawValue: SQLITE_READONLY)
    public static let row = SQLiteResultCode(rawValue: SQLITE_ROW)
    public static let done = SQLiteResultCode(rawValue: SQLITE_DONE)

    public var description: String { String(cString: sqlite3_errstr(rawValue)) }
}

/// An SQLite failure. Its description names the statement's SQL text and SQLite's message,
/// never bound values (logs are full of mail addresses).
public struct SQLiteError: Error, CustomStringConvertible {
    public let code: SQLiteResultCode
    public let message: String
    public let sql: String?

    public var description: String {
        var text = "SQLite error \(code.rawValue) (\(code)): \(message)"
        if let sql { text += " in: \(sql.prefix(120))" }
        return text
    }
}

/// One SQLite connection (the system libsqlite3). Not thread-safe: one owner at a time.
public final class Database {
    let handle: OpaquePointer
    public let path: String

    /// Opens (and creates, unless `readOnly`) the database at `path`.
    /// - Throws: ``SQLiteError`` when the file cannot be opened.
    public init(path: String, readOnly: Bool = false) throws {
        _ = Database.configureOnce
        var db: OpaquePointer?
        let flags = readOnly
            ? SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX
            : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: SQLiteResultCode(rawValue: rc), message: message, sql: nil)
        }
        self.handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, 5_000)
    }

    deinit { sqlite3_close_v2(handle) }

    /// Process-wide SQLite settings, applied before the first connection.
    private static let configureOnce: Void = {
        _ = mailflow_sqlite_disable_memstatus()
    }()

    /// Runs one or more SQL statements without results.
    /// - Throws: ``SQLiteError``.
    public func execute(_ sql: String) throws {
        var err: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &err)
        if rc != SQLITE_OK {
            let message = err.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(err)
            throw SQLiteError(code: SQLiteResultCode(rawValue: rc), message: message, sql: sql)
        }
    }

    /// Compiles `sql` once for repeated use.
    /// - Throws: ``SQLiteError`` on a syntax error.
    public func prepare(_ sql: String) throws -> Statement {
        try Statement(database: self, sql: sql)
    }

    /// Compiles the first statement of `sql`; returns it (nil for only comments or blanks)
    /// and the text after it.
    /// - Throws: ``SQLiteError`` on a syntax error.
    public func prepareFirst(_ sql: String) throws -> (Statement?, String) {
        var st: OpaquePointer?
        var tailText = ""
        let rc = sql.withCString { base -> Int32 in
            var tail: UnsafePointer<CChar>?
            let rc = sqlite3_prepare_v2(handle, base, -1, &st, &tail)
            if let tail { tailText = String(cString: tail) }
            return rc
        }
        guard rc == SQLITE_OK else { throw error(rc, sql: sql) }
        guard let st else { return (nil, tailText) }
        return (Statement(database: self, handle: st, sql: sql), tailText)
    }

    /// Runs `body` inside `BEGIN IMMEDIATE ... COMMIT`; rolls back if it throws.
    /// - Throws: what `body` throws, or ``SQLiteError``.
    public func transaction<R>(_ body: () throws -> R) throws -> R {
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

    /// Rowid of the last inserted row.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Rows changed by the last statement.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// `PRAGMA user_version`.
    public func userVersion() throws -> Int {
        let st = try prepare("PRAGMA user_version")
        return try st.step() ? Int(st.int64(0)) : 0
    }

    func error(_ rc: Int32, sql: String?) -> SQLiteError {
        SQLiteError(code: SQLiteResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }
}

/// A prepared statement: bind, step, reset. Parameters are 1-based as in the C API.
public final class Statement {
    let handle: OpaquePointer
    unowned let database: Database
    public let sql: String

    init(database: Database, sql: String) throws {
        var st: OpaquePointer?
        let rc = sqlite3_prepare_v3(database.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &st, nil)
        guard rc == SQLITE_OK, let st else { throw database.error(rc, sql: sql) }
        self.handle = st
        self.database = database
        self.sql = sql
    }

    init(database: Database, handle: OpaquePointer, sql: String) {
        self.handle = handle
        self.database = database
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    /// Whether the statement only reads (sqlite3_stmt_readonly).
    public var isReadOnly: Bool { sqlite3_stmt_readonly(handle) != 0 }

    // MARK: Binding

    public func bindNull(_ index: Int32) { _ = sqlite3_bind_null(handle, index) }

    public func bind(_ index: Int32, _ value: Int64?) {
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    public func bind(_ index: Int32, _ value: Int?) { bind(index, value.map(Int64.init)) }

    public func bind(_ index: Int32, _ value: Double) { sqlite3_bind_double(handle, index, value) }

    /// Binds text (copied by SQLite).
    public func bind(_ index: Int32, _ value: String?) {
        guard let value else { sqlite3_bind_null(handle, index); return }
        sqlite3_bind_text(handle, index, value, -1, sqliteTransient)
    }

    /// Binds borrowed UTF-8 bytes without copying (`SQLITE_STATIC`).
    ///
    /// - Warning: the bytes must stay valid until the statement is stepped and reset;
    ///   ``reset()`` clears the bindings. Used for text straight from the scanner's buffer.
    public func bindBorrowed(_ index: Int32, _ bytes: UnsafeRawBufferPointer) {
        if let base = bytes.baseAddress {
            sqlite3_bind_text(handle, index, base.assumingMemoryBound(to: CChar.self), Int32(bytes.count), nil)
        } else {
            sqlite3_bind_text(handle, index, "", 0, nil)
        }
    }

    /// Binds bytes as text, copied by SQLite (`SQLITE_TRANSIENT`).
    public func bindCopy(_ index: Int32, _ bytes: UnsafeRawBufferPointer) {
        let base = bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
        sqlite3_bind_text(handle, index, base.assumingMemoryBound(to: CChar.self), Int32(bytes.count), sqliteTransient)
    }

    public func bindBlob(_ index: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            _ = sqlite3_bind_blob(handle, index, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(raw.count), sqliteTransient)
        }
    }

    // MARK: Running

    /// Steps once. - Returns: true when a row is available. - Throws: ``SQLiteError``.
    @discardableResult
    public func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        throw database.error(rc, sql: sql)
    }

    /// Resets the statement and clears its bindings.
    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Resets the statement for another step, keeping its bindings (the caller binds every
    /// parameter, NULL included, before each step).
    public func resetKeepingBindings() {
        sqlite3_reset(handle)
    }

    /// Steps to completion, then resets. - Throws: ``SQLiteError``.
    public func run() throws {
        defer { reset() }
        while try step() {}
    }

    // MARK: Columns

    public var columnCount: Int32 { sqlite3_column_count(handle) }
    public func columnName(_ i: Int32) -> String { String(cString: sqlite3_column_name(handle, i)) }
    public func isNull(_ i: Int32) -> Bool { sqlite3_column_type(handle, i) == SQLITE_NULL }
    public func columnType(_ i: Int32) -> Int32 { sqlite3_column_type(handle, i) }
    public func int64(_ i: Int32) -> Int64 { sqlite3_column_int64(handle, i) }
    public func int(_ i: Int32) -> Int { Int(sqlite3_column_int64(handle, i)) }
    public func double(_ i: Int32) -> Double { sqlite3_column_double(handle, i) }
    public func optionalInt(_ i: Int32) -> Int? { isNull(i) ? nil : int(i) }
    public func string(_ i: Int32) -> String? {
        guard let p = sqlite3_column_text(handle, i) else { return nil }
        let n = Int(sqlite3_column_bytes(handle, i))
        return String(decoding: UnsafeRawBufferPointer(start: p, count: n), as: UTF8.self)
    }
    public func blob(_ i: Int32) -> [UInt8] {
        let n = Int(sqlite3_column_bytes(handle, i))
        guard n > 0, let p = sqlite3_column_blob(handle, i) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }
}

/// `SQLITE_TRANSIENT`: SQLite copies the bound value.
let sqliteTransient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
