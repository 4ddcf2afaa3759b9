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

    public init() {}
}

/// Where decoders send events and rejected records.
public protocol EventSink: AnyObject {
    /// Stores one event. - Throws: storage errors (the file's transaction is rolled back).
    func write(_ event: inout DeliveryEvent) throws
}

/// Names of the supported log formats, as stored in `source_file.format`.
public enum LogFormat: String, CaseIterable, Sendable {
    case exchangeMessageTracking = "exchange-message-tracking"
}

/// What a decoder made of one record.
public enum DecodeOutcome: Equatable {
    /// The record was kept and gave this many events.
    case events(Int)
    /// The record could not be decoded; nothing was written.
    case rejected(ScanIssue)
}
