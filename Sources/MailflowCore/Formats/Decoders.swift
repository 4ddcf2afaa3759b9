import Foundation
import MailflowScanner

/// A decoder of a line- or CSV-based log format: it reads records from a
/// ``RecordScanner`` and writes events to an ``EventSink``. One instance per input, used
/// by one thread.
public protocol LineDecoder: AnyObject {
    /// Scanner settings for this format.
    var scannerOptions: RecordScanner.Options { get }
    /// Reads a directive line (without `#`).
    /// - Returns: the field count records must now have, when it changed.
    func readDirective(_ line: UnsafeRawBufferPointer) -> Int?
    /// Decodes the scanner's current record into events sent to `sink`.
    /// - Throws: what the sink throws.
    func decode(_ scanner: RecordScanner, into sink: EventSink) throws -> DecodeOutcome
    /// Time of the last record decoded, ms since the Unix epoch, UTC.
    var lastTimeMs: Int64? { get }
    /// What a later run needs to continue this input where it stopped (the `#Fields:`
    /// directive, a CSV header row, the syslog year state), or nil.
    var resumeState: String? { get }
    /// Restores ``resumeState`` of an earlier run.
    /// - Returns: the field count records must have, if known.
    func restore(_ state: String) -> Int?
    /// How this input's times were read when that needed an assumption (zone of zone-less
    /// times, year of yearless syslog lines), for `source_file.time_rule`; nil otherwise.
    var timeRule: String? { get }
}

extension LineDecoder {
    public var timeRule: String? { nil }
    public func readDirective(_ line: UnsafeRawBufferPointer) -> Int? { nil }
    public var resumeState: String? { nil }
    public func restore(_ state: String) -> Int? { nil }
}

/// A decoder of a JSON export: each record is one JSON object (``JSONRecordScanner``).
public protocol JSONRecordDecoder: AnyObject {
    /// Decodes one object (its bytes, `{` to `}`) into events sent to `sink`.
    /// - Throws: what the sink throws.
    func decode(object: UnsafeRawBufferPointer, line: Int, lineOffset: Int64, into sink: EventSink) throws -> DecodeOutcome
    var lastTimeMs: Int64? { get }
    /// See ``LineDecoder/timeRule``.
    var timeRule: String? { get }
}

/// The decoder chosen for one input.
public enum InputDecoder {
    case lines(LineDecoder)
    case json(JSONRecordDecoder)

    var timeRule: String? {
        switch self {
        case .lines(let d): return d.timeRule
        case .json(let d): return d.timeRule
        }
    }
}

/// What a decoder may need to know about the file it reads.
public struct InputContext: Sendable {
    /// The file's modification time (ms since the epoch, UTC), for the yearless-syslog
    /// year rule when no `--year` is given; nil for standard input.
    public var modificationMs: Int64?

    public init(modificationMs: Int64? = nil) {
        self.modificationMs = modificationMs
    }
}

extension LogFormat {
    /// A new decoder for one input of this format.
    /// - Parameter json: the records are JSON objects (detected from the content).
    /// - Throws: ``LocalClock/Failure`` for an unknown `--timezone`.
    public func decoder(options: DecodeOptions, input: InputContext, json: Bool) throws -> InputDecoder {
        let clock = try LocalClock(zone: options.timeZone)
        switch self {
        case .exchangeMessageTracking:
            return .lines(MessageTrackingLog())
        case .exchangeMessageTrackingCSV, .exoHistoricalExtended:
            return .lines(MessageTrackingLog(format: self, clock: clock))
        case .exoHistoricalEnhancedSummary:
            return .lines(MessageTraceCSV(format: self, clock: clock))
        case .exoMessageTrace, .exoMessageTraceDetail:
            return json ? .json(MessageTraceJSON(format: self, clock: clock)) : .lines(MessageTraceCSV(format: self, clock: clock))
        case .exchangeSMTPProtocol:
            return .lines(SMTPProtocolLog())
        case .exchangeConnectivity:
            return .lines(ConnectivityLog())
        case .postfix:
            return .lines(PostfixLog(year: options.year, modificationMs: input.modificationMs, clock: clock))
        }
    }

    /// Format names for help texts.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
