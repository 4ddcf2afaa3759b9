/// A structural problem found in the bytes of a log, with its position. Never thrown:
/// the scanner reports it and goes on with the next record.
///
/// Positions follow the corpus counting rules (B4, B5): `line` is the 1-based physical
/// line where the candidate record starts (CRLF, LF and a lone CR each end a line);
/// `lineOffset` is the byte offset of that line's first byte from byte 0 of the
/// (decompressed) input, BOM included.
public struct ScanIssue: Sendable, Equatable {
    /// What went wrong. Raw values are the names stored in `parse_issue.kind`.
    public enum Kind: String, Sendable, CaseIterable {
        /// A quoted field is still open at the end of its record. Rejects the record.
        case unterminatedQuote = "unterminated-quote"
        /// The record has a different number of fields than the header. Rejects it.
        case raggedRow = "ragged-row"
        /// The record is longer than the bound (1 MiB by default). Rejects it.
        case recordTooLong = "record-too-long"
        /// The last record of the input has no line end and is incomplete. Rejects it.
        case truncatedRecord = "truncated-record"
        /// The physical line holds NUL bytes (reported once per line). Rejects nothing.
        case nulBytes = "nul-bytes"
        /// The record is not valid UTF-8; it is kept with its bytes as they are.
        case invalidUTF8 = "invalid-utf8"
        /// A record the format decoder could not read (bad timestamp, missing field).
        case undecodable = "undecodable"
        /// The input ends in damage (corrupt or truncated gzip): nothing after this point
        /// could be read. Rejects what follows, which cannot be counted.
        case damagedInput = "damaged-input"

        /// Whether an issue of this kind drops the record it names.
        public var rejectsRecord: Bool {
            switch self {
            case .nulBytes, .invalidUTF8, .damagedInput: return false
            default: return true
            }
        }
    }

    public var kind: Kind
    /// 1-based physical line where the candidate record starts.
    public var line: Int
    /// Byte offset of the first byte of that physical line.
    public var lineOffset: Int64
    /// At most 200 bytes of the offending record, as found (may be invalid UTF-8).
    public var sample: [UInt8]
    /// Optional detail for the admin (for decoder issues: which field was wrong).
    public var detail: String?

    public init(kind: Kind, line: Int, lineOffset: Int64, sample: [UInt8] = [], detail: String? = nil) {
        self.kind = kind
        self.line = line
        self.lineOffset = lineOffset
        self.sample = sample
        self.detail = detail
    }

    /// Longest sample kept, in bytes.
    public static let sampleLimit = 200
}
