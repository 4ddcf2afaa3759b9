import MailflowScanner

/// Decoder for Exchange Server message tracking logs (`MSGTRK*.LOG`), Exchange 2007 to
/// Subscription Edition: W3C-style header (`#Software`, `#Version`, `#Log-type`, `#Date`,
/// `#Fields`) and one comma-separated record per line. Facts: Microsoft page "Message
/// tracking in Exchange Server"; `reference/formats.md` section 1.
///
/// ## Parsing behavior
/// - Columns are found by their `#Fields:` names, case-insensitively, never by position;
///   a `#Fields:` line mid-file (service restart) re-maps the columns from the next line on.
///   Any field set with at least `date-time` and `event-id` is accepted (2007: 21 fields,
///   2010: 26, 2013: 27, 2016/2019/SE: 30).
/// - A record never spans lines; a record whose field count differs from `#Fields` is
///   rejected (`ragged-row`), an unreadable `date-time` too (`undecodable`).
/// - One event per recipient: `recipient-address` is `;`-joined and `recipient-status`
///   pairs with it by position. With one recipient the whole status is that recipient's;
///   with several, the status is split on `;` outside single-quoted members and outside
///   `[...]`/`{...}`. A member wrapped in single quotes is unwrapped (`''` is `'`). A record
///   without recipients gives one event without recipient.
/// - `event-id` maps to a unified kind through ``kindTable``; DEFER and FAIL with source
///   `AGENT` (transport-rule "zero defer", redirect rule) are `other`; a FAIL whose status is
///   an expiry (4.4.7, 5.4.300, `QUEUE.Expired`) is `expired`. Unknown event ids are kept
///   as `other` with their raw name.
/// - Timestamps are UTC ISO 8601 with milliseconds (extra digits truncated).
public final class MessageTrackingLog: LineDecoder {
    /// Event-id to kind, the one place this format's vocabulary lives (corpus kind table).
    public static let kindTable: [(eventID: StaticString, kind: EventKind)] = [
        ("RECEIVE", .received), ("SUBMIT", .submitted), ("SEND", .sent), ("SENDEXTERNAL", .sent),
        ("DELIVER", .delivered), ("DEFER", .deferred), ("FAIL", .failed), ("DSN", .dsn),
        ("DROP", .dropped), ("EXPAND", .routed), ("RESOLVE", .routed), ("REDIRECT", .routed),
        ("TRANSFER", .routed),
    ]

    /// Scanner settings for this format.
    public static var scannerOptions: RecordScanner.Options {
        var options = RecordScanner.Options()
        options.quotedLineBreaks = false
        options.directives = true
        return options
    }

    public var scannerOptions: RecordScanner.Options {
        var o = Self.scannerOptions
        if csvHeader {
            // RFC 4180 exports: quoted fields may hold line ends; `#TYPE` is PowerShell's.
            o.quotedLineBreaks = true
            o.directives = format == .exchangeMessageTrackingCSV
        }
        return o
    }
    public var timeRule: String? {
        format == .exchangeMessageTrackingCSV ? "Timestamp is local time, read in \(clock?.zone ?? "UTC") (--timezone)" : nil
    }
    public var resumeState: String? { fieldsDirective }
    public func restore(_ state: String) -> Int? {
        Array(state.utf8).withUnsafeBytes { readDirective($0) }
    }

    private struct Columns {
        var count = 0
        var dateTime = -1, eventID = -1, source = -1, connector = -1, messageID = -1
        var sender = -1, recipients = -1, recipientStatus = -1
        var serverHost = -1, serverIP = -1, clientHost = -1, clientIP = -1
    }

    private var columns = Columns()
    /// Whether a `#Fields:` line has been seen.
    public private(set) var hasFields = false
    /// `#Version:` of the log (e.g. `15.02.1544.004`), if given.
    public private(set) var version: String?
    /// The `#Fields:` directive in force (without `#`), to resume a file mid-way.
    public private(set) var fieldsDirective: String?
    /// Time of the last record decoded, ms since the Unix epoch, UTC.
    public private(set) var lastTimeMs: Int64?
    private var event = DeliveryEvent()
    /// Unescaped copies of quoted fields holding `""`; reserved to the record's length at
    /// the start of each record so that pointers into it stay valid for that record.
    private var fieldScratch: [UInt8] = []
    private var memberScratch: [UInt8] = []
    private var recipientRanges: [Range<Int>] = []
    private var statusRanges: [Range<Int>] = []

