/// The database schema (`schema.sql` at the repository root, embedded in the binary) and
/// its version, `PRAGMA user_version`.
public enum Schema {
    /// Schema version this build writes.
    public static let version = 2

    /// The text of `schema.sql`.
    public static var sql: String { String(decoding: PackageResources.schema_sql, as: UTF8.self) }

    /// Errors about the database as a whole.
    public enum Failure: Error, CustomStringConvertible {
        /// The database was written by a newer mailflow.
        case newerVersion(path: String, found: Int, supported: Int)
        /// The file is an SQLite database of another program.
        case notMailflow(path: String)

        public var description: String {
            switch self {
            case let .newerVersion(path, found, supported):
                return "\(path): database schema version \(found) is newer than this mailflow supports (\(supported)); upgrade mailflow or use another --db"
            case let .notMailflow(path):
                return "\(path): an SQLite database of another program (it has tables but no mailflow schema); give mailflow its own --db"
            }
        }
    }

    /// Sets the connection up for writing and creates or migrates the schema in place,
    /// inside a transaction.
    /// - Throws: ``Failure/newerVersion(path:found:supported:)``, ``SQLiteError``.
    public static func prepareForWriting(_ db: Database) throws {
        // Refuse another program's database before changing anything in it.
        let found = try db.userVersion()
        if found == 0, try hasForeignTables(db) { throw Failure.notMailflow(path: db.path) }
        if found > version { throw Failure.newerVersion(path: db.path, found: found, supported: version) }
        // 8 KiB pages for a new file (no effect on an existing one): fewer, fuller pages
        // for the append-mostly event table.
        if found == 0 { try db.execute("PRAGMA page_size=8192") }
        try db.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF;")
        try db.execute("PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;")
        if found < version {
            try db.transaction {
                if found >= 1 { try migrate(db, from: found) }
                try db.execute(sql)
            }
        }
    }

    /// In-place migrations from earlier versions (inside the caller's transaction). The
    /// views are dropped first and recreated from `schema.sql` afterwards.
    static func migrate(_ db: Database, from found: Int) throws {
        let views = try db.prepare("SELECT name FROM sqlite_schema WHERE type = 'view'")
        var names: [String] = []
        while try views.step() { names.append(views.string(0) ?? "") }
        for name in names where !name.isEmpty { try db.execute("DROP VIEW \"\(name)\"") }
        if found < 2 {
            // 1 -> 2: every format. message.message_id may be NULL (Postfix: queue id
            // known first), message.queue_id; delivery.last_deferral_ms, last_status_id,
            // source; source_file.skipped and time_rule.
            try db.execute("""
                CREATE TABLE message_v2 (
                    id INTEGER PRIMARY KEY, message_id TEXT, msg_key INTEGER NOT NULL,
                    first_ms INTEGER NOT NULL, queue_id TEXT) STRICT;
                INSERT INTO message_v2(id, message_id, msg_key, first_ms) SELECT id, message_id, msg_key, first_ms FROM message;
                DROP TABLE message;
                ALTER TABLE message_v2 RENAME TO message;
                ALTER TABLE delivery ADD COLUMN last_deferral_ms INTEGER;
                ALTER TABLE delivery ADD COLUMN last_status_id INTEGER;
                ALTER TABLE delivery ADD COLUMN source TEXT;
                ALTER TABLE source_file ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE source_file ADD COLUMN time_rule TEXT;
                """)
        }
    }

    private static func hasForeignTables(_ db: Database) throws -> Bool {
        let tables = try db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        return try tables.step() && tables.int(0) > 0
    }

    /// Checks a database opened for reading.
    /// - Throws: ``Failure/newerVersion(path:found:supported:)``, ``SQLiteError``.
    public static func checkReadable(_ db: Database) throws {
        let found = try db.userVersion()
        if found > version { throw Failure.newerVersion(path: db.path, found: found, supported: version) }
        if found == 0, try hasForeignTables(db) { throw Failure.notMailflow(path: db.path) }
    }
}
