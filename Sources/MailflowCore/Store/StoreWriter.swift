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
    /// Lines of other programs skipped (Postfix maillog): neither records nor issues.
    public var skipped = 0
    public var firstMs: Int64?
    public var lastMs: Int64?
    public var bytesScanned: Int64 = 0

    public init() {}

    mutating func noteTime(_ ms: Int64) {
        if firstMs.map({ ms < $0 }) ?? true { firstMs = ms }
        if lastMs.map({ ms > $0 }) ?? true { lastMs = ms }
    }
}

/// Writes decoded events into the database (the writer thread's side of the pipeline):
/// interned dimensions, one slim `event` row per event, message and delivery lifecycle
/// state, daily rollups kept in memory and merged at the end of each file.
///
/// The caller owns the transaction (one per file): ``beginFile(...)`` after `BEGIN`,
/// ``finishFile(stats:)`` before `COMMIT`; after a rollback, ``reloadState()``.
final class StoreWriter {
    private let db: Database
    private let insertEvent: Statement
    /// The same insert with ``rowsPerInsert`` rows of parameters: fewer statement steps.
    private let insertEvents: Statement
    static let rowsPerInsert = 32
    static let eventColumns: Int32 = 16

    static func insertEventSQL(rows: Int) -> String {
        let values = (0..<rows).map { r in
            "(" + (1...Int(eventColumns)).map { "?\(r * Int(eventColumns) + $0)" }.joined(separator: ", ") + ")"
        }
        return """
            INSERT INTO event(file_id, line, time_ms, kind, name_id, connector_id, message_ref,
                              sender_id, recipient_id, domain_id, reply_code, enhanced_code, root_cause,
                              status_id, remote_host_id, remote_ip_id)
            VALUES \(values.joined(separator: ", "))
            """
    }
    private let insertIssue: Statement
    private let insertMessage: Statement
    /// The message insert with ``rowsPerInsert`` rows of parameters.
    private let insertMessages: Statement
    /// Rows of the batch being written that create a message / bring a Message-ID to one:
    /// inserted after the batch's events, many rows per statement.
    private var newMessageRows: [Int] = []
    private var attachRows: [Int] = []

    static func insertMessageSQL(rows: Int) -> String {
        let values = (0..<rows).map { r in "(?\(r * 5 + 1), ?\(r * 5 + 2), ?\(r * 5 + 3), ?\(r * 5 + 4), ?\(r * 5 + 5))" }
        return "INSERT INTO message(id, message_id, msg_key, first_ms, queue_id) VALUES " + values.joined(separator: ", ")
    }
    private let attachMessageID: Statement
    private let findDelivery: Statement
    /// `INSERT` of a new value, per ``Dimension``.
    private var insertDimension: [Statement] = []
    private var fileID: Int64 = 0

    private struct PairKey: Hashable {
        var message: Int64
        var recipient: Int64
    }

    private struct DeliveryState {
        var connector: Int64 = 0
        var domain: Int64 = 0
        var firstDeferralMs: Int64?
        var lastDeferralMs: Int64?
        var attempts = 0
        var lastDeferralCause: String?
        var outcome = "pending"
        var outcomeMs: Int64?
        var rootCause: String?
        /// status.id of the latest deferral or failure.
        var lastStatus: Int64 = 0
        /// Whose retry window applies: "exchange", "exo", "postfix".
        var source: String?
    }

    /// The retry-window family of the file being written (``beginFile(...)``).
    private var currentSource: String?

    /// The family of a format for retry windows: Exchange Server keeps a message 2 days,
    /// Exchange Online 24 hours, Postfix 5 days (by default).
    static func source(of format: String) -> String? {
        if format.hasPrefix("exo-") { return "exo" }
        if format.hasPrefix("exchange-") { return "exchange" }
        if format == "postfix" { return "postfix" }
        return nil
    }

    /// Message references and rollups, filled on the decoding thread.
    let context = DecodeContext()
    private var deliveries: [PairKey: DeliveryState] = [:]
    private var dirtyDeliveries = Set<PairKey>()
    /// Pairs whose delivery is pending, for a cheap check on every sent or delivered event.
    private var pendingPairs = KeyMap<Bool>()
    /// Recipients with a pending delivery, per message (a whole-message expiry, Postfix).
    private var pendingByMessage: [Int64: Set<Int64>] = [:]
    private var deliveryTableHadRows = false
    private var codeScratch = [UInt8](repeating: 0, count: 16)

