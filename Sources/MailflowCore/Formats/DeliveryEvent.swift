import MailflowScanner

/// The unified event kinds every log format maps to (DESIGN section 5). Raw values are
/// the ids of table `event_kind`.
public enum EventKind: Int, CaseIterable, Sendable, CustomStringConvertible {
    case received = 0, submitted, sent, delivered, deferred, failed, expired, dropped, dsn, routed, other

    public var description: String {
        switch self {
        case .received: return "received"
        case .submitted: return "submitted"
        case .sent: return "sent"
        case .delivered: return "delivered"
        case .deferred: return "deferred"
        case .failed: return "failed"
        case .expired: return "expired"
        case .dropped: return "dropped"
        case .dsn: return "dsn"
        case .routed: return "routed"
        case .other: return "other"
        }
    }

    public init?(name: String) {
        guard let kind = EventKind.allCases.first(where: { $0.description == name.lowercased() }) else { return nil }
        self = kind
    }

    /// Kinds that carry a root cause (corpus rules RC1-RC6).
    public var hasRootCause: Bool { self == .deferred || self == .failed || self == .expired }
}

/// One event (a log record for one recipient), as borrowed views into the scanner's
/// buffer. An empty view stands for NULL.
///
/// - Warning: valid only while the decoder hands it to its sink; never stored.
public struct DeliveryEvent {
    /// 1-based physical line of the record.
    public var line: Int = 0
    /// Milliseconds since the Unix epoch, UTC.
    public var timeMs: Int64 = 0
    public var kind: EventKind = .other
    public var rawEvent = UnsafeRawBufferPointer(start: nil, count: 0)
    public var source = UnsafeRawBufferPointer(start: nil, count: 0)
    public var connector = UnsafeRawBufferPointer(start: nil, count: 0)
    public var messageID = UnsafeRawBufferPointer(start: nil, count: 0)
    public var sender = UnsafeRawBufferPointer(start: nil, count: 0)
    /// nil: the record names no recipient.
    public var recipient: UnsafeRawBufferPointer?
    public var replyCode: Int?
    public var enhancedCode: EnhancedStatusCode?
    /// Root cause found in the record itself (RC1-RC3, RC6).
    public var rootCause: String?
    /// An expiry whose text names no cause: take the latest earlier deferral's (RC4).
    public var needsEarlierCause = false
    public var statusText = UnsafeRawBufferPointer(start: nil, count: 0)
    public var remoteHost = UnsafeRawBufferPointer(start: nil, count: 0)
    public var remoteIP = UnsafeRawBufferPointer(start: nil, count: 0)
    /// Postfix queue id: when set, it (not the Message-ID) identifies the message across
    /// records, files and runs; ``messageID`` is then the Message-ID once known (or empty).
    public var queueID = UnsafeRawBufferPointer(start: nil, count: 0)
    /// An expiry of the whole message (Postfix `status=expired` is one line per message):
    /// every recipient of the message still pending expires with its own last deferral's
    /// cause (corpus rule RC5); the event itself takes the latest of those causes.
    public var expiresMessage = false

    public init() {}
}

/// Where decoders send events and rejected records.
public protocol EventSink: AnyObject {
    /// Stores one event. - Throws: storage errors (the file's transaction is rolled back).
    func write(_ event: inout DeliveryEvent) throws
}

/// Names of the supported log formats, as stored in `source_file.format` and accepted by
/// `--format`.
public enum LogFormat: String, CaseIterable, Sendable {
    /// Exchange Server message tracking log (`MSGTRK*.LOG`), W3C-style header.
    case exchangeMessageTracking = "exchange-message-tracking"
    /// `Get-MessageTrackingLog | Export-Csv`: PowerShell property names, local times.
    case exchangeMessageTrackingCSV = "exchange-message-tracking-csv"
    /// Exchange Server SMTP send or receive protocol log (`SEND*.LOG`, `RECV*.LOG`).
    case exchangeSMTPProtocol = "exchange-smtp-protocol"
    /// Exchange Server transport connectivity log (`CONNECTLOG*.LOG`).
    case exchangeConnectivity = "exchange-connectivity"
    /// Exchange Online `Get-MessageTrace(V2)` rows (CSV or JSON, also the Reporting Web Service).
    case exoMessageTrace = "exo-message-trace"
    /// Exchange Online `Get-MessageTraceDetail(V2)` rows (CSV or JSON).
    case exoMessageTraceDetail = "exo-message-trace-detail"
    /// Exchange Online historical search, Extended report (27 underscore columns).
    case exoHistoricalExtended = "exo-historical-extended"
    /// Exchange Online historical search, Enhanced summary report (11 columns).
    case exoHistoricalEnhancedSummary = "exo-historical-enhanced-summary"
    /// Postfix maillog (classic syslog or RFC 3339 timestamps).
    case postfix = "postfix"
}

/// What a decoder made of one record.
public enum DecodeOutcome: Equatable {
    /// The record was kept and gave this many events.
    case events(Int)
    /// The record could not be decoded; nothing was written.
    case rejected(ScanIssue)
    /// The record was the CSV header row; records must now have this many fields.
    case header(fieldCount: Int)
    /// A line of another program in a shared log (Postfix maillog): neither a record nor
    /// an issue.
    case skipped
}
