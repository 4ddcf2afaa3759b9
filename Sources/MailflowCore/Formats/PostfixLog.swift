import Foundation
import MailflowScanner

/// Decoder for a Postfix maillog: syslog lines, classic (RFC 3164 style, `Mmm dd hh:mm:ss
/// host tag[pid]: message`) or with an RFC 3339 time (`2026-11-02T00:30:01.123456+01:00
/// host tag[pid]: message`, rsyslog's high-precision template). Facts: Postfix
/// documentation (`postconf(5)`, `qmgr(8)`, `bounce(8)`, `smtpd(8)`, `postscreen(8)`),
/// `reference/formats.md` section 4, `reference/status-codes.md` section 13; counting rules
/// R3, Time, C2, RC5 and Expiry of the corpus README.
///
/// ## Parsing behavior
/// - Every line is one record and gives exactly one event. A line is a syslog line when it
///   starts with a time, a host (which a few local syslog daemons omit) and a program tag
///   ending in `:` (`tag[pid]:` or `tag:`).
///   Its program is Postfix when the tag is `postfix`, `postfix/...` or `postfix-NAME/...`
///   (multi-instance setups, e.g. `postfix-out/smtp`); the daemon is the tag's last
///   component (`smtpd` of `postfix/submission/smtpd`).
/// - Syslog lines of other programs (`dovecot`, `opendkim`, ...) and syslogd's own
///   tag-less `last message repeated N times` / `-- MARK --` lines are skipped: neither
///   records nor issues. Their times still count for the year rule.
/// - A line that is not a syslog line at all (a fragment left by a NUL run, a wrapped
///   continuation) is rejected: `truncated-record` when it is the input's last line and has
///   no line end, else `ragged-row`.
/// - Times: classic stamps (day space-padded or not, optional fraction) carry no year and no
///   zone. They are read in the `--timezone` zone. With a year given (`--year`), it applies
///   to the first classic line and increases by one each time the month goes down from one
///   line to the next (December to January). Without it, each stamp gets the latest year
///   that puts it no more than one day (86,400,000 ms) after the file's modification time
///   (or the current time for standard input). RFC 3339 times carry their offset; extra
///   fraction digits are truncated to milliseconds.
/// - Kinds: `<qid>: to=<...>, ... status=sent` is `sent`, or `delivered` when the daemon is
///   `local`, `virtual`, `lmtp` or `pipe`; `status=deferred` is `deferred`; `status=bounced`
///   is `failed`; qmgr `<qid>: from=<...>, status=expired, returned to sender` is `expired`
///   (one event, no recipient, no codes, ``DeliveryEvent/expiresMessage``);
///   `status=force-expired` is `dropped` (no codes, no root cause); `<qid>: client=` is
///   `received`; pickup `<qid>: uid=N from=<...>` is `submitted`; bounce `<qid>: sender
///   non-delivery notification: <qid2>` (or delay / delivery status notification) is `dsn`;
///   `NOQUEUE: reject: ...` is `dropped`. Everything else is `other`.
/// - Codes (rule C2): enhanced = the `dsn=` value; reply = the code right after `said: ` in
///   the parenthesised reason, else one at the reason's very start (`(550 User unknown)`).
///   A `NOQUEUE: reject:` line takes both from the text after `from <client>: ` (rule C1).
/// - Root cause (RC5): a deferral or bounce takes its `dsn=` value whatever its text says
///   (without `dsn=`: the status-text rules RC1-RC3, else `unknown`); the expired line's
///   cause is resolved by the store from the queue id's pending deferrals.
/// - A queue id is the `[0-9A-Za-z]+` token before `: ` that is not a lowercase word
///   (`warning:`, `statistics:` are not ids). The Message-ID logged by cleanup
///   (`<qid>: message-id=<...>`) is remembered per queue id for the rest of the file (until
///   qmgr logs `removed`; at most 500,000 are kept) and given to each later event of it.
/// - Connector: the transport and next hop, `<daemon>:[<relay host>]` (`smtp:[mx.contoso.test]`);
///   for `relay=none` the host named in the reason (`connect to H[...]`, `lost connection
///   with H[...]`, `conversation with H[...]`, `host H[...] said`) with transport `smtp`, else
///   empty; a relay without address (`local`, a pipe transport name) gives `<daemon>` or
///   `<daemon>:<relay>`. The remote host and IP come from the same place.
public final class PostfixLog: LineDecoder {
    /// Time of the last Postfix line decoded, ms since the Unix epoch, UTC.
    public private(set) var lastTimeMs: Int64?

