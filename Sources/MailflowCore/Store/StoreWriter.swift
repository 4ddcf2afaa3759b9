import CSQLite
import MailflowScanner
#if canImport(Glibc)
import Glibc
#endif

/// Counts for one ingested input.
public struct FileStats: Sendable, Equatable {
    public var records = 0
    public var events = 0
    public var rejected = 0
    public var issues = 0
    public var firstMs: Int64?
    public var lastMs: Int64?
    public var bytesScanned: Int64 = 0

    public init() {}

    mutating func noteTime(_ ms: Int64) {
        if firstMs.map({ ms < $0 }) ?? true { firstMs = ms }
        if lastMs.map({ ms > $0 }) ?? true { lastMs = ms }
    }
}

/// Writes the events of one input at a time into the database: prepared statements,
/// text bound straight from the scanner's bytes, interned connectors and domains,
/// daily rollups kept in memory and merged at the end of the file.
///
/// The caller owns the transaction (one per file): ``beginFile(...)`` after `BEGIN`,
/// ``finishFile(stats:)`` before `COMMIT`.
final class StoreWriter: EventSink {
    private let db: Database
    private let insertEvent: Statement
    private let insertIssue: Statement
    private let earlierCause: Statement
    private var connectors: InternTable
    private var domains: InternTable
    private var fileID: Int64 = 0

    private struct RollupKey: Hashable {
        var day: Int32
        var kind: UInt8
        var connector: Int64
        var code: UInt32
    }

    private final class RollupCounter {
        var events = 0
        var messages = Set<UInt64>()
        var code: EnhancedStatusCode?
    }

    private var rollups: [RollupKey: RollupCounter] = [:]
    private var lastDeferralCause: [UInt64: String] = [:]
    private var domainScratch = [UInt8](repeating: 0, count: 512)
    private var codeScratch = [UInt8](repeating: 0, count: 16)

    init(database: Database) throws {
        db = database
        insertEvent = try db.prepare("""
            INSERT INTO event(file_id, line, time_ms, kind, raw_event, source, connector_id, message_id,
                              msg_key, sender, recipient, domain_id, reply_code, enhanced_code, root_cause,
                              status_text, remote_host, remote_ip)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
            """)
        insertIssue = try db.prepare("""
            INSERT INTO parse_issue(file_id, line, byte_offset, kind, sample, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            """)
        earlierCause = try db.prepare("""
            SELECT root_cause FROM event
            WHERE msg_key = ?1 AND message_id = ?2 AND recipient IS ?3 AND kind = 4 AND time_ms <= ?4
            ORDER BY time_ms DESC, id DESC LIMIT 1
            """)
        connectors = try InternTable(db: db, table: "connector")
        domains = try InternTable(db: db, table: "domain")
    }

    /// Registers an input; must run inside the file's transaction.
    func beginFile(path: String, fingerprint: String, size: Int64, format: String, encoding: String, compression: String) throws {
        let st = try db.prepare("""
            INSERT INTO source_file(path, fingerprint, size, format, encoding, compression, ingested_ms)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            """)
        st.bind(1, path)
        st.bind(2, fingerprint)
        st.bind(3, size)
        st.bind(4, format)
        st.bind(5, encoding)
        st.bind(6, compression)
        st.bind(7, currentTimeMs())
        try st.run()
        fileID = db.lastInsertRowID
        rollups.removeAll(keepingCapacity: true)
    }

    /// Updates the encoding once the scanner has seen the first bytes.
    func setEncoding(_ encoding: String) throws {
        let st = try db.prepare("UPDATE source_file SET encoding = ?1 WHERE id = ?2")
        st.bind(1, encoding)
        st.bind(2, fileID)
        try st.run()
    }