    /// How far back (ms) messages are kept in memory to join events of later runs.
    static let messageWindowMs: Int64 = 14 * 86_400_000

    init(database: Database) throws {
        db = database
        insertEvent = try db.prepare(Self.insertEventSQL(rows: 1))
        insertEvents = try db.prepare(Self.insertEventSQL(rows: Self.rowsPerInsert))
        insertIssue = try db.prepare("""
            INSERT INTO parse_issue(file_id, line, byte_offset, kind, sample, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            """)
        insertMessage = try db.prepare(Self.insertMessageSQL(rows: 1))
        insertMessages = try db.prepare(Self.insertMessageSQL(rows: Self.rowsPerInsert))
        attachMessageID = try db.prepare("UPDATE message SET message_id = ?2 WHERE id = ?1 AND message_id IS NULL")
        findDelivery = try db.prepare("""
            SELECT connector_id, domain_id, first_deferral_ms, attempts, last_cause, outcome, outcome_ms, root_cause,
                   last_deferral_ms, coalesce(last_status_id, 0), source
            FROM delivery WHERE message_ref = ?1 AND recipient_id = ?2
            """)
        for d in Dimension.allCases {
            switch d {
            case .eventName: insertDimension.append(try db.prepare("INSERT INTO event_name(id, raw_event, source) VALUES (?1, ?2, ?3)"))
            case .status: insertDimension.append(try db.prepare("INSERT INTO status(id, text) VALUES (?1, ?2)"))
            default: insertDimension.append(try db.prepare("INSERT INTO \(d.table)(id, name) VALUES (?1, ?2)"))
            }
        }
        try reloadState()
    }

    /// (Re)loads what the writer keeps in memory between files: the messages of the last
    /// ``messageWindowMs`` and the pending deliveries. Called at start and after a rollback.
    func reloadState() throws {
        // Every dimension value, by hash, so that the decoding thread interns without the
        // database (the tables hold distinct names: connectors, domains, addresses, hosts,
        // status texts; small next to the events).
        for d in Dimension.allCases {
            let map = context.map(d)
            map.ids.removeAll()
            map.next = 1
            let column = d == .status ? "text" : "name"
            let st = try db.prepare(d == .eventName
                ? "SELECT id, coalesce(raw_event, ''), coalesce(source, '') FROM event_name"
                : "SELECT id, \(column) FROM \(d.table)")
            while try st.step() {
                let id = st.int64(0)
                let key: UInt64
                if d == .eventName {
                    let raw = Array((st.string(1) ?? "").utf8), source = Array((st.string(2) ?? "").utf8)
                    key = raw.withUnsafeBytes { r in source.withUnsafeBytes { eventNameKey(r, $0) } }
                } else {
                    key = Array((st.string(1) ?? "").utf8).withUnsafeBytes { hash64($0) }
                }
                map.ids[key] = id
                map.next = max(map.next, id + 1)
            }
        }
        context.messages.removeAll()
        context.resetRollups()
        deliveries.removeAll()
        dirtyDeliveries.removeAll()
        pendingPairs.removeAll()
        pendingByMessage.removeAll()
        let maxRef = try db.prepare("SELECT coalesce(max(id), 0) FROM message")
        _ = try maxRef.step()
        context.nextMessageRef = maxRef.int64(0) + 1
        // Messages of the files of the last messageWindowMs, so that later events of the
        // same message (a deferral continued in tomorrow's log) join it.
        let recentFrom = try db.prepare("""
            SELECT min(first_message_ref) FROM source_file
            WHERE last_ms >= (SELECT max(last_ms) FROM source_file) - ?1 AND first_message_ref IS NOT NULL
            """)
        recentFrom.bind(1, Self.messageWindowMs)
        if try recentFrom.step(), !recentFrom.isNull(0) {
            // Connector of the latest deferral of messages still pending (a later
            // whole-message expiry is counted under it).
            var pendingConnector: [Int64: Int64] = [:]
            let pc = try db.prepare("""
                SELECT message_ref, connector_id FROM delivery
                WHERE outcome = 'pending' AND connector_id IS NOT NULL ORDER BY coalesce(last_deferral_ms, 0)
                """)
            while try pc.step() { pendingConnector[pc.int64(0)] = pc.int64(1) }
            let recent = try db.prepare("SELECT id, msg_key, first_ms, message_id IS NOT NULL FROM message WHERE id >= ?1")
            recent.bind(1, recentFrom.int64(0))
            while try recent.step() {
                var state = DecodeContext.MessageState(
                    ref: recent.int64(0), firstMs: recent.int64(2), hasMessageID: recent.int(3) == 1)
                state.lastConnector = pendingConnector[recent.int64(0)] ?? 0
                context.messages[UInt64(bitPattern: recent.int64(1))] = state
            }
        }
        let pending = try db.prepare("""
            SELECT message_ref, recipient_id, connector_id, domain_id, first_deferral_ms, attempts, last_cause,
                   last_deferral_ms, coalesce(last_status_id, 0), source
            FROM delivery WHERE outcome = 'pending'
            """)
        while try pending.step() {
            var s = DeliveryState()
            s.connector = pending.int64(2)
            s.domain = pending.int64(3)
            s.firstDeferralMs = pending.isNull(4) ? nil : pending.int64(4)
            s.attempts = pending.int(5)
            s.lastDeferralCause = pending.string(6)
            s.lastDeferralMs = pending.isNull(7) ? nil : pending.int64(7)
            s.lastStatus = pending.int64(8)
            s.source = pending.string(9)
            deliveries[PairKey(message: pending.int64(0), recipient: pending.int64(1))] = s
            pendingPairs[mixKeys(UInt64(bitPattern: pending.int64(0)), UInt64(bitPattern: pending.int64(1)))] = true
            pendingByMessage[pending.int64(0), default: []].insert(pending.int64(1))
        }
        loadedDataVersion = try dataVersion()
        let any = try db.prepare("SELECT EXISTS (SELECT 1 FROM delivery)")
        deliveryTableHadRows = try any.step() && any.int(0) == 1
    }

