import Foundation

/// The time window of a report: `[fromMs, toMs)`, milliseconds since the Unix epoch, UTC,
/// days bucketed in UTC.
public struct ReportWindow: Sendable, Equatable {
    public enum Spec: Sendable, Equatable {
        /// The last N milliseconds up to the end of the day of the newest event.
        case last(Int64)
        /// Everything in the database.
        case all
        /// Explicit bounds; a missing end is the end of the newest event's day.
        case range(Int64, Int64?)
    }

    public var spec: Spec

    public init(spec: Spec) { self.spec = spec }

    public enum Failure: Error, CustomStringConvertible {
        case badDuration(String)
        case badTime(String)
        public var description: String {
            switch self {
            case .badDuration(let s): return "--since \(s): expected a duration of 1 to 3650 days (7d, 24h, 2w, 30d) or 'all'"
            case .badTime(let s): return "\(s): expected a date YYYY-MM-DD or an ISO 8601 time"
            }
        }
    }

    /// Parses `--since` (`7d`, `24h`, `30d`, `all`) or `--from`/`--to`.
    /// - Throws: ``Failure``.
    public static func parse(since: String, from: String?, to: String?) throws -> ReportWindow {
        if from != nil || to != nil {
            let f = try from.map(parseTime) ?? 0
            let t = try to.map(parseTime)
            if let t, t <= f { throw Failure.badTime("--to \(to ?? "") (not after --from)") }
            return ReportWindow(spec: .range(f, t))
        }
        if since == "all" { return ReportWindow(spec: .all) }
        // At most ten years, checked before any arithmetic.
        guard let unit = since.last, let n = Int64(since.dropLast()), n > 0, n <= 87_600 else { throw Failure.badDuration(since) }
        let hour: Int64 = 3_600_000
        let span: Int64
        switch unit {
        case "d": span = n * 24 * hour
        case "h": span = n * hour
        case "w": span = n * 7 * 24 * hour
        default: throw Failure.badDuration(since)
        }
        guard span <= 3650 * 24 * hour else { throw Failure.badDuration(since) }
        return ReportWindow(spec: .last(span))
    }

    static func parseTime(_ s: String) throws -> Int64 {
        var text = s
        if text.count == 10 { text += "T00:00:00Z" }
        let bytes = Array(text.utf8)
        guard let ms = bytes.withUnsafeBytes({ Timestamp.parseISO8601($0) }) else { throw Failure.badTime(s) }
        return ms
    }

    /// Concrete bounds given the newest and oldest event times in the database. A window
    /// counted back ends with the UTC day of the newest event, but never after today (a
    /// record with a wrong far-future date must not move the report away from real data).
    func resolve(oldestMs: Int64?, newestMs rawNewest: Int64?, nowMs: Int64 = currentTimeMs()) -> (Int64, Int64) {
        let newestMs = min(rawNewest ?? nowMs, nowMs)
        let endOfNewestDay = Int64(Timestamp.dayNumber(newestMs) + 1) * 86_400_000
        switch spec {
        case .range(let f, let t):
            return (f, t ?? max(endOfNewestDay, f + 86_400_000))
        case .all:
            let f = oldestMs.map { Int64(Timestamp.dayNumber(min($0, newestMs))) * 86_400_000 } ?? endOfNewestDay - 86_400_000
            return (f, endOfNewestDay)
        case .last(let span):
            return (endOfNewestDay - span, endOfNewestDay)
        }
    }
}

/// How long each source keeps retrying before a message expires: a delivery still pending
/// longer than its source's window at the end of the data is overdue. Defaults: Exchange
/// Online 24 hours (Microsoft page "Fix error code 550 4.4.7 in Exchange Online"), Exchange
/// Server 2 days (`MessageExpirationTimeout`, page "Message retry, resubmit, and expiration
/// intervals"), Postfix 5 days (`maximal_queue_lifetime`, postconf(5)).
public struct ExpiryWindows: Sendable, Equatable {
    /// Window per source (`exo`, `exchange`, `postfix`), milliseconds.
    public var ms: [String: Int64] = ["exo": 86_400_000, "exchange": 2 * 86_400_000, "postfix": 5 * 86_400_000]
    /// For deliveries whose source is unknown (older databases): Exchange Server's.
    public static let fallbackSource = "exchange"

    public init() {}

