import MailflowScanner

/// The vocabulary of Exchange Online message trace exports, in one place (corpus kind
/// table; `reference/formats.md` section 3).
public enum MessageTraceVocabulary {
    /// `Get-MessageTrace(V2)` `Status` to kind; anything else (`FilteredAsSpam`,
    /// `GettingStatus`, `None`) is `other`.
    public static let statusTable: [(StaticString, EventKind)] = [
        ("Delivered", .delivered), ("Failed", .failed), ("Pending", .deferred), ("Expanded", .routed),
        ("Quarantined", .dropped),
    ]

    /// `Get-MessageTraceDetail(V2)` `Event` (and the last event word of an Enhanced
    /// summary `recipient_status`) to kind; anything else is `other`. A `Fail` whose
    /// status is an expiry is `expired`.
    public static let detailEventTable: [(StaticString, EventKind)] = [
        ("Receive", .received), ("Submit", .submitted), ("Send", .sent), ("Deliver", .delivered),
        ("Defer", .deferred), ("Fail", .failed), ("Drop", .dropped), ("Expand", .routed), ("Transfer", .routed),
        ("Resolved", .routed), ("Redirect", .routed),
    ]

    static func kind(_ bytes: UnsafeRawBufferPointer, in table: [(StaticString, EventKind)]) -> EventKind {
        for (name, kind) in table where MessageTrackingLog.equalsIgnoringCase(bytes, name) { return kind }
        return .other
    }
}

/// Columns (CSV) or members (JSON) a message trace row may have, by lower-case name.
enum TraceRole: Int {
    case time, sender, recipient, status, event, detail, messageID, connector, recipientStatus, toIP, fromIP

    static let names: [String: TraceRole] = [
        // Get-MessageTrace(V2), Reporting Web Service, Graph
        "received": .time, "receiveddatetime": .time, "senderaddress": .sender, "recipientaddress": .recipient,
        "status": .status, "messageid": .messageID, "toip": .toIP, "fromip": .fromIP,
        // Get-MessageTraceDetail(V2)
        "date": .time, "datetime": .time, "event": .event, "detail": .detail, "description": .detail,
        // historical search Enhanced summary
        "origin_timestamp_utc": .time, "origin_timestamp": .time, "sender_address": .sender,
        "recipient_status": .recipientStatus, "message_id": .messageID, "connector_id": .connector,
    ]

    /// Roles by ``hash64(_:)`` of the lower-case name (no allocation per JSON member).
    static let byHash: [UInt64: TraceRole] = {
        var out: [UInt64: TraceRole] = [:]
        for (name, role) in names { out[Array(name.utf8).withUnsafeBytes { hash64($0) }] = role }
        return out
    }()

    static func of(_ name: UnsafeRawBufferPointer) -> TraceRole? {
        guard name.count <= 64 else { return nil }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { buf in
            for i in 0..<name.count { buf[i] = asciiLowerByte(name[i]) }
            return byHash[hash64(UnsafeRawBufferPointer(start: buf.baseAddress, count: name.count))]
        }
    }
}

/// The row logic shared by the CSV and JSON readers of Exchange Online message trace
/// exports.
///
/// - `exo-message-trace` (`Get-MessageTrace(V2)`, one row per recipient): kind from
///   `Status` (``MessageTraceVocabulary/statusTable``); no codes; failed and pending rows
///   have root cause `unknown` (rule RC6).
/// - `exo-message-trace-detail` (`Get-MessageTraceDetail(V2)`): kind from `Event`; codes
///   and root cause from `Detail` (its `Reason: [{LED=...};...]` bracket form, rules C1,
///   RC1-RC4); a `Fail` with an expiry status is `expired`, its cause taken from the
///   latest earlier deferral when the text names none.
/// - `exo-historical-enhanced-summary` (11 columns): `recipient_status` packs
///   `addr##Receive, Deliver;addr2##Receive, Fail`; one event per recipient, kind from its
///   last event word; connector from `connector_id`; no codes.
///
/// Times: `/Date(ms)/`, ISO 8601 (zone-less = UTC), or en-US culture text
/// `M/d/yyyy h:mm:ss AM/PM`, all UTC (see ``time(_:)``).
final class MessageTraceRows {
    let format: LogFormat
    let clock: LocalClock
    private(set) var lastTimeMs: Int64?
    private var sawCultureTime = false

