import MailflowScanner

/// Column positions of an Exchange W3C-style log, from its `#Fields:` directive (names
/// compared case-insensitively: real connectivity logs write `Destination`).
struct W3CFields {
    private(set) var names: [String] = []
    private(set) var directive: String?

    /// Reads a directive line (without `#`).
    /// - Returns: the field count when the line is `Fields:`.
    mutating func read(_ line: UnsafeRawBufferPointer) -> Int? {
        let text = String(decoding: line, as: UTF8.self)
        guard let colon = text.firstIndex(of: ":"), text[..<colon].trimmingSpaces.lowercased() == "fields" else { return nil }
        names = text[text.index(after: colon)...].split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingSpaces.lowercased() }
        directive = text
        return names.count
    }

    func index(_ name: String) -> Int { names.firstIndex(of: name) ?? -1 }

    enum RecordTime {
        case time(Int64)
        case rejected(ScanIssue)
    }

    /// The record's `date-time` (column `column`), or the issue that rejects the record.
    static func time(_ scanner: RecordScanner, column: Int) -> RecordTime {
        guard column >= 0 else { return .rejected(undecodable(scanner, "record before any #Fields: line")) }
        guard let time = Timestamp.parseISO8601(field(scanner, column)) else {
            return .rejected(undecodable(scanner, "date-time is not an ISO 8601 time"))
        }
        return .time(time)
    }
}

private var noBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: nil, count: 0) }

@inline(__always)
private func field(_ scanner: RecordScanner, _ i: Int) -> UnsafeRawBufferPointer {
    i >= 0 && i < scanner.fieldCount ? scanner.field(i).bytes : noBytes
}

/// Byte range of the host part of `ip:port`, `[v6]:port` or a bare address.
private func hostPart(_ endpoint: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
    guard !endpoint.isEmpty else { return endpoint }
    if endpoint[0] == UInt8(ascii: "["), let close = endpoint.firstIndex(of: UInt8(ascii: "]")) {
        return UnsafeRawBufferPointer(rebasing: endpoint[1..<close])
    }
    var colons = 0
    var last = -1
    for i in 0..<endpoint.count where endpoint[i] == UInt8(ascii: ":") { colons += 1; last = i }
    if colons == 1 { return UnsafeRawBufferPointer(rebasing: endpoint[..<last]) }
    return endpoint
}

/// Decoder for Exchange Server SMTP send and receive protocol logs (`SEND*.LOG`,
/// `RECV*.LOG`): W3C-style header, fields `date-time, connector-id, session-id,
/// sequence-number, local-endpoint, remote-endpoint, event, data, context`. Facts:
/// Microsoft page "Protocol logging" (Exchange Server); `reference/formats.md` 2.1.
///
/// One event per line, without message or recipient (a line is a step of an SMTP
/// session). Kinds (corpus kind table): a `<` line (reply from the remote server) whose
/// data starts with a 4xx reply is `deferred`, with 5xx `failed`, codes and root cause
/// read from the reply (rules C1, RC1-RC3); a `*` line (information) carrying
/// `Winsock error code: N` or `TLS negotiation failed` in its data or context is
/// `deferred` with cause `socket:N` or `tls` and no codes; every other line is `other`.
/// The connector is `connector-id`; the remote host is the address of `remote-endpoint`.
///
/// Lines of one session (`session-id`; sessions interleave) are read together: the
/// commands mailflow's side sent (`>` lines) wait in order for their replies (`<` lines;
/// a `250-` continuation line answers nothing yet), as SMTP pipelining requires (RFC 2920).
/// A 4xx/5xx reply to `RCPT TO:<address>` gives its event that recipient; every problem
/// event of a session gets the session's `MAIL FROM` sender.
public final class SMTPProtocolLog: LineDecoder {
    private var fields = W3CFields()
    private var dateTime = -1, session = -1, connector = -1, remote = -1, event = -1, data = -1, context = -1
    public private(set) var lastTimeMs: Int64?

    /// A command waiting for its reply: the recipient of a `RCPT TO`, else empty.
    private struct Session {
        var sender: [UInt8] = []
        var pending: [[UInt8]] = []
        var head = 0

        /// The oldest command still waiting for its reply (the recipient of a `RCPT TO`,
        /// else empty), which the current reply answers.
        mutating func answer() -> [UInt8] {
            guard head < pending.count else { return [] }
            let command = pending[head]
            head += 1
            if head == pending.count { pending.removeAll(keepingCapacity: true); head = 0 }
            return command
        }
    }
    /// Open sessions by ``hash64(_:)`` of the session id (bounded: cleared when it grows
    /// past 100,000), changed in place.
    private var sessions: [UInt64: Session] = [:]

    public init() {}

    /// The message tracking log's: every W3C-style log has one record per line and `#` directives.
    public var scannerOptions: RecordScanner.Options { MessageTrackingLog.scannerOptions }