    public enum Failure: Error, CustomStringConvertible {
        case bad(String)
        public var description: String {
            switch self {
            case .bad(let s): return "--expiry-window '\(s)': give SOURCE=DURATION with SOURCE exo, exchange or postfix and DURATION like 24h, 2d, 90m"
            }
        }
    }

    /// Applies `SOURCE=DURATION` settings (`exo=24h`, `exchange=2d`, `postfix=5d`, `m`/`h`/`d`).
    /// - Throws: ``Failure/bad(_:)``.
    public mutating func apply(_ settings: [String]) throws {
        for setting in settings {
            let parts = setting.split(separator: "=", maxSplits: 1).map { $0.trimmingSpaces.lowercased() }
            guard parts.count == 2, ms[parts[0]] != nil, let unit = parts[1].last, let n = Int64(parts[1].dropLast()), n > 0, n < 10_000
            else { throw Failure.bad(setting) }
            switch unit {
            case "m": ms[parts[0]] = n * 60_000
            case "h": ms[parts[0]] = n * 3_600_000
            case "d": ms[parts[0]] = n * 86_400_000
            default: throw Failure.bad(setting)
            }
        }
    }

    public func window(for source: String?) -> Int64 { ms[source ?? Self.fallbackSource] ?? ms[Self.fallbackSource]! }
}

/// Everything a report shows, computed once from the database, rendered as HTML, CSV,
/// JSON and text.
public struct ReportModel: Sendable {
    public struct KindCount: Sendable { public var kind: String; public var events: Int; public var messages: Int }

    public struct Headline: Sendable {
        public var events = 0
        public var messages = 0
        public var deliveries = 0      // sent + delivered events
        public var deferred = 0
        public var failed = 0
        public var expired = 0
        public var expiredMessages = 0
        /// Deferred (or failed) events per delivery attempt, 0...1.
        public var deferralRate: Double { attempts > 0 ? Double(deferred) / Double(attempts) : 0 }
        public var failureRate: Double { attempts > 0 ? Double(failed + expired) / Double(attempts) : 0 }
        var attempts: Int { deliveries + deferred + failed + expired }
    }

    public struct ConnectorDay: Sendable {
        public var day: String
        public var kind: String
        public var code: String?
        public var events: Int
        public var messages: Int
    }

    public struct ConnectorSummary: Sendable {
        public var name: String
        public var received = 0
        public var delivered = 0
        public var deferred = 0
        public var failed = 0
        public var expired = 0
        public var errorRate: Double {
            let all = delivered + deferred + failed + expired
            return all > 0 ? Double(deferred + failed + expired) / Double(all) : 0
        }
        public var previousErrorEvents = 0
        public var firstErrorUTC: String?
        public var lastErrorUTC: String?
        public var nextHop: String?
        /// Error events (deferred, failed, expired) per day and code.
        public var days: [ConnectorDay] = []
    }

    public struct Expired: Sendable {
        public var messageID: String?
        public var recipient: String?
        public var domain: String?
        public var connector: String?
        public var firstSeenUTC: String?
        public var expiredUTC: String
        public var queueSeconds: Int?
        public var attempts: Int
        public var rootCause: String?
        /// Status text of the latest deferral or failure before the expiry.
        public var lastError: String?
    }

    public struct Pending: Sendable {
        public var messageID: String?
        public var recipient: String?
        public var connector: String?
        public var firstSeenUTC: String
        public var attempts: Int
        public var lastCause: String?
        /// Status text of the latest deferral.
        public var lastError: String?
        /// Seconds from first sight to the end of the data.
        public var queuedSeconds: Int
        /// `exchange`, `exo` or `postfix` (whose retry window applies), nil when unknown.
        public var source: String?
        /// Queued longer than its source's retry window (``ExpiryWindows``): it should have
        /// expired or been delivered; the logs read may be incomplete. Reported apart from
        /// expired messages.
        public var overdue: Bool
    }

    public struct Cause: Sendable {
        public var rootCause: String
        /// The knowledge base's category for the code (the same as `v_top_causes`).
        public var category: String
        /// The category the latest status text points to when it differs (a category
        /// override of status-codes.md section 12, e.g. 4.4.317 with a certificate error: tls).
        public var textCategory: String?
        public var title: String
        public var events: Int
        public var messages: Int
        public var connectors: Int
        public var firstSeenUTC: String
        public var lastSeenUTC: String
        public var previousMessages: Int
        public var fix: String?
        /// The latest status text with this cause, as logged.
        public var example: String?
    }

