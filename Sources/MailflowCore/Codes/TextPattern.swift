import Foundation

/// A case-insensitive regular expression, compiled once, for the knowledge-base tables
/// (category overrides, Postfix phrases). Used by `explain` and reports, never on the
/// per-event ingest path.
public final class TextPattern: @unchecked Sendable, CustomStringConvertible {
    /// The expression as written in the table (ICU syntax, as NSRegularExpression reads it).
    public let pattern: String
    // NSRegularExpression is immutable and documented as safe to share between threads.
    private let regex: NSRegularExpression

    /// - Precondition: `pattern` compiles (the tables are constants; a typo traps in tests).
    public init(_ pattern: String) {
        self.pattern = pattern
        do {
            regex = try NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
        } catch {
            preconditionFailure("knowledge-base pattern does not compile: \(pattern)")
        }
    }

    /// Whether the expression matches anywhere in `text`.
    public func matches(_ text: String) -> Bool {
        regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// The first capture group of the first match (or the whole match without groups).
    public func firstCapture(in text: String) -> Substring? {
        guard let m = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { return nil }
        let range = m.numberOfRanges > 1 ? m.range(at: 1) : m.range
        return Range(range, in: text).map { text[$0] }
    }

    public var description: String { pattern }
}