    /// `PRAGMA data_version` when the in-memory state was last loaded: it changes when
    /// another connection (a second `mailflow ingest`) commits.
    private var loadedDataVersion: Int64 = -1

    private func dataVersion() throws -> Int64 {
        let st = try db.prepare("PRAGMA data_version")
        return try st.step() ? st.int64(0) : 0
    }

    /// Registers an input; must run inside the file's transaction (whose write lock makes
    /// the check below safe: if another process committed since our state was loaded, it is
    /// loaded again, so that ids given in memory never clash with theirs).
    func beginFile(
        path: String, fingerprint: String, size: Int64, format: String, encoding: String, compression: String,
        root: Int64? = nil, startOffset: Int64 = 0
    ) throws {
        let version = try dataVersion()
        if version != loadedDataVersion { try reloadState() }
        let st = try db.prepare("""
            INSERT INTO source_file(path, fingerprint, size, format, encoding, compression, ingested_ms, file_root, start_offset)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
            """)
        st.bind(8, root)
        st.bind(9, startOffset)
        st.bind(1, path)
        st.bind(2, fingerprint)
        st.bind(3, size)
        st.bind(4, format)
        st.bind(5, encoding)
        st.bind(6, compression)
        st.bind(7, currentTimeMs())
        try st.run()
        fileID = db.lastInsertRowID
        currentSource = Self.source(of: format)
        issuesStored = 0
        context.resetRollups()
        let ids = try db.prepare("UPDATE source_file SET first_event_id = (SELECT coalesce(max(id), 0) + 1 FROM event), first_message_ref = ?2 WHERE id = ?1")
        ids.bind(1, fileID)
        ids.bind(2, context.nextMessageRef)
        try ids.run()
    }

    /// Stores every event and issue of `batch`.
    /// - Throws: ``SQLiteError`` (the caller rolls the file back).
    func write(_ batch: EventBatch) throws {
        for v in batch.newValues {
            let st = insertDimension[v.dimension.rawValue]
            st.bind(1, v.id)
            if !v.text.isNull { st.bindBorrowed(2, batch.bytes(v.text)) }
            if v.dimension == .eventName && !v.second.isNull { st.bindBorrowed(3, batch.bytes(v.second)) }
            try st.run()
        }
        newMessageRows.removeAll(keepingCapacity: true)
        attachRows.removeAll(keepingCapacity: true)
        try batch.rows.withUnsafeBufferPointer { rows in
            let n = rows.count
            var i = 0
            while i + Self.rowsPerInsert <= n {
                for r in 0..<Self.rowsPerInsert {
                    try bind(rows[i + r], at: i + r, batch, insertEvents, base: Int32(r) * Self.eventColumns)
                }
                try insertEvents.step()
                insertEvents.resetKeepingBindings()
                i += Self.rowsPerInsert
            }
            while i < n {
                try bind(rows[i], at: i, batch, insertEvent, base: 0)
                try insertEvent.step()
                insertEvent.resetKeepingBindings()
                i += 1
            }
        }
        try writeMessages(batch)
        for issue in batch.issues { try addIssue(issue) }
    }