    init(format: LogFormat, clock: LocalClock) {
        self.format = format
        self.clock = clock
    }

    var timeRule: String? {
        sawCultureTime ? "en-US date text read as UTC (Exchange Online reports message trace times in UTC)" : nil
    }

    /// Message trace times are UTC whatever their spelling (Microsoft pages
    /// "Get-MessageTrace", "Get-MessageTraceV2": "output times in UTC"), so `--timezone`,
    /// meant for the local times of on-premises exports, does not apply: one folder can mix
    /// both.
    func time(_ t: UnsafeRawBufferPointer) -> Int64? {
        if let ms = Timestamp.parseMSJSONDate(t) { return ms }
        if let ms = Timestamp.parseISO8601(t) { return ms }
        if let utc = Timestamp.parseUSDateTime(t) {
            sawCultureTime = true
            return utc
        }
        return nil
    }

    /// Writes the events of one row whose values are given by role (empty = absent).
    /// - Returns: the outcome; `nil` in place of an issue detail means success.
    func write(_ v: (TraceRole) -> UnsafeRawBufferPointer, line: Int, into sink: EventSink) throws -> (Int, String?) {
        guard let time = time(v(.time)) else { return (0, "no readable time (Received, Date or origin_timestamp_utc)") }
        lastTimeMs = time
        var e = DeliveryEvent()
        e.line = line
        e.timeMs = time
        e.messageID = v(.messageID)
        e.sender = v(.sender)
        e.connector = v(.connector)
        switch format {
        case .exoMessageTraceDetail:
            let event = v(.event)
            guard !event.isEmpty else { return (0, "no Event value (is this a Get-MessageTraceDetail export?)") }
            let detail = v(.detail)
            e.rawEvent = event
            e.recipient = v(.recipient).isEmpty ? nil : v(.recipient)
            e.kind = MessageTraceVocabulary.kind(event, in: MessageTraceVocabulary.detailEventTable)
            if e.kind == .deferred || e.kind == .failed || e.kind == .dropped || StatusText.find(detail, "{LED=", from: 0) != nil {
                let a = StatusText.analyze(detail, wantCause: true)
                e.statusText = UnsafeRawBufferPointer(rebasing: detail[a.reply])
                if e.kind.hasRootCause || e.kind == .dropped {
                    e.replyCode = a.replyCode
                    e.enhancedCode = a.enhancedCode
                }
                e.remoteHost = a.remoteHost.map { UnsafeRawBufferPointer(rebasing: detail[$0]) } ?? e.remoteHost
                e.remoteIP = a.remoteIP.map { UnsafeRawBufferPointer(rebasing: detail[$0]) } ?? e.remoteIP
                if e.kind == .failed && a.isExpiry { e.kind = .expired }
                if e.kind.hasRootCause {
                    if e.kind == .expired && !a.causeFromText {
                        e.needsEarlierCause = true
                    } else {
                        e.rootCause = a.rootCause ?? "unknown"
                    }
                }
            }
            try sink.write(&e)
            return (1, nil)
        case .exoHistoricalEnhancedSummary:
            return (try writeEnhancedSummary(&e, v(.recipientStatus), into: sink), nil)
        default:
            let status = v(.status)
            guard !status.isEmpty else { return (0, "no Status value (is this a Get-MessageTrace export?)") }
            e.rawEvent = status
            e.recipient = v(.recipient).isEmpty ? nil : v(.recipient)
            e.kind = MessageTraceVocabulary.kind(status, in: MessageTraceVocabulary.statusTable)
            if e.kind.hasRootCause { e.rootCause = "unknown" }
            e.remoteIP = v(.toIP)
            try sink.write(&e)
            return (1, nil)
        }
    }