    /// The format read: `exchange-message-tracking` (W3C header), or the same events as a
    /// CSV with a header row: `exo-historical-extended` (underscore names,
    /// `date_time_utc`) and `exchange-message-tracking-csv` (`Get-MessageTrackingLog |
    /// Export-Csv`: PowerShell property names such as `Timestamp`, `EventId`,
    /// `Recipients`; `Timestamp` is the server's local time, read with `clock`).
    public let format: LogFormat
    private let csvHeader: Bool
    private let clock: LocalClock?

    /// - Parameters:
    ///   - format: one of the three formats above.
    ///   - clock: zone of zone-less times (`--timezone`), for the PowerShell export.
    public init(format: LogFormat = .exchangeMessageTracking, clock: LocalClock? = nil) {
        self.format = format
        self.csvHeader = format != .exchangeMessageTracking
        self.clock = clock
        memberScratch.reserveCapacity(1024)
        recipientRanges.reserveCapacity(16)
        statusRanges.reserveCapacity(16)
    }

    /// Reads a directive line (without `#`); `Fields:` re-maps the columns.
    /// - Returns: the field count for the scanner's ragged-row check, when it changed.
    public func readDirective(_ line: UnsafeRawBufferPointer) -> Int? {
        let text = String(decoding: line, as: UTF8.self)
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let key = text[..<colon].trimmingSpaces.lowercased()
        let value = text[text.index(after: colon)...].trimmingSpaces
        switch key {
        case "fields":
            let names = value.split(separator: ",", omittingEmptySubsequences: false).map { String($0.trimmingSpaces.lowercased()) }
            mapColumns(names)
            fieldsDirective = text
            return columns.count
        case "version":
            version = String(value)
            return nil
        default:
            return nil
        }
    }

    /// Column names of the three spellings: W3C (`date-time`), historical search
    /// (`date_time_utc`, underscores) and PowerShell properties (`Timestamp`, `EventId`).
    private func mapColumns(_ names: [String]) {
        var c = Columns()
        c.count = names.count
        for (i, raw) in names.enumerated() {
            let name = raw.replacingUnderscores
            switch name {
            case "date-time", "date-time-utc", "timestamp": c.dateTime = i
            case "event-id", "eventid": c.eventID = i
            case "source": c.source = i
            case "connector-id", "connectorid": c.connector = i
            case "message-id", "messageid": c.messageID = i
            case "sender-address", "sender": c.sender = i
            case "recipient-address", "recipients": c.recipients = i
            case "recipient-status", "recipientstatus": c.recipientStatus = i
            case "server-hostname", "serverhostname": c.serverHost = i
            case "server-ip", "serverip": c.serverIP = i
            case "client-hostname", "clienthostname": c.clientHost = i
            case "client-ip", "clientip": c.clientIP = i
            default: break
            }
        }
        columns = c
        hasFields = c.dateTime >= 0 && c.eventID >= 0
    }

    /// Reads the CSV header row of an export.
    private func readHeader(_ scanner: RecordScanner) -> DecodeOutcome {
        var names: [String] = []
        for i in 0..<scanner.fieldCount {
            var name = ""
            scanner.field(i).withUnescaped { name = String(decoding: $0, as: UTF8.self) }
            names.append(String(name.trimmingSpaces.lowercased()))
        }
        mapColumns(names)
        guard hasFields else {
            return .rejected(undecodable(scanner, "header row without a time and an event id column"))
        }
        fieldsDirective = "Fields: " + names.joined(separator: ",")
        return .header(fieldCount: names.count)
    }

    /// Time of a record: ISO 8601 (UTC when it carries no zone, except the PowerShell
    /// export's local `Timestamp`), or en-US culture text read in the `--timezone` zone.
    private func time(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        var zoned = false
        if let t = Timestamp.parseISO8601(bytes, hasZone: &zoned) {
            if !zoned && format == .exchangeMessageTrackingCSV, let clock { return clock.utc(fromLocal: t) }
            return t
        }
        if let t = Timestamp.parseUSDateTime(bytes) { return clock?.utc(fromLocal: t) ?? t }
        return nil
    }