    /// How the year of classic stamps is chosen.
    private enum YearRule: String {
        /// `--year` for the first line, +1 at each month decrease.
        case given = "year"
        /// Continued from an earlier run's state (``restore(_:)``), +1 at each month decrease.
        case restored = "continued"
        /// Per stamp: the latest year at most one day after the reference time.
        case modificationTime = "mtime"
    }

    private let clock: LocalClock
    private var rule: YearRule
    /// The year the first classic line got (given or restored).
    private var firstYear: Int
    /// Year of the latest classic line (year rules `given` and `restored`: the running year).
    private var year: Int
    /// Month (1-12) of the latest classic line; 0 before the first.
    private var lastMonth = 0
    /// Reference time of the modification-time rule (ms, UTC) and whether it is the file's.
    private let referenceMs: Int64
    private let referenceIsFileTime: Bool
    private var sawClassicStamp = false

    /// Cache of the latest classic stamp (its 15 bytes `Mmm dd hh:mm:ss` as two overlapping
    /// words) and its time: consecutive lines mostly share their second.
    private var cachedStampHead: UInt64 = 0
    private var cachedStampTail: UInt64 = 0
    private var cachedStampMs: Int64 = 0
    private var hasCachedStamp = false

    /// A Message-ID logged by cleanup, with the queue id it belongs to (checked on lookup,
    /// so a hash collision cannot attach a wrong id).
    private struct KnownMessage {
        var queueID: [UInt8]
        var messageID: [UInt8]
    }
    /// Message-IDs by queue-id hash, for this file.
    private var messageIDs: [UInt64: KnownMessage] = [:]
    /// Bound of ``messageIDs``: it is cleared when it grows past this many entries.
    public static let messageIDLimit = 500_000

    /// Root-cause strings of `dsn=` codes (few distinct values; avoids formatting per line).
    private var causeNames: [EnhancedStatusCode: String] = [:]

    /// Scratch bytes for the connector of the current event (`smtp:[host]`); grows as needed.
    private var scratch: UnsafeMutableRawPointer
    private var scratchCapacity = 512

    /// - Parameters:
    ///   - year: `--year`: the year of the first classic stamp; nil to derive each stamp's
    ///     year from `modificationMs`.
    ///   - modificationMs: the file's modification time, ms since the epoch, UTC; nil (and no
    ///     `year`) uses the current time.
    ///   - clock: the zone classic stamps are read in (`--timezone`).
    public init(year: Int?, modificationMs: Int64?, clock: LocalClock) {
        self.clock = clock
        rule = year == nil ? .modificationTime : .given
        firstYear = year ?? 0
        self.year = year ?? 0
        referenceIsFileTime = modificationMs != nil
        referenceMs = modificationMs ?? Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        scratch = UnsafeMutableRawPointer.allocate(byteCount: scratchCapacity, alignment: 8)
    }

    deinit { scratch.deallocate() }

    public var scannerOptions: RecordScanner.Options {
        var o = RecordScanner.Options()
        o.splitsFields = false
        o.directives = false
        return o
    }

    // MARK: Year state

    /// How classic stamps were dated, for `source_file.time_rule`; nil when the input had
    /// none (RFC 3339 only).
    public var timeRule: String? {
        guard sawClassicStamp else { return nil }
        let zone = "zone \(clock.zone)"
        switch rule {
        case .given:
            let end = year != firstYear ? " (\(year) at the end)" : ""
            return "classic syslog: year \(firstYear) from --year for the first line, +1 each time the month goes down (December to January)\(end); \(zone)"
        case .restored:
            let end = year != firstYear ? " (\(year) at the end)" : ""
            return "classic syslog: year \(firstYear) continued from the previous run, +1 each time the month goes down (December to January)\(end); \(zone)"
        case .modificationTime:
            let source = referenceIsFileTime ? "the file's modification time" : "the current time (no modification time)"
            return "classic syslog: year from \(source) \(Timestamp.isoString(referenceMs)): the latest year that puts each line at most one day after it; \(zone)"
        }
    }

    /// `syslog-year year=Y month=M rule=R`: the year and month of the last classic stamp and
    /// the rule that dated it; nil before any classic stamp.
    public var resumeState: String? {
        guard sawClassicStamp else { return nil }
        return "syslog-year year=\(year) month=\(lastMonth) rule=\(rule.rawValue)"
    }