    /// `addr##Receive, Deliver;addr2##Receive, Fail`: one event per recipient. A `;`
    /// inside an address (quoted display forms) is kept: a member without `##` is joined
    /// to the one before it.
    private func writeEnhancedSummary(_ base: inout DeliveryEvent, _ packed: UnsafeRawBufferPointer, into sink: EventSink) throws -> Int {
        var members: [Range<Int>] = []
        var s = 0
        for i in 0...packed.count where i == packed.count || packed[i] == UInt8(ascii: ";") {
            let piece = s..<i
            let hasMarker = StatusText.find(UnsafeRawBufferPointer(rebasing: packed[piece]), "##", from: 0) != nil
            if !hasMarker, let last = members.last, i < packed.count || !piece.isEmpty {
                members[members.count - 1] = last.lowerBound..<i
            } else if !piece.isEmpty {
                members.append(piece)
            }
            s = i + 1
        }
        if members.isEmpty {
            base.kind = .other
            try sink.write(&base)
            return 1
        }
        for m in members {
            var e = base
            let member = UnsafeRawBufferPointer(rebasing: packed[m])
            guard let marker = StatusText.find(member, "##", from: 0) else {
                e.recipient = member
                e.kind = .other
                try sink.write(&e)
                continue
            }
            e.recipient = UnsafeRawBufferPointer(rebasing: member[..<marker]).trimmedSpaces
            let events = UnsafeRawBufferPointer(rebasing: member[(marker + 2)...])
            var lastStart = 0
            for i in 0..<events.count where events[i] == UInt8(ascii: ",") { lastStart = i + 1 }
            let last = UnsafeRawBufferPointer(rebasing: events[lastStart...]).trimmedSpaces
            e.rawEvent = events.trimmedSpaces
            e.kind = MessageTraceVocabulary.kind(last, in: MessageTraceVocabulary.detailEventTable)
            if e.kind.hasRootCause { e.rootCause = "unknown" }
            try sink.write(&e)
        }
        return members.count
    }
}

extension UnsafeRawBufferPointer {
    /// The bytes without ASCII spaces at either end.
    var trimmedSpaces: UnsafeRawBufferPointer {
        var a = 0, b = count
        while a < b && self[a] == 0x20 { a += 1 }
        while b > a && self[b - 1] == 0x20 { b -= 1 }
        return UnsafeRawBufferPointer(rebasing: self[a..<b])
    }
}

/// CSV exports of Exchange Online message trace (`Get-MessageTrace(V2) | Export-Csv`,
/// `Get-MessageTraceDetail(V2) | Export-Csv`, historical search Enhanced summary): RFC
/// 4180 with a header row (quoted fields may hold line ends; a row with another field
/// count than the header is `ragged-row`), columns found by name. Row meanings:
/// ``MessageTraceRows``.
public final class MessageTraceCSV: LineDecoder {
    private let rows: MessageTraceRows
    private var columns: [Int] = Array(repeating: -1, count: 11)
    private var header: [String]?
    private var scratch: [UInt8] = []

    public init(format: LogFormat, clock: LocalClock) {
        rows = MessageTraceRows(format: format, clock: clock)
    }

    public var scannerOptions: RecordScanner.Options {
        var o = RecordScanner.Options()
        o.quotedLineBreaks = true
        o.directives = true  // PowerShell's `#TYPE` line
        return o
    }

    public var lastTimeMs: Int64? { rows.lastTimeMs }
    public var timeRule: String? { rows.timeRule }
    public var resumeState: String? { header.map { "Fields: " + $0.joined(separator: ",") } }
    public func restore(_ state: String) -> Int? {
        guard state.hasPrefix("Fields: ") else { return nil }
        let names = state.dropFirst(8).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        map(names)
        return names.count
    }