    /// Decodes the scanner's current record into events sent to `sink`.
    /// - Returns: the number of events, or an `undecodable` issue (nothing written).
    /// - Throws: what the sink throws.
    public func decode(_ scanner: RecordScanner, into sink: EventSink) throws -> DecodeOutcome {
        if csvHeader && !hasFields { return readHeader(scanner) }
        let c = columns
        guard hasFields else {
            return .rejected(undecodable(scanner, "record before any #Fields: line"))
        }
        fieldScratch.removeAll(keepingCapacity: true)
        fieldScratch.reserveCapacity(scanner.recordBytes.count)
        guard let time = time(optionalField(scanner, c.dateTime)) else {
            return .rejected(undecodable(scanner, "date-time is not an ISO 8601 time"))
        }
        lastTimeMs = time
        let eventID = scanner.field(c.eventID).bytes
        let source = c.source >= 0 ? scanner.field(c.source).bytes : UnsafeRawBufferPointer(start: nil, count: 0)
        var kind = Self.kind(of: eventID)
        if (kind == .deferred || kind == .failed) && Self.equalsIgnoringCase(source, "AGENT") {
            kind = .other  // zero defer / redirect rule (formats.md 1.7)
        }

        event = DeliveryEvent()
        event.line = scanner.recordLine
        event.timeMs = time
        event.rawEvent = eventID
        event.source = source
        event.connector = optionalField(scanner, c.connector)
        event.messageID = optionalField(scanner, c.messageID)
        event.sender = optionalField(scanner, c.sender)
        let isSend = kind == .sent
        let isReceive = kind == .received
        let fallbackHost = isSend ? optionalField(scanner, c.serverHost) : isReceive ? optionalField(scanner, c.clientHost) : UnsafeRawBufferPointer(start: nil, count: 0)
        let fallbackIP = isSend ? optionalField(scanner, c.serverIP) : isReceive ? optionalField(scanner, c.clientIP) : UnsafeRawBufferPointer(start: nil, count: 0)

        // Recipients and their statuses (`System.String[]`: a PowerShell export of an
        // array that the script did not join; the recipients are unknown).
        var recipientsField = optionalField(scanner, c.recipients)
        if csvHeader && Self.equalsIgnoringCase(recipientsField, "System.String[]") {
            recipientsField = UnsafeRawBufferPointer(start: nil, count: 0)
        }
        splitRecipients(recipientsField)
        // The status field as it is (or unescaped into fieldScratch when it holds `""`).
        let statusAll = optionalField(scanner, c.recipientStatus)
        let recipientCount = max(recipientRanges.count, 1)
        splitStatuses(statusAll, count: recipientCount)

        var written = 0
        for r in 0..<recipientCount {
            var e = event
            e.kind = kind
            e.recipient = recipientRanges.isEmpty ? nil : UnsafeRawBufferPointer(rebasing: recipientsField[recipientRanges[r]])
            let statusRange = r < statusRanges.count ? statusRanges[r] : 0..<0
            try withUnquotedMember(UnsafeRawBufferPointer(rebasing: statusAll[statusRange])) { status in
                let analysis = StatusText.analyze(status, wantCause: kind.hasRootCause)
                e.replyCode = analysis.replyCode
                e.enhancedCode = analysis.enhancedCode
                if !status.isEmpty { e.statusText = UnsafeRawBufferPointer(rebasing: status[analysis.reply]) }
                e.remoteHost = analysis.remoteHost.map { UnsafeRawBufferPointer(rebasing: status[$0]) } ?? fallbackHost
                e.remoteIP = analysis.remoteIP.map { UnsafeRawBufferPointer(rebasing: status[$0]) } ?? fallbackIP
                if kind == .failed && analysis.isExpiry { e.kind = .expired }
                if e.kind.hasRootCause {
                    if e.kind == .expired && !analysis.causeFromText {
                        e.needsEarlierCause = true
                        e.rootCause = nil
                    } else {
                        e.rootCause = analysis.rootCause ?? "unknown"
                    }
                }
                try sink.write(&e)
            }
            written += 1
        }
        return .events(written)
    }

    // MARK: - Helpers