    /// Inserts the messages the batch created (many rows per statement), then sets the
    /// Message-IDs that arrived later for messages known by queue id.
    private func writeMessages(_ batch: EventBatch) throws {
        try batch.rows.withUnsafeBufferPointer { rows in
            var i = 0
            let n = newMessageRows.count
            while i + Self.rowsPerInsert <= n {
                for r in 0..<Self.rowsPerInsert { bindMessage(rows[newMessageRows[i + r]], batch, insertMessages, base: Int32(r * 5)) }
                try insertMessages.step()
                insertMessages.resetKeepingBindings()
                i += Self.rowsPerInsert
            }
            while i < n {
                bindMessage(rows[newMessageRows[i]], batch, insertMessage, base: 0)
                try insertMessage.step()
                insertMessage.resetKeepingBindings()
                i += 1
            }
            for index in attachRows {
                let row = rows[index]
                attachMessageID.bind(1, row.messageRef)
                attachMessageID.bindBorrowed(2, batch.bytes(row.messageID))
                try attachMessageID.run()
            }
        }
    }

    private func bindMessage(_ row: BatchRow, _ batch: EventBatch, _ st: Statement, base b: Int32) {
        st.bind(b + 1, row.messageRef)
        if row.messageID.isNull { st.bindNull(b + 2) } else { st.bindBorrowed(b + 2, batch.bytes(row.messageID)) }
        st.bind(b + 3, Int64(bitPattern: row.messageKey))
        st.bind(b + 4, row.timeMs)
        if row.queueID.isNull { st.bindNull(b + 5) } else { st.bindBorrowed(b + 5, batch.bytes(row.queueID)) }
    }

    /// Binds all 16 parameters of one event, `base + 1 ... base + 16` of `st`.
    private func bind(_ row: BatchRow, at index: Int, _ batch: EventBatch, _ st: Statement, base b: Int32) throws {
        st.bind(b + 1, fileID)
        st.bind(b + 2, Int64(row.line))
        st.bind(b + 3, row.timeMs)
        st.bind(b + 4, Int64(row.kind.rawValue))
        bindID(st, b + 5, row.nameID)
        bindID(st, b + 6, row.connectorID)
        let messageRef = row.messageRef
        if row.newMessage {
            newMessageRows.append(index)
        } else if row.attachMessageID {
            attachRows.append(index)
        }
        bindID(st, b + 7, messageRef)
        bindID(st, b + 8, row.senderID)
        bindID(st, b + 9, row.recipientID)
        bindID(st, b + 10, row.domainID)
        if row.reply >= 0 { st.bind(b + 11, Int64(row.reply)) } else { st.bindNull(b + 11) }
        if let code = row.enhanced {
            codeScratch.withUnsafeMutableBufferPointer { out in
                let n = code.write(into: out.baseAddress!)
                st.bindCopy(b + 12, UnsafeRawBufferPointer(start: out.baseAddress!, count: n))
            }
        } else {
            st.bindNull(b + 12)
        }
        var cause: String? = row.cause >= 0 ? batch.causes[Int(row.cause)] : nil
        if row.expiresMessage && messageRef != 0 {
            cause = try expireMessage(row, messageRef: messageRef)
        } else if (row.kind.hasRootCause || row.kind == .dropped) && messageRef != 0 {
            cause = try trackDelivery(row, cause: cause, messageRef: messageRef, recipientID: row.recipientID,
                                      connectorID: row.connectorID, domainID: row.domainID)
        } else if row.needsEarlierCause {
            cause = "unknown"
        } else if (row.kind == .sent || row.kind == .delivered) && messageRef != 0 {
            noteDelivered(PairKey(message: messageRef, recipient: row.recipientID), at: row.timeMs)
        }
        if let cause { st.bind(b + 13, cause) } else { st.bindNull(b + 13) }
        bindID(st, b + 14, row.statusID)
        bindID(st, b + 15, row.hostID)
        bindID(st, b + 16, row.ipID)
    }