    public struct FileHealth: Sendable {
        public var file: String
        public var format: String
        public var encoding: String
        public var compression: String
        public var records: Int
        public var events: Int
        public var issues: Int
    }

    public struct Issue: Sendable {
        public var file: String
        public var line: Int
        public var byteOffset: Int
        public var kind: String
        public var sample: String
    }

    public var generatedUTC: String
    public var fromUTC: String
    public var toUTC: String
    public var days: [String]
    /// The last UTC day of the window (`toUTC` is exclusive).
    public var lastDay: String { Timestamp.dayString(Timestamp.dayNumber(toMs - 1)) }
    var toMs: Int64 = 0
    public var headline = Headline()
    public var previous = Headline()
    public var kinds: [KindCount] = []
    public var connectors: [ConnectorSummary] = []
    public var connectorDaily: [(connector: String, day: ConnectorDay)] = []
    public var expired: [Expired] = []
    /// Deliveries still deferred at the end of the data (no later send, failure or expiry).
    public var pending: [Pending] = []
    /// The retry windows overdue deliveries were judged by.
    public var expiryWindows = ExpiryWindows()
    /// Time of the newest event used as "the end of the data".
    public var dataEndUTC: String?
    public var causes: [Cause] = []
    public var files: [FileHealth] = []
    public var issueCounts: [(kind: String, count: Int)] = []
    public var issueSamples: [Issue] = []

    /// Time-to-expiry distribution in seconds (median, 95th percentile, max), nil when none expired.
    public var timeToExpiry: (median: Int, p95: Int, max: Int)? {
        let values = expired.compactMap(\.queueSeconds).sorted()
        guard !values.isEmpty else { return nil }
        func pct(_ p: Double) -> Int { values[min(values.count - 1, Int((p * Double(values.count - 1)).rounded()))] }
        return (pct(0.5), pct(0.95), values.last!)
    }