    func write(_ e: inout DeliveryEvent) throws {
        let st = insertEvent
        defer { st.reset() }
        st.bind(1, fileID)
        st.bind(2, Int64(e.line))
        st.bind(3, e.timeMs)
        st.bind(4, Int64(e.kind.rawValue))
        bindText(st, 5, e.rawEvent)
        bindText(st, 6, e.source)
        let connectorID = e.connector.isEmpty ? 0 : try connectors.id(for: e.connector)
        if connectorID != 0 { st.bind(7, connectorID) }
        var msgKey: UInt64 = 0
        if !e.messageID.isEmpty {
            msgKey = fnv1a64(e.messageID)
            st.bindBorrowed(8, e.messageID)
            st.bind(9, Int64(bitPattern: msgKey))
        }
        bindText(st, 10, e.sender)
        if let recipient = e.recipient, !recipient.isEmpty {
            st.bindBorrowed(11, recipient)
            if let domainID = try domainID(of: recipient) { st.bind(12, domainID) }
        }
        if let reply = e.replyCode { st.bind(13, Int64(reply)) }
        if let code = e.enhancedCode {
            codeScratch.withUnsafeMutableBufferPointer { out in
                let n = code.write(into: out.baseAddress!)
                st.bindCopy(14, UnsafeRawBufferPointer(start: out.baseAddress!, count: n))
            }
        }
        if e.needsEarlierCause {
            e.rootCause = try resolveEarlierCause(e, msgKey: msgKey)
        }
        if let cause = e.rootCause { st.bind(15, cause) }
        bindText(st, 16, e.statusText)
        bindText(st, 17, e.remoteHost)
        bindText(st, 18, e.remoteIP)
        try st.step()

        if e.kind == .deferred, msgKey != 0, let cause = e.rootCause {
            lastDeferralCause[pairKey(msgKey, e.recipient)] = cause
        }
        noteRollup(e, connectorID: connectorID, msgKey: msgKey)
    }

    /// Forgets what the cache knows after a rolled-back file.
    func discardCaches() {
        connectors.clear()
        domains.clear()
        lastDeferralCause.removeAll()
        rollups.removeAll()
    }

    /// Stores a parse issue of the current file.
    func addIssue(_ issue: ScanIssue) throws {
        let st = insertIssue
        st.bind(1, fileID)
        st.bind(2, Int64(issue.line))
        st.bind(3, issue.lineOffset)
        st.bind(4, issue.kind.rawValue)
        st.bindBlob(5, issue.sample)
        st.bind(6, issue.detail)
        try st.run()
    }

    /// Writes the file's counts and merges its rollups; must run inside its transaction.
    func finishFile(stats: FileStats) throws {
        let st = try db.prepare("""
            UPDATE source_file SET bytes_scanned = ?2, records = ?3, events = ?4, rejected = ?5, issues = ?6,
                   first_ms = ?7, last_ms = ?8, ingested_ms = ?9 WHERE id = ?1
            """)
        st.bind(1, fileID)
        st.bind(2, stats.bytesScanned)
        st.bind(3, Int64(stats.records))
        st.bind(4, Int64(stats.events))
        st.bind(5, Int64(stats.rejected))
        st.bind(6, Int64(stats.issues))
        st.bind(7, stats.firstMs)
        st.bind(8, stats.lastMs)
        st.bind(9, currentTimeMs())
        try st.run()
        try mergeRollups()
    }

    // MARK: - Rollups

    private func noteRollup(_ e: DeliveryEvent, connectorID: Int64, msgKey: UInt64) {
        let key = RollupKey(
            day: Int32(Timestamp.dayNumber(e.timeMs)), kind: UInt8(e.kind.rawValue), connector: connectorID,
            code: e.enhancedCode?.packed ?? 0)
        let counter: RollupCounter
        if let existing = rollups[key] {
            counter = existing
        } else {
            counter = RollupCounter()
            counter.code = e.enhancedCode
            rollups[key] = counter
        }
        counter.events += 1
        if msgKey != 0 { counter.messages.insert(msgKey) }
    }

    /// Adds this file's counts to `daily_rollup`. A key that earlier files already filled
    /// is recounted from `event`, so that distinct messages stay exact across files.
    private func mergeRollups() throws {
        let existing = try db.prepare("""
            SELECT 1 FROM daily_rollup WHERE day = ?1 AND connector_id = ?2 AND kind = ?3 AND enhanced_code = ?4
            """)
        let upsert = try db.prepare("""
            INSERT OR REPLACE INTO daily_rollup(day, connector_id, kind, enhanced_code, events, messages)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            """)
        let recount = try db.prepare("""
            SELECT count(*), count(DISTINCT message_id) FROM event
            WHERE time_ms >= ?1 AND time_ms < ?2 AND coalesce(connector_id, 0) = ?3 AND kind = ?4
              AND coalesce(enhanced_code, '') = ?5
            """)
        for (key, counter) in rollups {
            let day = Timestamp.dayString(Int(key.day))
            let code = counter.code?.description ?? ""
            existing.bind(1, day)
            existing.bind(2, key.connector)
            existing.bind(3, Int64(key.kind))
            existing.bind(4, code)
            let seen = try existing.step()
            existing.reset()
            var events = counter.events
            var messages = counter.messages.count
            if seen {
                let start = Int64(key.day) * 86_400_000
                recount.bind(1, start)
                recount.bind(2, start + 86_400_000)
                recount.bind(3, key.connector)
                recount.bind(4, Int64(key.kind))
                recount.bind(5, code)
                if try recount.step() {
                    events = recount.int(0)
                    messages = recount.int(1)
                }
                recount.reset()
            }
            upsert.bind(1, day)
            upsert.bind(2, key.connector)
            upsert.bind(3, Int64(key.kind))
            upsert.bind(4, code)
            upsert.bind(5, Int64(events))
            upsert.bind(6, Int64(messages))
            try upsert.run()
        }
        rollups.removeAll(keepingCapacity: true)
    }