    /// Binds an id, or NULL for 0. Every parameter is bound before each step: the insert
    /// statements are reset without clearing their bindings.
    @inline(__always)
    private func bindID(_ st: Statement, _ index: Int32, _ id: Int64) {
        if id != 0 { st.bind(index, id) } else { st.bindNull(index) }
    }

    /// Records where a later run may continue this file if it grows.
    func setResumePoint(offset: Int64, line: Int, fields: String?, tailHash: String, headLen: Int, headHash: String) throws {
        let st = try db.prepare("""
            UPDATE source_file SET resume_offset = ?2, resume_line = ?3, fields = ?4, tail_hash = ?5, head_len = ?6,
                   head_hash = ?7 WHERE id = ?1
            """)
        st.bind(1, fileID)
        st.bind(2, offset)
        st.bind(3, Int64(line))
        st.bind(4, fields)
        st.bind(5, tailHash)
        st.bind(6, Int64(headLen))
        st.bind(7, headHash)
        try st.run()
    }

    /// Issues stored per file; the rest are counted in `source_file.issues` only, so that a
    /// file of garbage cannot fill the disk with samples.
    static let issuesStoredPerFile = 10_000
    private var issuesStored = 0

    /// Stores a parse issue of the current file (the first ``issuesStoredPerFile``).
    func addIssue(_ issue: ScanIssue) throws {
        issuesStored += 1
        if issuesStored > Self.issuesStoredPerFile { return }
        let st = insertIssue
        st.bind(1, fileID)
        st.bind(2, Int64(issue.line))
        st.bind(3, issue.lineOffset)
        st.bind(4, issue.kind.rawValue)
        st.bindBlob(5, issue.sample)
        st.bind(6, issue.detail)
        try st.run()
    }

    /// Writes the file's counts, changed messages and deliveries, and merges its rollups;
    /// must run inside its transaction.
    func finishFile(stats: FileStats, timeRule: String? = nil) throws {
        let st = try db.prepare("""
            UPDATE source_file SET bytes_scanned = ?2, records = ?3, events = ?4, rejected = ?5, issues = ?6,
                   first_ms = ?7, last_ms = ?8, ingested_ms = ?9, skipped = ?10, time_rule = ?11 WHERE id = ?1
            """)
        st.bind(10, Int64(stats.skipped))
        st.bind(11, timeRule)
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
        let last = try db.prepare("UPDATE source_file SET last_event_id = (SELECT coalesce(max(id), 0) FROM event) WHERE id = ?1")
        last.bind(1, fileID)
        try last.run()
        try flushMessages()
        try flushDeliveries()
        try mergeRollups()
    }

    // MARK: - Messages and deliveries


    private func flushMessages() throws {
        let update = try db.prepare("UPDATE message SET first_ms = ?2 WHERE id = ?1")
        var changed: [UInt64] = []
        try context.messages.forEach { key, m in
            guard m.firstChanged else { return }
            update.bind(1, m.ref)
            update.bind(2, m.firstMs)
            try update.run()
            changed.append(key)
        }
        for key in changed { context.messages[key]?.firstChanged = false }
    }

    /// Loads or creates the lifecycle of a (message, recipient) that met a problem.
    private func delivery(_ key: PairKey) throws -> DeliveryState {
        if let s = deliveries[key] { return s }
        var s = DeliveryState()
        if deliveryTableHadRows {
            let st = findDelivery
            defer { st.reset() }
            st.bind(1, key.message)
            st.bind(2, key.recipient)
            if try st.step() {
                s.connector = st.int64(0)
                s.domain = st.int64(1)
                s.firstDeferralMs = st.isNull(2) ? nil : st.int64(2)
                s.attempts = st.int(3)
                s.lastDeferralCause = st.string(4)
                s.outcome = st.string(5) ?? "pending"
                s.outcomeMs = st.isNull(6) ? nil : st.int64(6)
                s.rootCause = st.string(7)
                s.lastDeferralMs = st.isNull(8) ? nil : st.int64(8)
                s.lastStatus = st.int64(9)
                s.source = st.string(10)
            }
        }
        return s
    }