    /// Continues the year of an earlier run (``resumeState``): the next classic line gets the
    /// stored year, +1 if its month is lower than the stored month. A state written under the
    /// modification-time rule is used only when this run was given a year (each stamp is
    /// otherwise dated on its own).
    /// - Returns: nil (records of this format have no field count).
    public func restore(_ state: String) -> Int? {
        var y: Int?, m: Int?, r: String?
        for part in state.split(separator: " ") {
            if part.hasPrefix("year=") { y = Int(part.dropFirst(5)) }
            if part.hasPrefix("month=") { m = Int(part.dropFirst(6)) }
            if part.hasPrefix("rule=") { r = String(part.dropFirst(5)) }
        }
        guard let y, let m, (0...12).contains(m) else { return nil }
        if r == YearRule.modificationTime.rawValue && rule == .modificationTime { return nil }
        rule = .restored
        firstYear = y
        year = y
        lastMonth = m
        hasCachedStamp = false
        return nil
    }

    // MARK: Syslog header

    /// The parts of a syslog line, as byte offsets into it.
    struct Header {
        var isClassic = false
        /// Classic stamp: month 1-12, day 1-31, second of the day, milliseconds.
        var month = 0, day = 0, secondOfDay = 0, millis = 0
        /// Classic stamp without fraction: exactly 15 bytes `Mmm dd hh:mm:ss` (cacheable).
        var plainStamp = false
        /// RFC 3339 stamp: ms since the epoch (UTC when `zoned`, else wall time read as UTC).
        var stampMs: Int64 = 0
        var zoned = false
        var host = 0..<0
        /// Program name without `[pid]`; empty for syslogd's tag-less lines.
        var tag = 0..<0
        /// First byte of the message (after `tag[pid]: `).
        var message = 0
    }

    /// Reads the syslog prefix of `t`: time, host, tag.
    /// - Returns: nil when `t` is not a syslog line.
    static func readHeader(_ t: UnsafeRawBufferPointer) -> Header? {
        let n = t.count
        guard n >= 16 else { return nil }
        var h = Header()
        var i: Int
        if let month = Timestamp.monthNumber(t[0], t[1], t[2]), t[3] == space {
            // Classic: "Mmm dd hh:mm:ss" (day space-padded, or one digit after one space).
            i = 4
            if t[i] == space { i += 1 }
            var day = 0, digits = 0
            while i < n && isDigit(t[i]) && digits < 2 { day = day * 10 + Int(t[i] - 48); i += 1; digits += 1 }
            guard digits > 0, (1...31).contains(day), i + 9 < n, t[i] == space,
                  let hh = twoDigits(t, i + 1), t[i + 3] == colon, let mm = twoDigits(t, i + 4), t[i + 6] == colon,
                  let ss = twoDigits(t, i + 7), hh < 24, mm < 60, ss < 61
            else { return nil }
            i += 9
            var millis = 0
            if t[i] == UInt8(ascii: ".") {
                i += 1
                var fraction = 0
                while i < n && isDigit(t[i]) {
                    if fraction < 3 { millis = millis * 10 + Int(t[i] - 48) }
                    fraction += 1
                    i += 1
                }
                guard fraction > 0 else { return nil }
                for _ in min(fraction, 3)..<3 { millis *= 10 }
            }
            h.isClassic = true
            h.plainStamp = i == 15
            h.month = month
            h.day = day
            h.secondOfDay = hh * 3600 + mm * 60 + ss
            h.millis = millis
        } else if isDigit(t[0]) && isDigit(t[3]) && t[4] == UInt8(ascii: "-") {
            // RFC 3339: "YYYY-MM-DDTHH:MM:SS[.f][Z|+hh:mm]".
            var end = 0
            while end < n && t[end] != space { end += 1 }
            var zoned = false
            guard let ms = Timestamp.parseISO8601(UnsafeRawBufferPointer(rebasing: t[0..<end]), hasZone: &zoned)
            else { return nil }
            h.stampMs = ms
            h.zoned = zoned
            i = end
        } else {
            return nil
        }
        // One space (classic syslog may pad with more), then the host.
        guard i < n, t[i] == space else { return nil }
        while i < n && t[i] == space { i += 1 }
        let hostStart = i
        while i < n && t[i] != space { i += 1 }
        guard i > hostStart, i + 1 < n else { return nil }
        if t[i - 1] == colon {
            // No host (some local syslog daemons omit it): the token is already the tag.
            h.host = hostStart..<hostStart
            i = hostStart
        } else {
            h.host = hostStart..<i
            i += 1
        }
        // The tag: "name[pid]:" or "name:".
        let tagStart = i
        while i < n && t[i] != colon && t[i] != space && t[i] != UInt8(ascii: "[") { i += 1 }
        let tagEnd = i
        if i < n && t[i] == UInt8(ascii: "[") {
            while i < n && t[i] != UInt8(ascii: "]") && t[i] != space { i += 1 }
            if i < n && t[i] == UInt8(ascii: "]") { i += 1 } else { i = tagStart }
        }
        if tagEnd > tagStart && i < n && t[i] == colon {
            h.tag = tagStart..<tagEnd
            i += 1
            if i < n && t[i] == space { i += 1 }
            h.message = i
            return h
        }
        // syslogd's own lines have no tag.
        if starts(t, tagStart, "last message repeated ") || starts(t, tagStart, "-- MARK --") {
            h.tag = tagStart..<tagStart
            h.message = tagStart
            return h
        }
        return nil
    }