    public var resumeState: String? { fields.directive }
    public func restore(_ state: String) -> Int? { Array(state.utf8).withUnsafeBytes { readDirective($0) } }

    public func readDirective(_ line: UnsafeRawBufferPointer) -> Int? {
        guard let count = fields.read(line) else { return nil }
        dateTime = fields.index("date-time")
        session = fields.index("session-id")
        connector = fields.index("connector-id")
        remote = fields.index("remote-endpoint")
        event = fields.index("event")
        data = fields.index("data")
        context = fields.index("context")
        return count
    }

    public func decode(_ scanner: RecordScanner, into sink: EventSink) throws -> DecodeOutcome {
        let time: Int64
        switch W3CFields.time(scanner, column: dateTime) {
        case .time(let t): time = t
        case .rejected(let issue): return .rejected(issue)
        }
        lastTimeMs = time
        var e = DeliveryEvent()
        e.line = scanner.recordLine
        e.timeMs = time
        e.kind = .other
        let ev = field(scanner, event)
        e.rawEvent = ev
        e.connector = field(scanner, connector)
        e.remoteIP = hostPart(field(scanner, remote))
        let dataText = field(scanner, data)
        let contextText = field(scanner, context)
        let direction: UInt8 = ev.count == 1 ? ev[0] : 0
        let id = hash64(field(scanner, session))
        var recipient: [UInt8] = []
        var sender: [UInt8] = []
        switch direction {
        case UInt8(ascii: ">"):
            noteCommand(id, dataText)
        case UInt8(ascii: "<"):
            // A final reply line ("250 ", "451 ", not "250-") answers the oldest command.
            if dataText.count >= 4 && dataText[3] != UInt8(ascii: "-") {
                recipient = sessions[id]?.answer() ?? []
                sender = sessions[id]?.sender ?? []
            }
        case UInt8(ascii: "-"):
            sender = sessions[id]?.sender ?? []
            sessions[id] = nil
        default:
            sender = sessions[id]?.sender ?? []
        }
        if direction == UInt8(ascii: "<") && dataText.count >= 3
            && (dataText[0] == UInt8(ascii: "4") || dataText[0] == UInt8(ascii: "5"))
            && StatusText.isDigit(dataText[1]) && StatusText.isDigit(dataText[2])
        {
            e.kind = dataText[0] == UInt8(ascii: "4") ? .deferred : .failed
            let a = StatusText.analyze(dataText, wantCause: true)
            e.replyCode = a.replyCode
            e.enhancedCode = a.enhancedCode
            e.rootCause = a.rootCause ?? "unknown"
            e.statusText = dataText
        } else if direction == UInt8(ascii: "*") {
            // The failure is in the data or, quoted, in the context.
            let text = Self.isConnectionFailure(dataText) ? dataText : Self.isConnectionFailure(contextText) ? contextText : nil
            if let text {
                e.kind = .deferred
                e.rootCause = StatusText.codelessCause(text) ?? "unknown"
                e.statusText = text
            }
        }
        guard e.kind != .other, !(recipient.isEmpty && sender.isEmpty) else {
            try sink.write(&e)
            return .events(1)
        }
        try recipient.withUnsafeBytes { r in
            try sender.withUnsafeBytes { f in
                if !r.isEmpty { e.recipient = r }
                e.sender = f
                try sink.write(&e)
            }
        }
        return .events(1)
    }

    /// A `*` line text that reports a failed connection or TLS negotiation.
    static func isConnectionFailure(_ text: UnsafeRawBufferPointer) -> Bool {
        !text.isEmpty && (StatusText.findIgnoringCase(text, "Winsock error code") != nil
            || StatusText.findIgnoringCase(text, "TLS negotiation failed") != nil)
    }

    /// Queues a command that expects a reply; `MAIL FROM:<a>` also names the session's sender.
    private func noteCommand(_ id: UInt64, _ command: UnsafeRawBufferPointer) {
        guard command.count >= 4 else { return }
        if sessions.count > 100_000 && sessions[id] == nil { sessions.removeAll() }
        if let address = Self.address(after: "RCPT TO:", in: command) {
            sessions[id, default: Session()].pending.append(Array(address))
        } else {
            if let address = Self.address(after: "MAIL FROM:", in: command) {
                sessions[id, default: Session()].sender = Array(address)
            }
            sessions[id, default: Session()].pending.append([])
        }
    }

    /// The address in `<...>` after `verb` at the start of `command` (any case).
    static func address(after verb: StaticString, in command: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        let n = verb.utf8CodeUnitCount
        guard command.count > n, MessageTrackingLog.equalsIgnoringCase(UnsafeRawBufferPointer(rebasing: command[..<n]), verb) else { return nil }
        var i = n
        while i < command.count && command[i] == UInt8(ascii: " ") { i += 1 }
        guard i < command.count, command[i] == UInt8(ascii: "<"), let close = command[i...].firstIndex(of: UInt8(ascii: ">")) else { return nil }
        return UnsafeRawBufferPointer(rebasing: command[(i + 1)..<close])
    }
}

