import MailflowScanner

/// Decoder for Postfix maillog (TEMPORARY skeleton: being written).
public final class PostfixLog: LineDecoder {
    public private(set) var lastTimeMs: Int64?

    public init(year: Int?, modificationMs: Int64?, clock: LocalClock) {}

    public var scannerOptions: RecordScanner.Options {
        var o = RecordScanner.Options()
        o.splitsFields = false
        o.directives = false
        return o
    }

    /// Whether `line` is a syslog line whose program tag is `postfix`, `postfix/...` or `postfix-NAME/...`.
    public static func isPostfixLine(_ line: [UInt8]) -> Bool {
        String(decoding: line, as: UTF8.self).contains(" postfix")
    }

    public func decode(_ scanner: RecordScanner, into sink: EventSink) throws -> DecodeOutcome {
        .skipped
    }
}