    /// Whether `tag` is `postfix`, `postfix/...` or `postfix-NAME/...`.
    static func isPostfixTag(_ t: UnsafeRawBufferPointer, _ tag: Range<Int>) -> Bool {
        let s = tag.lowerBound
        guard tag.count >= 7, starts(t, s, "postfix") else { return false }
        if tag.count == 7 { return true }
        let next = t[s + 7]
        if next == slash { return tag.count > 8 }
        guard next == UInt8(ascii: "-") else { return false }
        var i = s + 8
        while i < tag.upperBound && t[i] != slash { i += 1 }
        return i > s + 8 && i + 1 < tag.upperBound
    }

    /// Whether `line` is a syslog line (classic `Mmm dd hh:mm:ss host tag:` or RFC 3339
    /// `YYYY-MM-DDTHH:MM:SS[.f]+hh:mm host tag:`) whose program tag is `postfix`,
    /// `postfix/...` or `postfix-NAME/...`, optionally with `[pid]`.
    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Whether `line` is a syslog line (classic or RFC 3339 time, host, program tag) of any
    /// program: a file of such lines is a maillog even when its first lines are not
    /// Postfix's (a busy IMAP server's lines come first).
    public static func isSyslogLine(_ line: [UInt8]) -> Bool {
        line.withUnsafeBytes { readHeader($0) != nil }
    }

    public static func isPostfixLine(_ line: [UInt8]) -> Bool {
        line.withUnsafeBytes { t in
            guard let h = readHeader(t) else { return false }
            return isPostfixTag(t, h.tag)
        }
    }

    // MARK: Time

    /// The time of a header, ms since the epoch, UTC; updates the year state.
    private func time(of h: Header, _ t: UnsafeRawBufferPointer) -> Int64 {
        guard h.isClassic else {
            return h.zoned ? h.stampMs : clock.utc(fromLocal: h.stampMs)
        }
        sawClassicStamp = true
        var head: UInt64 = 0, tail: UInt64 = 0
        if h.plainStamp {
            head = t.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
            tail = t.loadUnaligned(fromByteOffset: 7, as: UInt64.self)
            // The same stamp as the line before: same month, so no year step either.
            if hasCachedStamp && head == cachedStampHead && tail == cachedStampTail { return cachedStampMs }
        }
        let ms: Int64
        switch rule {
        case .given, .restored:
            if lastMonth != 0 && h.month < lastMonth { year += 1 }
            ms = clock.utc(fromLocal: Self.localMs(year, h))
        case .modificationTime:
            (year, ms) = latestYear(h)
        }
        lastMonth = h.month
        if h.plainStamp {
            cachedStampHead = head
            cachedStampTail = tail
            cachedStampMs = ms
            hasCachedStamp = true
        }
        return ms
    }

    /// Wall-clock time of a classic stamp in `year`, as ms "as if UTC".
    private static func localMs(_ year: Int, _ h: Header) -> Int64 {
        let days = Timestamp.daysFromCivil(year: year, month: h.month, day: h.day)
        return (Int64(days) * 86_400 + Int64(h.secondOfDay)) * 1000 + Int64(h.millis)
    }

    /// The modification-time rule: the latest year that puts the stamp no more than one day
    /// after the reference time (a 29 February only in leap years).
    private func latestYear(_ h: Header) -> (Int, Int64) {
        let limit = referenceMs + 86_400_000
        var y = Timestamp.civilFromDays(Timestamp.dayNumber(limit)).year + 1
        var fallback: (Int, Int64)?
        for _ in 0..<10 {
            if h.month == 2 && h.day == 29 && Timestamp.daysInMonth(y, 2) != 29 { y -= 1; continue }
            let ms = clock.utc(fromLocal: Self.localMs(y, h))
            if fallback == nil { fallback = (y, ms) }
            if ms <= limit { return (y, ms) }
            y -= 1
        }
        return fallback ?? (y, clock.utc(fromLocal: Self.localMs(y, h)))
    }

    // MARK: Decoding