    /// Updates the lifecycle for a deferred, failed or expired event; returns its root cause
    /// (rule RC4 for an expiry whose text names none: the latest earlier deferral's cause).
    private func trackDelivery(
        _ row: BatchRow, cause: String?, messageRef: Int64, recipientID: Int64, connectorID: Int64, domainID: Int64
    ) throws -> String? {
        let key = PairKey(message: messageRef, recipient: recipientID)
        var s = try delivery(key)
        if connectorID != 0 { s.connector = connectorID }
        if domainID != 0 { s.domain = domainID }
        if s.source == nil { s.source = currentSource }
        var resolved = cause
        switch row.kind {
        case .deferred:
            s.attempts += 1
            if s.firstDeferralMs.map({ row.timeMs < $0 }) ?? true { s.firstDeferralMs = row.timeMs }
            if s.lastDeferralMs.map({ row.timeMs >= $0 }) ?? true {
                s.lastDeferralMs = row.timeMs
                s.lastDeferralCause = cause
                if row.statusID != 0 { s.lastStatus = row.statusID }
            }
        case .failed:
            s.attempts += 1
            if row.statusID != 0 && (s.lastDeferralMs.map { row.timeMs >= $0 } ?? true) { s.lastStatus = row.statusID }
            if s.outcome != "expired" {
                s.outcome = "failed"
                s.outcomeMs = row.timeMs
                s.rootCause = cause
            }
        case .dropped:
            // Deleted by an agent or a rule, or refused: a final outcome unless one is known.
            if s.outcome == "pending" {
                s.outcome = "dropped"
                s.outcomeMs = row.timeMs
            }
        case .expired:
            if row.needsEarlierCause { resolved = s.lastDeferralCause ?? "unknown" }
            if s.outcome != "expired" || (s.outcomeMs ?? .max) > row.timeMs {
                s.outcome = "expired"
                s.outcomeMs = row.timeMs
                s.rootCause = resolved
            }
        default:
            break
        }
        deliveries[key] = s
        dirtyDeliveries.insert(key)
        notePending(key, s.outcome == "pending")
        return resolved
    }

    private func notePending(_ key: PairKey, _ pending: Bool) {
        pendingPairs[mixKeys(UInt64(bitPattern: key.message), UInt64(bitPattern: key.recipient))] = pending ? true : nil
        if pending {
            pendingByMessage[key.message, default: []].insert(key.recipient)
        } else if pendingByMessage[key.message] != nil {
            pendingByMessage[key.message]!.remove(key.recipient)
            if pendingByMessage[key.message]!.isEmpty { pendingByMessage[key.message] = nil }
        }
    }

    /// A whole-message expiry (Postfix `status=expired`, rule RC5): every recipient still
    /// pending expires with its own last deferral's cause (RC4); with none pending, the
    /// message itself (recipient 0) is recorded as expired with cause `unknown`.
    /// - Returns: the event's root cause, that of the latest deferral among them.
    private func expireMessage(_ row: BatchRow, messageRef: Int64) throws -> String {
        let recipients = pendingByMessage[messageRef] ?? []
        var latest: (ms: Int64, cause: String)?
        for recipient in recipients.sorted() {
            let key = PairKey(message: messageRef, recipient: recipient)
            var s = try delivery(key)
            guard s.outcome == "pending" else { continue }
            s.outcome = "expired"
            s.outcomeMs = row.timeMs
            s.rootCause = s.lastDeferralCause ?? "unknown"
            if let ms = s.lastDeferralMs, let cause = s.lastDeferralCause, ms >= (latest?.ms ?? .min) { latest = (ms, cause) }
            deliveries[key] = s
            dirtyDeliveries.insert(key)
            notePending(key, false)
        }
        if recipients.isEmpty {
            let key = PairKey(message: messageRef, recipient: 0)
            var s = try delivery(key)
            if s.outcome != "expired" {
                if row.connectorID != 0 { s.connector = row.connectorID }
                if s.source == nil { s.source = currentSource }
                s.outcome = "expired"
                s.outcomeMs = row.timeMs
                s.rootCause = "unknown"
                deliveries[key] = s
                dirtyDeliveries.insert(key)
            }
        }
        return latest?.cause ?? "unknown"
    }

