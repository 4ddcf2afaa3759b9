/// An RFC 3463 enhanced mail system status code, `class.subject.detail` (e.g. `4.4.316`).
///
/// RFC 3463 section 2 allows up to three digits for subject and detail; class is 2, 4 or 5.
public struct EnhancedStatusCode: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// 2 (success), 4 (persistent transient failure) or 5 (permanent failure).
    public let statusClass: UInt8
    public let subject: UInt16
    public let detail: UInt16

    public init(statusClass: UInt8, subject: UInt16, detail: UInt16) {
        self.statusClass = statusClass
        self.subject = subject
        self.detail = detail
    }

    /// Parses `"4.4.316"`; nil unless the whole text is one guarded code.
    public init?(_ text: String) {
        let utf8 = Array(text.utf8)
        let parsed = utf8.withUnsafeBytes { StatusText.enhancedCode(in: $0, at: 0) }
        guard let (code, length) = parsed, length == utf8.count else { return nil }
        self = code
    }

    public var description: String { "\(statusClass).\(subject).\(detail)" }

    /// Writes the dotted form into `out` (at least 11 bytes); returns the length. No allocation.
    @inline(__always)
    func write(into out: UnsafeMutablePointer<UInt8>) -> Int {
        var n = 0
        out[n] = 48 + statusClass; n += 1
        out[n] = UInt8(ascii: "."); n += 1
        n += writeDecimal(Int(subject), out + n)
        out[n] = UInt8(ascii: "."); n += 1
        n += writeDecimal(Int(detail), out + n)
        return n
    }

    /// Packed form for in-memory keys.
    var packed: UInt32 { UInt32(statusClass) << 24 | UInt32(subject) << 12 | UInt32(detail) }

    public static func < (a: Self, b: Self) -> Bool { a.packed < b.packed }

    /// Codes that wrap another reply and are never a root cause (corpus rule RC1):
    /// 4.4.7 and 5.4.300/5.4.7 (message expired), 4.4.397 (Exchange "error communicating
    /// with target host"), 5.7.350, 5.7.367, 5.0.350 (Exchange Online remote-error wrappers).
    public var isWrapper: Bool {
        switch (statusClass, subject, detail) {
        case (4, 4, 7), (5, 4, 300), (5, 4, 7), (4, 4, 397), (5, 7, 350), (5, 7, 367), (5, 0, 350): return true
        default: return false
        }
    }

    /// Codes that mean the message expired in the queue: 4.4.7 (`QUEUE.Expired`, Exchange
    /// Server) and 5.4.300 (Exchange Online "Message expired"); Microsoft NDR reference pages.
    public var isExpiry: Bool {
        switch (statusClass, subject, detail) {
        case (4, 4, 7), (5, 4, 300): return true
        default: return false
        }
    }
}

@inline(__always)
func writeDecimal(_ value: Int, _ out: UnsafeMutablePointer<UInt8>) -> Int {
    if value < 10 { out[0] = 48 + UInt8(value); return 1 }
    if value < 100 { out[0] = 48 + UInt8(value / 10); out[1] = 48 + UInt8(value % 10); return 2 }
    if value < 1000 {
        out[0] = 48 + UInt8(value / 100); out[1] = 48 + UInt8(value / 10 % 10); out[2] = 48 + UInt8(value % 10)
        return 3
    }
    var digits = 0
    var v = value
    while v > 0 { digits += 1; v /= 10 }
    v = value
    for i in stride(from: digits - 1, through: 0, by: -1) { out[i] = 48 + UInt8(v % 10); v /= 10 }
    return digits
}