    public func decode(_ scanner: RecordScanner, into sink: EventSink) throws -> DecodeOutcome {
        let t = scanner.recordBytes
        guard let h = Self.readHeader(t) else {
            let bytes = scanner.recordBytes
            return .rejected(ScanIssue(
                kind: scanner.recordIsUnterminatedLast ? .truncatedRecord : .raggedRow,
                line: scanner.recordLine, lineOffset: scanner.recordLineOffset,
                sample: Array(bytes.prefix(ScanIssue.sampleLimit)),
                detail: "not a syslog line (time, host, program tag)"))
        }
        let ms = time(of: h, t)
        guard Self.isPostfixTag(t, h.tag) else { return .skipped }
        // A classic stamp that does not exist in its year (Feb 30, Feb 29 of a common year,
        // Apr 31) or a year past 9999 is not a time: the line is rejected, not moved.
        if h.isClassic && (year > 9999 || h.day > Timestamp.daysInMonth(year, h.month)) {
            let bytes = scanner.recordBytes
            return .rejected(ScanIssue(
                kind: .undecodable, line: scanner.recordLine, lineOffset: scanner.recordLineOffset,
                sample: Array(bytes.prefix(ScanIssue.sampleLimit)),
                detail: "\(Self.monthNames[h.month - 1]) \(h.day) does not exist in \(year)"))
        }
        lastTimeMs = ms

        var e = DeliveryEvent()
        e.line = scanner.recordLine
        e.timeMs = ms
        e.kind = .other
        var d = h.tag.upperBound
        while d > h.tag.lowerBound && t[d - 1] != slash { d -= 1 }
        let daemon = UnsafeRawBufferPointer(rebasing: t[d..<h.tag.upperBound])
        e.rawEvent = daemon
        let m = h.message
        let n = t.count

        if starts(t, m, "NOQUEUE: ") {
            if starts(t, m + 9, "reject: ") { readReject(t, from: m + 17, into: &e) }
            try sink.write(&e)
            return .events(1)
        }
        guard let qidEnd = Self.queueIDEnd(t, m) else {
            try sink.write(&e)
            return .events(1)
        }
        let qid = UnsafeRawBufferPointer(rebasing: t[m..<qidEnd])
        e.queueID = qid
        let body = qidEnd + 2
        var removed = false

        if starts(t, body, "to=<") {
            readDelivery(t, body: body, daemon: daemon, into: &e)
        } else if starts(t, body, "from=<") {
            let s = body + 6
            let close = find(t, UInt8(ascii: ">"), from: s, to: n) ?? n
            e.sender = UnsafeRawBufferPointer(rebasing: t[s..<close])
            if starts(t, close, ">, status=") {
                let word = close + 10
                if starts(t, word, "expired,") || (starts(t, word, "expired") && word + 7 == n) {
                    e.kind = .expired
                    e.expiresMessage = true
                    e.source = UnsafeRawBufferPointer(rebasing: t[word..<(word + 7)])
                    e.statusText = UnsafeRawBufferPointer(rebasing: t[word..<n])
                } else if starts(t, word, "force-expired") {
                    e.kind = .dropped
                    e.source = UnsafeRawBufferPointer(rebasing: t[word..<(word + 13)])
                    e.statusText = UnsafeRawBufferPointer(rebasing: t[word..<n])
                }
            }
        } else if starts(t, body, "client=") {
            e.kind = .received
            let s = body + 7
            var end = s
            while end < n && t[end] != UInt8(ascii: ",") && t[end] != space { end += 1 }
            setEndpoint(t, s..<end, into: &e)
        } else if starts(t, body, "uid=") {
            if let f = find(t, " from=<", from: body, to: n) {
                e.kind = .submitted
                let s = f + 7
                let close = find(t, UInt8(ascii: ">"), from: s, to: n) ?? n
                e.sender = UnsafeRawBufferPointer(rebasing: t[s..<close])
            }
        } else if starts(t, body, "message-id=") {
            var s = body + 11
            var end = n
            if s < n && t[s] == UInt8(ascii: "<") {
                end = (find(t, UInt8(ascii: ">"), from: s, to: n)).map { $0 + 1 } ?? n
            } else {
                while s < n && t[s] == space { s += 1 }
                while end > s && t[end - 1] == space { end -= 1 }
            }
            if end > s {
                let id = UnsafeRawBufferPointer(rebasing: t[s..<end])
                remember(queueID: qid, messageID: id)
                e.messageID = id
                try sink.write(&e)
                return .events(1)
            }
        } else if starts(t, body, "sender ") || starts(t, body, "postmaster ") {
            if find(t, " notification: ", from: body, to: n) != nil { e.kind = .dsn }
        } else if starts(t, body, "removed") {
            removed = true
        }

        let key = Self.hashQueueID(qid)
        if let known = messageIDs[key], known.queueID.elementsEqual(qid) {
            try known.messageID.withUnsafeBytes { id in
                e.messageID = id
                try sink.write(&e)
            }
            if removed { messageIDs[key] = nil }
        } else {
            try sink.write(&e)
        }
        return .events(1)
    }

