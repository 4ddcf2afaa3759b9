/// What mailflow knows about a status code, or about a pasted status line: which code is
/// the cause, its category, title, cause, fix and source, and which rule chose them.
///
/// Made by ``KnowledgeBase/explain(_:)`` (a code or a whole line, as `mailflow explain`
/// takes it) and ``KnowledgeBase/explain(code:text:)`` (one code with the text it came with).
/// Codes that are not in the knowledge base still get their RFC 3463 (enhanced) or RFC 5321
/// (basic) meaning, with ``inKnowledgeBase`` false.
public struct Explanation: Sendable {
    /// How the explained code was found in the input.
    public enum Basis: String, Sendable {
        /// The input was a code (`4.4.316`, `421`, `socket:10061`, `dns:nxdomain`).
        case code
        /// The innermost enhanced code that is not a wrapper (corpus rule RC1).
        case innermostCode
        /// A cause without a status code: Winsock number, TLS, DNS or connection phrase (RC2).
        case codelessCause
        /// The reply code, the text having no enhanced code that is a cause (RC3).
        case replyCode
        /// The `dsn=` of a pasted Postfix delivery line (RC5).
        case postfixDSN
        /// A Postfix reason without a code, by the phrase map (``PostfixPhrase``).
        case postfixPhrase
        /// An Exchange component token without a code (``ExchangeComponent``).
        case exchangeComponent
        /// An expiry or wrapper with nothing inside: its own outer code. The real cause is
        /// the last deferral of the same message (RC4).
        case outerCode
        /// Nothing recognisable.
        case none

        /// A few words for `render()`.
        public var summary: String {
            switch self {
            case .code: return "the code given"
            case .innermostCode: return "the innermost code that is not a wrapper, rule RC1"
            case .codelessCause: return "a cause without a status code, rule RC2"
            case .replyCode: return "the reply code; no enhanced code names a cause, rule RC3"
            case .postfixDSN: return "the dsn= of the Postfix line, rule RC5"
            case .postfixPhrase: return "the Postfix phrase map, reference section 13"
            case .exchangeComponent: return "the code Exchange pairs with the component token"
            case .outerCode: return "the outer code; an expiry's cause is the last deferral, rule RC4"
            case .none: return "nothing recognised"
            }
        }
    }

    /// The text or code as given.
    public internal(set) var input: String
    /// Outer RFC 5321 reply code of a status text (rule C1), or the code itself.
    public internal(set) var replyCode: Int?
    /// Outer RFC 3463 code of a status text (rule C1; `dsn=` for Postfix, C2), or the code itself.
    public internal(set) var enhancedCode: EnhancedStatusCode?
    /// The root cause mailflow records for the text (RC1-RC3, RC5), or the phrase or
    /// component code when the text has none; nil for an expiry without an inner cause.
    public internal(set) var rootCause: String?
    public internal(set) var basis: Basis
    /// The code explained: the root cause, or the outer code of an expiry; nil when nothing
    /// was recognised.
    public internal(set) var code: String?
    /// The code has an entry in the knowledge base. False for unknown codes, which are
    /// explained by their class and subject (``meaning``).
    public internal(set) var inKnowledgeBase: Bool
    /// Category after the overrides (one of the fixed set of `reference/status-codes.md`
    /// section 0; `success` for class 2 codes, `unknown` when nothing was recognised).
    public internal(set) var category: String
    /// The knowledge base's own category for the code, before any override.
    public internal(set) var defaultCategory: String
    public internal(set) var title: String
    public internal(set) var cause: String
    public internal(set) var fix: String
    /// Source keys and documents (``KnowledgeSource``).
    public internal(set) var source: String
    /// The basic reply usually paired with the code (`450`, `550/554`).
    public internal(set) var typicalReply: String?
    /// RFC 3463 or RFC 5321 meaning of the code's structure.
    public internal(set) var meaning: String?
    /// For an unknown enhanced code, the known code with the same subject and detail in the
    /// other failure class (`4.5.2` -> `5.5.2`).
    public internal(set) var related: StatusCodeInfo?
    /// The section 12 rule that chose the category, if one matched.
    public internal(set) var override: CategoryOverride?
    /// For an override that takes the category of an inner reason: that reason's cause.
    public internal(set) var innerCause: String?
    /// The section 13 Postfix phrase the text matched, when it chose the code or category
    /// or names the `dsn=` Postfix logs for the cause.
    public internal(set) var postfixPhrase: PostfixPhrase?
    /// The first Exchange component token of the text, e.g. `RESOLVER.ADR.ExRecipNotFound`.
    public internal(set) var component: String?
    /// The row of ``component``, when it is a known token.
    public internal(set) var exchangeComponent: ExchangeComponent?
    /// Which rule chose the category: `section 12 row N`, a Postfix phrase, an Exchange
    /// component, or nil for the knowledge base's own.
    public internal(set) var categoryRule: String?
    /// For a Postfix line explained by its `dsn=`: the cause its reason text names, when that
    /// differs (`socket:10061` for `Connection refused` under `dsn=4.4.1`).
    public internal(set) var reasonCause: String?
    /// Knowledge-base entries: the explained code first, then the outer code when different.
    public internal(set) var entries: [StatusCodeInfo]