    private func noteDelivered(_ key: PairKey, at ms: Int64) {
        let mixed = mixKeys(UInt64(bitPattern: key.message), UInt64(bitPattern: key.recipient))
        guard pendingPairs[mixed] != nil else { return }
        notePending(key, false)
        guard var s = deliveries[key], s.outcome == "pending" else { return }
        s.outcome = "delivered"
        s.outcomeMs = ms
        deliveries[key] = s
        dirtyDeliveries.insert(key)
    }

    private func flushDeliveries() throws {
        guard !dirtyDeliveries.isEmpty else { return }
        let st = try db.prepare("""
            INSERT OR REPLACE INTO delivery(message_ref, recipient_id, connector_id, domain_id, first_deferral_ms,
                                            attempts, last_cause, outcome, outcome_ms, root_cause, last_deferral_ms,
                                            last_status_id, source)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
            """)
        for key in dirtyDeliveries {
            guard let s = deliveries[key] else { continue }
            st.bind(1, key.message)
            st.bind(2, key.recipient)
            st.bind(3, s.connector == 0 ? nil : s.connector)
            st.bind(4, s.domain == 0 ? nil : s.domain)
            st.bind(5, s.firstDeferralMs)
            st.bind(6, Int64(s.attempts))
            st.bind(7, s.lastDeferralCause)
            st.bind(8, s.outcome)
            st.bind(9, s.outcomeMs)
            st.bind(10, s.rootCause)
            st.bind(11, s.lastDeferralMs)
            st.bind(12, s.lastStatus == 0 ? nil : s.lastStatus)
            st.bind(13, s.source)
            try st.run()
            if s.outcome != "pending" { deliveries[key] = nil }
        }
        dirtyDeliveries.removeAll(keepingCapacity: true)
        deliveryTableHadRows = true
    }

    // MARK: - Rollups

    /// Adds this file's counts to `daily_rollup`. A key that earlier files already filled
    /// is recounted from the events of the files that overlap that day (found by their
    /// event id ranges), so that distinct messages stay exact across files.
    private func mergeRollups() throws {
        let existing = try db.prepare("""
            SELECT 1 FROM daily_rollup WHERE day = ?1 AND connector_id = ?2 AND kind = ?3 AND enhanced_code = ?4
            """)
        let upsert = try db.prepare("""
            INSERT OR REPLACE INTO daily_rollup(day, connector_id, kind, enhanced_code, events, messages)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            """)
        let recount = try db.prepare("""
            SELECT count(*), count(DISTINCT e.message_ref)
            FROM source_file f JOIN event e ON e.id BETWEEN f.first_event_id AND f.last_event_id
            WHERE f.first_ms < ?2 AND f.last_ms >= ?1
              AND e.time_ms >= ?1 AND e.time_ms < ?2 AND coalesce(e.connector_id, 0) = ?3 AND e.kind = ?4
              AND coalesce(e.enhanced_code, '') = ?5
            """)
        for counter in context.rollups {
            let key = counter.key
            let connectorID = key.connector
            let day = Timestamp.dayString(Int(key.day))
            let code = counter.code?.description ?? ""
            existing.bind(1, day)
            existing.bind(2, connectorID)
            existing.bind(3, Int64(key.kind))
            existing.bind(4, code)
            let seen = try existing.step()
            existing.reset()
            var events = counter.events
            var messages = counter.messages
            if seen {
                let start = Int64(key.day) * 86_400_000
                recount.bind(1, start)
                recount.bind(2, start + 86_400_000)
                recount.bind(3, connectorID)
                recount.bind(4, Int64(key.kind))
                recount.bind(5, code)
                if try recount.step() {
                    events = recount.int(0)
                    messages = recount.int(1)
                }
                recount.reset()
            }
            upsert.bind(1, day)
            upsert.bind(2, connectorID)
            upsert.bind(3, Int64(key.kind))
            upsert.bind(4, code)
            upsert.bind(5, Int64(events))
            upsert.bind(6, Int64(messages))
            try upsert.run()
        }
        let hop = try db.prepare("""
            INSERT INTO daily_next_hop(day, connector_id, host_id, events) VALUES (?1, ?2, ?3, ?4)
            ON CONFLICT(day, connector_id, host_id) DO UPDATE SET events = events + excluded.events
            """)
        for h in context.hops {
            hop.bind(1, Timestamp.dayString(Int(h.day)))
            hop.bind(2, h.connector)
            hop.bind(3, h.host)
            hop.bind(4, Int64(h.events))
            try hop.run()
        }
        context.resetRollups()
    }
}

func currentTimeMs() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}