    /// End of the queue id that starts the message at `m` (followed by `: `), or nil. A
    /// lowercase word (`warning`, `statistics`, `fatal`) is not a queue id.
    static func queueIDEnd(_ t: UnsafeRawBufferPointer, _ m: Int) -> Int? {
        var i = m
        var lowercaseOnly = true
        while i < t.count {
            let b = t[i]
            if b &- 97 < 26 {
            } else if isDigit(b) || b &- 65 < 26 {
                lowercaseOnly = false
            } else {
                break
            }
            i += 1
        }
        guard i > m, !lowercaseOnly, i + 1 < t.count, t[i] == colon, t[i + 1] == space else { return nil }
        return i
    }

    /// A delivery attempt: `to=<rcpt>, [orig_to=<...>,] relay=..., [conn_use=N,] delay=...,
    /// delays=..., dsn=X.Y.Z, status=WORD (reason)`.
    private func readDelivery(_ t: UnsafeRawBufferPointer, body: Int, daemon: UnsafeRawBufferPointer, into e: inout DeliveryEvent) {
        let n = t.count
        let s = body + 4
        let close = find(t, ">, ", from: s, to: n) ?? find(t, UInt8(ascii: ">"), from: s, to: n) ?? n
        e.recipient = UnsafeRawBufferPointer(rebasing: t[s..<close])
        guard let statusAt = find(t, ", status=", from: close, to: n) else { return }
        // The status word and the parenthesised reason after it (nested parentheses kept).
        let word = statusAt + 9
        var w = word
        while w < n && t[w] != space && t[w] != UInt8(ascii: ",") && t[w] != UInt8(ascii: "(") { w += 1 }
        e.source = UnsafeRawBufferPointer(rebasing: t[word..<w])
        var reason = w..<w
        var r = w
        while r < n && t[r] == space { r += 1 }
        if r < n && t[r] == UInt8(ascii: "(") {
            var depth = 0
            var j = r
            var end = n
            while j < n {
                if t[j] == UInt8(ascii: "(") {
                    depth += 1
                } else if t[j] == UInt8(ascii: ")") {
                    depth -= 1
                    if depth == 0 { end = j; break }
                }
                j += 1
            }
            reason = (r + 1)..<end
        }
        e.statusText = UnsafeRawBufferPointer(rebasing: t[reason])

        let status = e.source
        if equals(status, "sent") {
            e.kind = equals(daemon, "local") || equals(daemon, "virtual") || equals(daemon, "lmtp") || equals(daemon, "pipe")
                ? .delivered : .sent
        } else if equals(status, "deferred") {
            e.kind = .deferred
        } else if equals(status, "bounced") {
            e.kind = .failed
        }

        // Codes (rule C2).
        if let p = find(t, ", dsn=", from: close, to: statusAt) {
            e.enhancedCode = StatusText.enhancedCode(in: t, at: p + 6, limit: statusAt, checkBefore: false)?.0
        }
        if !reason.isEmpty {
            if let p = find(t, "said: ", from: reason.lowerBound, to: reason.upperBound) {
                e.replyCode = Self.reply(t, at: p + 6, limit: reason.upperBound)
            } else {
                e.replyCode = Self.reply(t, at: reason.lowerBound, limit: reason.upperBound)
            }
        }
        // Root cause (rule RC5): the line's dsn=.
        if e.kind == .deferred || e.kind == .failed {
            if let code = e.enhancedCode {
                e.rootCause = causeName(code)
            } else {
                e.rootCause = StatusText.analyze(e.statusText, wantCause: true).rootCause ?? "unknown"
            }
        }

        // Relay: host[ip]:port, none, local or a transport name.
        guard let rp = find(t, ", relay=", from: close, to: statusAt) else { return }
        let rs = rp + 8
        let re = find(t, ", ", from: rs, to: statusAt) ?? statusAt
        if let bracket = find(t, UInt8(ascii: "["), from: rs, to: re) {
            setEndpoint(t, rs..<re, into: &e)
            if bracket > rs {
                e.connector = connector(daemon, t, rs..<bracket)
            } else if !e.remoteIP.isEmpty {
                e.connector = connector(daemon, e.remoteIP)
            }
        } else if equals(UnsafeRawBufferPointer(rebasing: t[rs..<re]), "none") {
            if let (host, ip) = Self.hostInReason(t, reason) {
                e.remoteHost = UnsafeRawBufferPointer(rebasing: t[host])
                if Self.isAddress(t, ip) { e.remoteIP = UnsafeRawBufferPointer(rebasing: t[ip]) }
                e.connector = connector(UnsafeRawBufferPointer(start: smtpName.utf8Start, count: 4), t, host)
            }
        } else if re > rs {
            let relay = UnsafeRawBufferPointer(rebasing: t[rs..<re])
            e.connector = relay.elementsEqual(daemon) ? daemon : connector(daemon, relay, bracketed: false)
        }
    }