    /// Whether anything was recognised (a code, a code-less cause or a Postfix phrase).
    /// An unknown code counts as recognised; ``inKnowledgeBase`` says whether it is known.
    public var known: Bool { code != nil || postfixPhrase != nil }

    /// Explains a code or a pasted status line (``KnowledgeBase/explain(_:)``).
    public init(_ input: String, knowledgeBase kb: KnowledgeBase = .shared) {
        self = kb.explain(input)
    }

    /// An explanation that has found nothing yet.
    init(input: String) {
        self.input = input
        basis = .none
        inKnowledgeBase = false
        category = "unknown"
        defaultCategory = "unknown"
        title = "No status code or known cause found"
        cause = ""
        fix = ""
        source = ""
        entries = []
    }

    /// Plain text for a terminal: the status line's codes and root cause, then the
    /// explained code with category, cause, fix, source and meaning.
    public func render() -> String {
        var lines: [String] = []
        guard known else { return "No status code or known cause found in: \(input)" }
        if basis != .code {
            var head = "status:     "
            if let r = replyCode { head += "\(r) " }
            if let e = enhancedCode { head += e.description }
            if replyCode == nil && enhancedCode == nil { head += "(no status code)" }
            lines.append(head)
            lines.append("root cause: \(rootCause ?? "none in the text") (\(basis.summary))")
            if let reasonCause { lines.append("the reason: \(reasonCause)") }
            if let component {
                lines.append("component:  \(component)" + (exchangeComponent.map { " (Exchange pairs it with \($0.code): \($0.note))" } ?? ""))
            }
            if let p = postfixPhrase {
                lines.append("postfix:    \(p.dsn.map { "dsn=\($0)" } ?? "no dsn"), \(p.category): \(p.note)")
            }
            lines.append("")
        }
        if let code {
            if inKnowledgeBase {
                let listed = entries.first.map { $0.listedAs != code ? " (listed as \($0.listedAs))" : "" } ?? ""
                lines.append("\(code)\(listed)  \(title)")
            } else {
                lines.append("\(code): not in the knowledge base (unknown code)")
            }
        } else {
            lines.append(title)
        }
        var category = "  category: \(self.category)"
        if let categoryRule { category += " (\(categoryRule); default \(defaultCategory))" }
        if !inKnowledgeBase && code != nil { category += " (by its class and subject)" }
        lines.append(category)
        if let typicalReply { lines.append("  reply:    \(typicalReply)") }
        if !cause.isEmpty { lines.append("  cause:    \(cause)") }
        if !fix.isEmpty { lines.append("  fix:      \(fix)") }
        if let meaning { lines.append("  meaning:  \(meaning)") }
        if let related { lines.append("  related:  \(related.code) \(related.title) (\(related.category))") }
        if !source.isEmpty {
            lines.append("  source:   \(source)")
            for document in KnowledgeSource.documents(for: source) { lines.append("            \(document)") }
        }
        for e in entries.dropFirst() {
            lines.append("")
            lines.append("outer code: \(e.code)  \(e.title) (\(e.category))")
            lines.append("  cause:    \(e.cause)")
        }
        return lines.joined(separator: "\n")
    }
}