/// Decoder for Exchange Server transport connectivity logs (`CONNECTLOG*.LOG`): fields
/// `date-time, session, source, destination, direction, description`. Facts: Microsoft
/// page "Connectivity logging in Exchange Server"; `reference/formats.md` 2.2.
///
/// One event per line, without message or recipient. A `-` (disconnect) line whose
/// description contains `(Retry` is the session's failure: kind `deferred` (the messages
/// stay queued). Its root cause is the socket error of the session's last
/// `Failed connection to IP:port (Reason:XXXXXXXX)` line (hex Winsock number, 0x274C =
/// 10060 timed out), else the cause in its own text (`dns` for a DNS failure, rule RC2),
/// else `unknown`. Every other line is `other`. The format has no connector column and no
/// SMTP codes; the remote host of an event is the session's next hop (`destination`)
/// and its IP the address of the failed or established connection.
public final class ConnectivityLog: LineDecoder {
    private var fields = W3CFields()
    private var dateTime = -1, session = -1, source = -1, destination = -1, direction = -1, description = -1
    public private(set) var lastTimeMs: Int64?

    private struct Session {
        var socketError: Int?
        var ip: [UInt8] = []
    }
    /// Open sessions by ``hash64(_:)`` of the session id (bounded: cleared when it grows
    /// past 100,000), changed in place.
    private var sessions: [UInt64: Session] = [:]

    public init() {}

    /// The message tracking log's: every W3C-style log has one record per line and `#` directives.
    public var scannerOptions: RecordScanner.Options { MessageTrackingLog.scannerOptions }

    public var resumeState: String? { fields.directive }
    public func restore(_ state: String) -> Int? { Array(state.utf8).withUnsafeBytes { readDirective($0) } }

    public func readDirective(_ line: UnsafeRawBufferPointer) -> Int? {
        guard let count = fields.read(line) else { return nil }
        dateTime = fields.index("date-time")
        session = fields.index("session")
        source = fields.index("source")
        destination = fields.index("destination")
        direction = fields.index("direction")
        description = fields.index("description")
        return count
    }

    public func decode(_ scanner: RecordScanner, into sink: EventSink) throws -> DecodeOutcome {
        let time: Int64
        switch W3CFields.time(scanner, column: dateTime) {
        case .time(let t): time = t
        case .rejected(let issue): return .rejected(issue)
        }
        lastTimeMs = time
        let id = hash64(field(scanner, session))
        let dir = field(scanner, direction)
        let text = field(scanner, description)
        var e = DeliveryEvent()
        e.line = scanner.recordLine
        e.timeMs = time
        e.kind = .other
        e.rawEvent = dir
        e.source = field(scanner, source)
        e.remoteHost = field(scanner, destination)
        let isDisconnect = dir.count == 1 && dir[0] == UInt8(ascii: "-")
        if let p = StatusText.findIgnoringCase(text, "Failed connection to ") {
            if sessions.count > 100_000 && sessions[id] == nil { sessions.removeAll() }
            let rest = UnsafeRawBufferPointer(rebasing: text[(p + 21)...])
            let end = rest.firstIndex(of: UInt8(ascii: " ")) ?? rest.count
            let ip = Array(hostPart(UnsafeRawBufferPointer(rebasing: rest[..<end])))
            if let code = StatusText.parenthesisedHexSocketError(text) { sessions[id, default: Session()].socketError = code }
            sessions[id, default: Session()].ip = ip
        }
        let state = sessions[id]
        if isDisconnect && StatusText.find(text, "(Retry", from: 0) != nil {
            e.kind = .deferred
            e.statusText = text
            if let code = state?.socketError {
                e.rootCause = "socket:\(code)"
            } else {
                e.rootCause = StatusText.codelessCause(text) ?? "unknown"
            }
        }
        if isDisconnect { sessions[id] = nil }
        if let ip = state?.ip, !ip.isEmpty {
            try ip.withUnsafeBytes { raw in
                e.remoteIP = raw
                try sink.write(&e)
            }
        } else {
            try sink.write(&e)
        }
        return .events(1)
    }
}

/// An `undecodable` issue for the scanner's current record.
func undecodable(_ scanner: RecordScanner, _ detail: String) -> ScanIssue {
    let bytes = scanner.recordBytes
    return ScanIssue(
        kind: .undecodable, line: scanner.recordLine, lineOffset: scanner.recordLineOffset,
        sample: Array(bytes.prefix(ScanIssue.sampleLimit)), detail: detail)
}