    /// A pre-queue refusal: `NOQUEUE: reject: STAGE from CLIENT: <reply text>; from=<s> to=<r>
    /// proto=... helo=<...>` (smtpd, postscreen). Codes by rule C1 from the reply text.
    private func readReject(_ t: UnsafeRawBufferPointer, from r: Int, into e: inout DeliveryEvent) {
        let n = t.count
        e.kind = .dropped
        e.source = UnsafeRawBufferPointer(start: rejectName.utf8Start, count: 6)
        var text = r
        if let f = find(t, " from ", from: r, to: n) {
            let clientStart = f + 6
            if let c = find(t, ": ", from: clientStart, to: n) {
                setEndpoint(t, clientStart..<c, into: &e)
                text = c + 2
            }
        }
        let envelope = find(t, "; from=<", from: text, to: n)
        let textEnd = envelope ?? n
        e.statusText = UnsafeRawBufferPointer(rebasing: t[text..<textEnd])
        let a = StatusText.analyze(e.statusText, wantCause: false)
        e.replyCode = a.replyCode
        e.enhancedCode = a.enhancedCode
        if let envelope {
            let s = envelope + 8
            let close = find(t, UInt8(ascii: ">"), from: s, to: n) ?? n
            e.sender = UnsafeRawBufferPointer(rebasing: t[s..<close])
            if let to = find(t, "to=<", from: close, to: n) {
                let rs = to + 4
                let rc = find(t, UInt8(ascii: ">"), from: rs, to: n) ?? n
                e.recipient = UnsafeRawBufferPointer(rebasing: t[rs..<rc])
            }
        }
    }

    /// `host[ip]:port` or `[ip]:port`: sets the remote host (not `unknown`) and IP (not a
    /// socket path such as `private/dovecot-lmtp`).
    private func setEndpoint(_ t: UnsafeRawBufferPointer, _ range: Range<Int>, into e: inout DeliveryEvent) {
        guard let open = find(t, UInt8(ascii: "["), from: range.lowerBound, to: range.upperBound) else {
            e.remoteHost = UnsafeRawBufferPointer(rebasing: t[range])
            return
        }
        let host = UnsafeRawBufferPointer(rebasing: t[range.lowerBound..<open])
        if !equals(host, "unknown") { e.remoteHost = host }
        let close = find(t, UInt8(ascii: "]"), from: open, to: range.upperBound) ?? range.upperBound
        if Self.isAddress(t, (open + 1)..<close) { e.remoteIP = UnsafeRawBufferPointer(rebasing: t[(open + 1)..<close]) }
    }

    /// Whether the range looks like an IPv4 or IPv6 address (hex digits, `.`, `:`).
    static func isAddress(_ t: UnsafeRawBufferPointer, _ r: Range<Int>) -> Bool {
        guard !r.isEmpty else { return false }
        for i in r {
            let b = t[i]
            guard isDigit(b) || b == UInt8(ascii: ".") || b == colon || (b | 0x20) &- 97 < 6 else { return false }
        }
        return true
    }

    /// The next hop named in a `relay=none` reason: `connect to H[ip]`, `lost connection with
    /// H[ip]`, `conversation with H[ip]` or `host H[ip] said`.
    /// - Returns: the ranges of the host and of the bracketed address.
    static func hostInReason(_ t: UnsafeRawBufferPointer, _ reason: Range<Int>) -> (Range<Int>, Range<Int>)? {
        for marker: StaticString in ["connect to ", "lost connection with ", "conversation with ", "host "] {
            guard let p = find(t, marker, from: reason.lowerBound, to: reason.upperBound) else { continue }
            let s = p + marker.utf8CodeUnitCount
            var i = s
            while i < reason.upperBound && t[i] != UInt8(ascii: "[") && t[i] != space { i += 1 }
            guard i > s, i < reason.upperBound, t[i] == UInt8(ascii: "[") else { continue }
            let close = find(t, UInt8(ascii: "]"), from: i, to: reason.upperBound) ?? i + 1
            return (s..<i, (i + 1)..<max(i + 1, close))
        }
        return nil
    }

    /// A reply code `[245]dd` at `i` followed by a space, `-` or the end (rule C2).
    static func reply(_ t: UnsafeRawBufferPointer, at i: Int, limit: Int) -> Int? {
        guard let code = StatusText.replyCode(t, at: i, limit: limit) else { return nil }
        guard i + 3 == limit || t[i + 3] == space || t[i + 3] == UInt8(ascii: "-") else { return nil }
        return code
    }