    // MARK: - Helpers

    /// Rule RC4: the root cause of the latest earlier deferral of the same message and
    /// recipient, in this run or in the database; `unknown` when there is none.
    private func resolveEarlierCause(_ e: DeliveryEvent, msgKey: UInt64) throws -> String {
        guard msgKey != 0 else { return "unknown" }
        if let cause = lastDeferralCause[pairKey(msgKey, e.recipient)] { return cause }
        let st = earlierCause
        defer { st.reset() }
        st.bind(1, Int64(bitPattern: msgKey))
        st.bindBorrowed(2, e.messageID)
        if let r = e.recipient, !r.isEmpty { st.bindBorrowed(3, r) }
        st.bind(4, e.timeMs)
        if try st.step(), let cause = st.string(0) { return cause }
        return "unknown"
    }

    private func pairKey(_ msgKey: UInt64, _ recipient: UnsafeRawBufferPointer?) -> UInt64 {
        guard let recipient else { return msgKey }
        return fnv1a64(recipient, seed: msgKey)
    }

    private func bindText(_ st: Statement, _ index: Int32, _ bytes: UnsafeRawBufferPointer) {
        if !bytes.isEmpty { st.bindBorrowed(index, bytes) }
    }

    /// The recipient domain (after the last `@`), lower-cased and interned.
    private func domainID(of recipient: UnsafeRawBufferPointer) throws -> Int64? {
        var at = -1
        for i in stride(from: recipient.count - 1, through: 0, by: -1) where recipient[i] == UInt8(ascii: "@") {
            at = i
            break
        }
        guard at >= 0, at + 1 < recipient.count else { return nil }
        var end = recipient.count
        if recipient[end - 1] == UInt8(ascii: ">") { end -= 1 }
        let n = end - at - 1
        guard n > 0 else { return nil }
        if n > domainScratch.count { domainScratch = [UInt8](repeating: 0, count: n) }
        return try domainScratch.withUnsafeMutableBytes { out in
            for k in 0..<n { out[k] = asciiLowerByte(recipient[at + 1 + k]) }
            return try domains.id(for: UnsafeRawBufferPointer(rebasing: out[0..<n]))
        }
    }
}

/// Interns names (connectors, domains) to integer ids: a hash lookup in memory, the
/// table on a miss.
struct InternTable {
    private let find: Statement
    private let insert: Statement
    private var ids: [UInt64: [(bytes: [UInt8], id: Int64)]] = [:]

    init(db: Database, table: String) throws {
        find = try db.prepare("SELECT id FROM \(table) WHERE name = ?1")
        insert = try db.prepare("INSERT INTO \(table)(name) VALUES (?1)")
    }

    mutating func id(for bytes: UnsafeRawBufferPointer) throws -> Int64 {
        let h = fnv1a64(bytes)
        if let bucket = ids[h] {
            for entry in bucket where entry.bytes.elementsEqual(bytes) { return entry.id }
        }
        find.bindBorrowed(1, bytes)
        var id: Int64
        if try find.step() {
            id = find.int64(0)
            find.reset()
        } else {
            find.reset()
            insert.bindBorrowed(1, bytes)
            try insert.run()
            id = sqlite3_last_insert_rowid(insert.database.handle)
        }
        ids[h, default: []].append((Array(bytes), id))
        return id
    }

    /// Forgets cached ids (after a rollback, ids may no longer exist).
    mutating func clear() { ids.removeAll() }
}

func currentTimeMs() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}