    /// Builds the model for `window` from the database at `databasePath` (opened read-only).
    /// - Throws: ``SQLiteError``, ``QueryRunner/Failure``.
    public static func build(databasePath: String, window: ReportWindow, expiry: ExpiryWindows = ExpiryWindows(), now: Date = Date()) throws -> ReportModel {
        guard FileManager.default.fileExists(atPath: databasePath) else { throw QueryRunner.Failure.noDatabase(databasePath) }
        let db = try Database(path: databasePath, readOnly: true)
        try Schema.checkReadable(db)
        // The newest day with data, not later than today: a record with a wrong far-future
        // date neither moves nor empties the window.
        let today = Timestamp.dayString(Timestamp.dayNumber(currentTimeMs()))
        let bounds = try db.prepare("SELECT min(day), max(day) FROM daily_rollup WHERE day <= ?1")
        bounds.bind(1, today)
        _ = try bounds.step()
        func dayStart(_ text: String?) -> Int64? {
            guard let text, let ms = Array((text + "T00:00:00Z").utf8).withUnsafeBytes({ Timestamp.parseISO8601($0) }) else { return nil }
            return ms
        }
        let oldest = dayStart(bounds.string(0))
        let newest = dayStart(bounds.string(1)).map { $0 + 86_399_999 }
        let (fromMs, toMs) = window.resolve(oldestMs: oldest, newestMs: newest)
        let span = toMs - fromMs
        let fromDay = Timestamp.dayNumber(fromMs)
        let toDay = Timestamp.dayNumber(toMs - 1)
        let days = toDay >= fromDay && toDay - fromDay < 400 ? (fromDay...toDay).map(Timestamp.dayString) : []
        var m = ReportModel(
            generatedUTC: Timestamp.isoString(Int64(now.timeIntervalSince1970 * 1000)),
            fromUTC: Timestamp.isoString(fromMs), toUTC: Timestamp.isoString(toMs), days: days)
        m.toMs = toMs
        let fromDayS = Timestamp.dayString(fromDay), toDayS = Timestamp.dayString(toDay)

        // Totals by kind (rollups) for this and the previous period.
        func headline(_ a: Int64, _ b: Int64) throws -> (Headline, [KindCount]) {
            let st = try db.prepare("""
                SELECT k.name, sum(r.events), sum(r.messages) FROM daily_rollup r JOIN event_kind k ON k.id = r.kind
                WHERE r.day >= ?1 AND r.day <= ?2 GROUP BY k.id ORDER BY k.id
                """)
            st.bind(1, Timestamp.dayString(Timestamp.dayNumber(a)))
            st.bind(2, Timestamp.dayString(Timestamp.dayNumber(b - 1)))
            var h = Headline()
            var kinds: [KindCount] = []
            while try st.step() {
                let kind = st.string(0) ?? "", events = st.int(1)
                kinds.append(KindCount(kind: kind, events: events, messages: st.int(2)))
                h.events += events
                switch kind {
                case "sent", "delivered": h.deliveries += events
                case "deferred": h.deferred += events
                case "failed": h.failed += events
                case "expired": h.expired += events
                default: break
                }
            }
            // Messages first seen in the window, and messages with an expiry in it.
            let msgs = try db.prepare("""
                SELECT (SELECT count(*) FROM message WHERE first_ms >= ?1 AND first_ms < ?2),
                       (SELECT count(DISTINCT message_ref) FROM event
                         WHERE kind BETWEEN 4 AND 7 AND kind = 6 AND time_ms >= ?1 AND time_ms < ?2)
                """)
            msgs.bind(1, a)
            msgs.bind(2, b)
            if try msgs.step() {
                h.messages = msgs.int(0)
                h.expiredMessages = msgs.int(1)
            }
            return (h, kinds)
        }
        (m.headline, m.kinds) = try headline(fromMs, toMs)
        m.previous = try headline(fromMs - span, fromMs).0

        // Per connector: every figure comes from one grouped query (a tenant may have
        // thousands of connectors).
        let daily = try db.prepare("""
            SELECT r.connector_id, coalesce(c.name, '(no connector)'), r.day, k.name, NULLIF(r.enhanced_code, ''), r.events, r.messages
            FROM daily_rollup r JOIN event_kind k ON k.id = r.kind LEFT JOIN connector c ON c.id = r.connector_id
            WHERE r.day >= ?1 AND r.day <= ?2
            ORDER BY 2, r.day, r.kind, 5
            """)
        daily.bind(1, fromDayS)
        daily.bind(2, toDayS)
        var byID: [Int64: ConnectorSummary] = [:]
        while try daily.step() {
            let id = daily.int64(0)
            let name = daily.string(1) ?? ""
            let d = ConnectorDay(day: daily.string(2) ?? "", kind: daily.string(3) ?? "", code: daily.string(4), events: daily.int(5), messages: daily.int(6))
            m.connectorDaily.append((name, d))
            var s = byID[id] ?? ConnectorSummary(name: name)
            switch d.kind {
            case "sent", "delivered": s.delivered += d.events
            case "received": s.received += d.events
            case "deferred": s.deferred += d.events; s.days.append(d)
            case "failed": s.failed += d.events; s.days.append(d)
            case "expired": s.expired += d.events; s.days.append(d)
            default: break
            }
            byID[id] = s
        }
        let spans = try db.prepare("""
            SELECT coalesce(connector_id, 0), min(time_ms), max(time_ms) FROM event
            WHERE time_ms >= ?1 AND time_ms < ?2 AND kind BETWEEN 4 AND 7 AND kind IN (4, 5, 6) GROUP BY 1
            """)
        spans.bind(1, fromMs); spans.bind(2, toMs)
        while try spans.step() {
            byID[spans.int64(0)]?.firstErrorUTC = Timestamp.isoString(spans.int64(1))
            byID[spans.int64(0)]?.lastErrorUTC = Timestamp.isoString(spans.int64(2))
        }
        // Next hop: the remote host that took most of the connector's sent mail in the
        // window; for a connector that sent nothing, the host of most of its errors.
        var hopCounts: [Int64: (name: String, n: Int)] = [:]
        func noteHop(_ id: Int64, _ name: String, _ n: Int) {
            if let best = hopCounts[id], best.n > n || (best.n == n && best.name < name) { return }
            hopCounts[id] = (name, n)
        }
        let sentHops = try db.prepare("""
            SELECT n.connector_id, h.name, sum(n.events) FROM daily_next_hop n JOIN host h ON h.id = n.host_id
            WHERE n.day >= ?1 AND n.day <= ?2 GROUP BY 1, 2
            """)
        sentHops.bind(1, fromDayS); sentHops.bind(2, toDayS)
        while try sentHops.step() { noteHop(sentHops.int64(0), sentHops.string(1) ?? "", sentHops.int(2)) }
        let errorHops = try db.prepare("""
            SELECT coalesce(e.connector_id, 0), h.name, count(*) FROM event e JOIN host h ON h.id = e.remote_host_id
            WHERE e.time_ms >= ?1 AND e.time_ms < ?2 AND e.kind BETWEEN 4 AND 7 GROUP BY 1, 2
            """)
        errorHops.bind(1, fromMs); errorHops.bind(2, toMs)
        var errorHopCounts: [Int64: (name: String, n: Int)] = [:]
        while try errorHops.step() {
            let id = errorHops.int64(0), name = errorHops.string(1) ?? "", n = errorHops.int(2)
            if let best = errorHopCounts[id], best.n > n || (best.n == n && best.name < name) { continue }
            errorHopCounts[id] = (name, n)
        }
        let previousErrors = try db.prepare("""
            SELECT connector_id, sum(events) FROM daily_rollup WHERE day >= ?1 AND day <= ?2 AND kind IN (4, 5, 6) GROUP BY 1
            """)
        previousErrors.bind(1, Timestamp.dayString(Timestamp.dayNumber(fromMs - span)))
        previousErrors.bind(2, Timestamp.dayString(Timestamp.dayNumber(fromMs - 1)))
        var previousByID: [Int64: Int] = [:]
        while try previousErrors.step() { previousByID[previousErrors.int64(0)] = previousErrors.int(1) }
        for (id, var s) in byID {
            if s.deferred + s.failed + s.expired + s.delivered + s.received == 0 { continue }
            s.nextHop = hopCounts[id]?.name ?? errorHopCounts[id]?.name
            s.previousErrorEvents = previousByID[id] ?? 0
            m.connectors.append(s)
        }
        m.connectors.sort { ($0.deferred + $0.failed + $0.expired, $1.name) > ($1.deferred + $1.failed + $1.expired, $0.name) }

        // Expired messages.
        let exp = try db.prepare("""
            SELECT message_id, recipient, recipient_domain, connector, first_seen_utc, expired_utc, queue_seconds, attempts, root_cause,
                   last_error
            FROM v_expired WHERE expired_utc >= ?1 AND expired_utc < ?2 ORDER BY expired_utc, message_id, recipient
            """)
        exp.bind(1, m.fromUTC)
        exp.bind(2, m.toUTC)
        while try exp.step() {
            m.expired.append(Expired(
                messageID: exp.string(0), recipient: exp.string(1), domain: exp.string(2), connector: exp.string(3),
                firstSeenUTC: exp.string(4), expiredUTC: exp.string(5) ?? "", queueSeconds: exp.optionalInt(6),
                attempts: exp.int(7), rootCause: exp.string(8), lastError: exp.string(9)))
        }

        // Deliveries still deferred at the end of the data.
        let lastEvent = try db.prepare("SELECT max(last_ms) FROM source_file WHERE last_ms <= ?1")
        lastEvent.bind(1, currentTimeMs())
        if try lastEvent.step(), !lastEvent.isNull(0) {
            let end = lastEvent.int64(0)
            m.dataEndUTC = Timestamp.isoString(end)
            let pending = try db.prepare("""
                SELECT x.message_id, r.name, c.name, x.first_ms, d.attempts, d.last_cause, st.text, d.source
                FROM delivery d JOIN message x ON x.id = d.message_ref
                LEFT JOIN address r ON r.id = d.recipient_id LEFT JOIN connector c ON c.id = d.connector_id
                LEFT JOIN status st ON st.id = d.last_status_id
                WHERE d.outcome = 'pending' ORDER BY x.first_ms, x.message_id, r.name LIMIT 1000
                """)
            while try pending.step() {
                let first = pending.int64(3)
                let source = pending.string(7)
                m.pending.append(Pending(
                    messageID: pending.string(0), recipient: pending.string(1), connector: pending.string(2),
                    firstSeenUTC: Timestamp.isoString(first), attempts: pending.int(4), lastCause: pending.string(5),
                    lastError: pending.string(6), queuedSeconds: Int(max(0, end - first) / 1000), source: source,
                    overdue: end - first > expiry.window(for: source)))
            }
            m.expiryWindows = expiry
        }

        // Top causes, ranked by distinct affected messages.
        let causes = try db.prepare("""
            SELECT e.root_cause, count(*), count(DISTINCT e.message_ref), count(DISTINCT e.connector_id),
                   min(e.time_ms), max(e.time_ms),
                   (SELECT count(DISTINCT p.message_ref) FROM event p WHERE p.root_cause = e.root_cause
                      AND p.kind BETWEEN 4 AND 7 AND p.kind IN (4, 5, 6) AND p.time_ms >= ?3 AND p.time_ms < ?1),
                   (SELECT st.text FROM event p JOIN status st ON st.id = p.status_id
                     WHERE p.root_cause = e.root_cause AND p.kind BETWEEN 4 AND 7 AND p.time_ms >= ?1 AND p.time_ms < ?2
                     ORDER BY p.time_ms DESC LIMIT 1)
            FROM event e WHERE e.kind BETWEEN 4 AND 7 AND e.kind IN (4, 5, 6) AND e.time_ms >= ?1 AND e.time_ms < ?2 AND e.root_cause IS NOT NULL
            GROUP BY e.root_cause ORDER BY 3 DESC, 2 DESC, 1
            """)
        causes.bind(1, fromMs)
        causes.bind(2, toMs)
        causes.bind(3, fromMs - span)
        let kb = KnowledgeBase.shared
        while try causes.step() {
            let code = causes.string(0) ?? "unknown"
            let example = causes.string(7)
            // The category of a code can depend on its text (status-codes.md section 12:
            // 4.4.317 with a certificate error is TLS; 5.7.1 "blocked using" is reputation):
            // the latest status text of the cause decides.
            // `category` stays the knowledge base's default for the code (as v_top_causes
            // gives it); the category the text points to is shown beside it.
            let x = kb.explain(code: code, text: example)
            let base = kb.info(for: code)?.category ?? x.defaultCategory
            m.causes.append(Cause(
                rootCause: code, category: base, textCategory: x.category != base ? x.category : nil, title: x.title, events: causes.int(1),
                messages: causes.int(2), connectors: causes.int(3), firstSeenUTC: Timestamp.isoString(causes.int64(4)),
                lastSeenUTC: Timestamp.isoString(causes.int64(5)), previousMessages: causes.int(6), fix: x.fix,
                example: example))
        }

        // Causes of the previous period that did not come back: shown with 0 messages, so a
        // fixed problem is visible as fixed.
        let gone = try db.prepare("""
            SELECT e.root_cause, count(DISTINCT e.message_ref), min(e.time_ms), max(e.time_ms)
            FROM event e WHERE e.kind BETWEEN 4 AND 7 AND e.kind IN (4, 5, 6) AND e.time_ms >= ?1 AND e.time_ms < ?2
              AND e.root_cause IS NOT NULL GROUP BY e.root_cause ORDER BY 2 DESC, 1
            """)
        gone.bind(1, fromMs - span)
        gone.bind(2, fromMs)
        let current = Set(m.causes.map(\.rootCause))
        while try gone.step() {
            let code = gone.string(0) ?? "unknown"
            guard !current.contains(code) else { continue }
            let x = kb.explain(code: code, text: nil)
            m.causes.append(Cause(
                rootCause: code, category: kb.info(for: code)?.category ?? x.defaultCategory, textCategory: nil, title: x.title,
                events: 0, messages: 0, connectors: 0, firstSeenUTC: Timestamp.isoString(gone.int64(2)),
                lastSeenUTC: Timestamp.isoString(gone.int64(3)), previousMessages: gone.int(1), fix: x.fix, example: nil))
        }

        // Parse health.
        let files = try db.prepare("SELECT file, format, encoding, compression, records, events, issues FROM v_files ORDER BY file")
        while try files.step() {
            m.files.append(FileHealth(
                file: files.string(0) ?? "", format: files.string(1) ?? "", encoding: files.string(2) ?? "",
                compression: files.string(3) ?? "", records: files.int(4), events: files.int(5), issues: files.int(6)))
        }
        let ic = try db.prepare("SELECT kind, count(*) FROM parse_issue GROUP BY kind ORDER BY 2 DESC, 1")
        while try ic.step() { m.issueCounts.append((ic.string(0) ?? "", ic.int(1))) }
        let samples = try db.prepare("SELECT file, line, byte_offset, kind, sample FROM v_parse_issues ORDER BY file, line LIMIT 50")
        while try samples.step() {
            let raw = samples.blob(4)
            m.issueSamples.append(Issue(
                file: samples.string(0) ?? "", line: samples.int(1), byteOffset: samples.int(2), kind: samples.string(3) ?? "",
                sample: String(decoding: raw.prefix(120), as: UTF8.self).replacingOccurrences(of: "\u{0}", with: "\u{2400}")))
        }
        return m
    }
}