    private func map(_ names: [String]) {
        header = names
        columns = Array(repeating: -1, count: 11)
        for (i, name) in names.enumerated() {
            if let role = TraceRole.names[name], columns[role.rawValue] < 0 { columns[role.rawValue] = i }
        }
    }

    public func decode(_ scanner: RecordScanner, into sink: EventSink) throws -> DecodeOutcome {
        if header == nil {
            var names: [String] = []
            for i in 0..<scanner.fieldCount {
                var name = ""
                scanner.field(i).withUnescaped { name = String(decoding: $0, as: UTF8.self) }
                names.append(String(name.trimmingSpaces.lowercased()))
            }
            map(names)
            return .header(fieldCount: names.count)
        }
        scratch.removeAll(keepingCapacity: true)
        scratch.reserveCapacity(scanner.recordBytes.count)
        let (n, problem) = try rows.write({ role in
            let i = self.columns[role.rawValue]
            guard i >= 0, i < scanner.fieldCount else { return UnsafeRawBufferPointer(start: nil, count: 0) }
            let f = scanner.field(i)
            guard f.hasEscapedQuotes else { return f.bytes }
            let start = self.scratch.count
            f.withUnescaped { self.scratch.append(contentsOf: $0) }
            return self.scratch.withUnsafeBytes { UnsafeRawBufferPointer(rebasing: $0[start...]) }
        }, line: scanner.recordLine, into: sink)
        if let problem { return .rejected(undecodable(scanner, problem)) }
        return .events(n)
    }
}

/// JSON exports of Exchange Online message trace: `Get-MessageTrace(V2) | ConvertTo-Json`
/// (an array of row objects), the Office 365 Reporting Web Service (`{"d": {"results":
/// [...]}}` with `/Date(ms)/` times and a `__metadata` member), Graph (`{"value": [...]}`)
/// and JSON Lines. Member names are compared case-insensitively. Row meanings:
/// ``MessageTraceRows``.
public final class MessageTraceJSON: JSONRecordDecoder {
    private let rows: MessageTraceRows
    private var reader = JSONObjectReader()
    private var values = [UnsafeRawBufferPointer](repeating: UnsafeRawBufferPointer(start: nil, count: 0), count: 11)
    private var roleCache = KeyMap<Int>(capacity: 64)

    public init(format: LogFormat, clock: LocalClock) {
        rows = MessageTraceRows(format: format, clock: clock)
    }

    public var lastTimeMs: Int64? { rows.lastTimeMs }
    public var timeRule: String? { rows.timeRule }

    public func decode(object: UnsafeRawBufferPointer, line: Int, lineOffset: Int64, into sink: EventSink) throws -> DecodeOutcome {
        func reject(_ detail: String) -> DecodeOutcome {
            .rejected(ScanIssue(kind: .undecodable, line: line, lineOffset: lineOffset,
                                sample: Array(object.prefix(ScanIssue.sampleLimit)), detail: detail))
        }
        do {
            try reader.parse(object)
        } catch {
            return reject("\(error)")
        }
        for i in 0..<values.count { values[i] = UnsafeRawBufferPointer(start: nil, count: 0) }
        for m in reader.members {
            // Member names repeat from row to row: their roles are cached by the hash of
            // the name as written (-1: no role).
            let key = reader.key(m)
            let h = hash64(key)
            let cached: Int
            if let c = roleCache[h] {
                cached = c
            } else {
                cached = TraceRole.of(key)?.rawValue ?? -1
                if roleCache.count < 4096 { roleCache[h] = cached }
            }
            guard cached >= 0, values[cached].isEmpty else { continue }
            values[cached] = reader.text(m)
        }
        let (n, problem) = try rows.write({ self.values[$0.rawValue] }, line: line, into: sink)
        if let problem { return reject(problem) }
        return .events(n)
    }
}