    /// `transport:[host]` (or `transport:name` unbracketed) in the scratch buffer.
    /// - Warning: valid until the next call.
    private func connector(_ transport: UnsafeRawBufferPointer, _ host: UnsafeRawBufferPointer, bracketed: Bool = true)
        -> UnsafeRawBufferPointer
    {
        let needed = transport.count + host.count + 3
        if needed > scratchCapacity {
            scratch.deallocate()
            scratchCapacity = max(needed, scratchCapacity * 2)
            scratch = UnsafeMutableRawPointer.allocate(byteCount: scratchCapacity, alignment: 8)
        }
        var k = 0
        if let base = transport.baseAddress { scratch.copyMemory(from: base, byteCount: transport.count) }
        k += transport.count
        scratch.storeBytes(of: colon, toByteOffset: k, as: UInt8.self); k += 1
        if bracketed { scratch.storeBytes(of: UInt8(ascii: "["), toByteOffset: k, as: UInt8.self); k += 1 }
        if let base = host.baseAddress { (scratch + k).copyMemory(from: base, byteCount: host.count) }
        k += host.count
        if bracketed { scratch.storeBytes(of: UInt8(ascii: "]"), toByteOffset: k, as: UInt8.self); k += 1 }
        return UnsafeRawBufferPointer(start: scratch, count: k)
    }

    private func connector(_ transport: UnsafeRawBufferPointer, _ t: UnsafeRawBufferPointer, _ host: Range<Int>)
        -> UnsafeRawBufferPointer
    {
        connector(transport, UnsafeRawBufferPointer(rebasing: t[host]))
    }

    private func causeName(_ code: EnhancedStatusCode) -> String {
        if let name = causeNames[code] { return name }
        let name = code.description
        if causeNames.count < 10_000 { causeNames[code] = name }
        return name
    }

    /// Remembers the Message-ID cleanup logged for a queue id.
    private func remember(queueID: UnsafeRawBufferPointer, messageID: UnsafeRawBufferPointer) {
        if messageIDs.count >= Self.messageIDLimit { messageIDs.removeAll() }
        messageIDs[Self.hashQueueID(queueID)] = KnownMessage(queueID: Array(queueID), messageID: Array(messageID))
    }

    /// A 64-bit hash of a queue id (FNV-1a, then a final mix).
    @inline(__always)
    static func hashQueueID(_ q: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in q { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        h ^= h >> 29
        return h
    }
}

// MARK: - Byte helpers

private let space = UInt8(ascii: " ")
private let colon = UInt8(ascii: ":")
private let slash = UInt8(ascii: "/")
private let smtpName: StaticString = "smtp"
private let rejectName: StaticString = "reject"

@inline(__always) private func isDigit(_ b: UInt8) -> Bool { b &- 48 < 10 }

@inline(__always) private func twoDigits(_ t: UnsafeRawBufferPointer, _ i: Int) -> Int? {
    let a = t[i] &- 48, b = t[i + 1] &- 48
    guard a < 10, b < 10 else { return nil }
    return Int(a) * 10 + Int(b)
}

/// Whether `t` holds `s` at offset `i`.
@inline(__always) private func starts(_ t: UnsafeRawBufferPointer, _ i: Int, _ s: StaticString) -> Bool {
    let n = s.utf8CodeUnitCount
    guard i >= 0, i + n <= t.count else { return false }
    let p = s.utf8Start
    for k in 0..<n where t[i + k] != p[k] { return false }
    return true
}

/// Whether `t` is exactly `s`.
@inline(__always) private func equals(_ t: UnsafeRawBufferPointer, _ s: StaticString) -> Bool {
    t.count == s.utf8CodeUnitCount && starts(t, 0, s)
}

/// First offset of byte `b` in `t[from..<to]`.
@inline(__always) private func find(_ t: UnsafeRawBufferPointer, _ b: UInt8, from: Int, to: Int) -> Int? {
    var i = from
    while i < to {
        if t[i] == b { return i }
        i += 1
    }
    return nil
}

/// First offset of `s` inside `t[from..<to]`.
private func find(_ t: UnsafeRawBufferPointer, _ s: StaticString, from: Int, to: Int) -> Int? {
    let n = s.utf8CodeUnitCount
    let p = s.utf8Start
    let first = p[0]
    var i = from
    let last = to - n
    outer: while i <= last {
        if t[i] == first {
            for k in 1..<n where t[i + k] != p[k] {
                i += 1
                continue outer
            }
            return i
        }
        i += 1
    }
    return nil
}