    static func kind(of eventID: UnsafeRawBufferPointer) -> EventKind {
        for (name, kind) in kindTable where equalsIgnoringCase(eventID, name) { return kind }
        return .other
    }

    static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        guard bytes.count == literal.utf8CodeUnitCount else { return false }
        let p = literal.utf8Start
        for i in 0..<bytes.count where asciiLowerByte(bytes[i]) != asciiLowerByte(p[i]) { return false }
        return true
    }

    /// Field `index` (empty when the column is absent), `""` reduced to `"`.
    private func optionalField(_ scanner: RecordScanner, _ index: Int) -> UnsafeRawBufferPointer {
        guard index >= 0 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        let field = scanner.field(index)
        guard field.hasEscapedQuotes else { return field.bytes }
        let start = fieldScratch.count
        field.withUnescaped { fieldScratch.append(contentsOf: $0) }
        return fieldScratch.withUnsafeBytes { UnsafeRawBufferPointer(rebasing: $0[start...]) }
    }

    /// Fills `recipientRanges` with the non-empty `;`-separated addresses.
    private func splitRecipients(_ field: UnsafeRawBufferPointer) {
        recipientRanges.removeAll(keepingCapacity: true)
        if field.isEmpty { return }
        if !field.contains(UInt8(ascii: ";")) && field.first != UInt8(ascii: " ") && field.last != UInt8(ascii: " ") {
            recipientRanges.append(0..<field.count)
            return
        }
        var s = 0
        for i in 0...field.count where i == field.count || field[i] == UInt8(ascii: ";") {
            var a = s, b = i
            while a < b && field[a] == UInt8(ascii: " ") { a += 1 }
            while b > a && field[b - 1] == UInt8(ascii: " ") { b -= 1 }
            if b > a { recipientRanges.append(a..<b) }
            s = i + 1
        }
    }

    /// Splits the status field into `count` member ranges (see the type's parsing behavior).
    private func splitStatuses(_ field: UnsafeRawBufferPointer, count: Int) {
        statusRanges.removeAll(keepingCapacity: true)
        let n = field.count
        if n == 0 { return }
        if count == 1 {
            statusRanges.append(0..<n)
            return
        }
        var s = 0
        var i = 0
        var depth = 0
        var inQuote = false
        while i < n {
            let b = field[i]
            if inQuote {
                if b == UInt8(ascii: "'") {
                    if i + 1 < n && field[i + 1] == UInt8(ascii: "'") { i += 2; continue }
                    inQuote = false
                }
            } else if b == UInt8(ascii: "'") && i == s {
                inQuote = true
            } else if b == UInt8(ascii: "[") || b == UInt8(ascii: "{") {
                depth += 1
            } else if (b == UInt8(ascii: "]") || b == UInt8(ascii: "}")) && depth > 0 {
                depth -= 1
            } else if b == UInt8(ascii: ";") && depth == 0 {
                statusRanges.append(s..<i)
                s = i + 1
            }
            i += 1
        }
        statusRanges.append(s..<n)
    }

    /// Calls `body` with a status member, single quotes removed and `''` reduced to `'`.
    private func withUnquotedMember(_ member: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        let q = UInt8(ascii: "'")
        guard member.count >= 2, member[0] == q, member[member.count - 1] == q else { return try body(member) }
        let inner = UnsafeRawBufferPointer(rebasing: member[1..<(member.count - 1)])
        var doubled = false
        var i = 0
        while i + 1 < inner.count {
            if inner[i] == q && inner[i + 1] == q { doubled = true; break }
            i += 1
        }
        if !doubled { return try body(inner) }
        memberScratch.removeAll(keepingCapacity: true)
        i = 0
        while i < inner.count {
            memberScratch.append(inner[i])
            i += (inner[i] == q && i + 1 < inner.count && inner[i + 1] == q) ? 2 : 1
        }
        try memberScratch.withUnsafeBytes(body)
    }
}

extension StringProtocol {
    /// The text with `_` replaced by `-` (historical search column names).
    var replacingUnderscores: String { String(map { $0 == "_" ? "-" : $0 }) }

    var trimmingSpaces: Substring {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" || f == "\n" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" || l == "\n" { s = s.dropLast() }
        return s
    }
}
