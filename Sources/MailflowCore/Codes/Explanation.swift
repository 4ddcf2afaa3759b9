/// What `mailflow explain` says about a code or a pasted status line.
public struct Explanation {
    public let input: String
    /// Outer reply and enhanced code (when the input is a status text).
    public let replyCode: Int?
    public let enhancedCode: EnhancedStatusCode?
    /// The root cause (RC1-RC3) of the text, or the code itself.
    public let rootCause: String?
    /// Knowledge-base entries: the root cause first, then the outer code when different.
    public let entries: [StatusCodeInfo]
    /// Whether anything was recognised.
    public var known: Bool { !entries.isEmpty || enhancedCode != nil }

    public init(_ input: String, knowledgeBase kb: KnowledgeBase = .shared) {
        self.input = input
        let trimmed = String(input.trimmingSpaces)
        if let direct = kb.info(for: trimmed) {
            replyCode = Int(trimmed)
            enhancedCode = EnhancedStatusCode(trimmed)
            rootCause = trimmed
            entries = [direct]
            return
        }
        let bytes = Array(trimmed.utf8)
        let analysis = bytes.withUnsafeBytes { StatusText.analyze($0, wantCause: true) }
        replyCode = analysis.replyCode
        enhancedCode = analysis.enhancedCode ?? EnhancedStatusCode(trimmed)
        rootCause = analysis.rootCause ?? enhancedCode?.description
        var found: [StatusCodeInfo] = []
        if let cause = rootCause, let info = kb.info(for: cause) { found.append(info) }
        if let outer = analysis.enhancedCode?.description, outer != rootCause, let info = kb.info(for: outer) {
            found.append(info)
        }
        if found.isEmpty, let reply = analysis.replyCode, let info = kb.info(for: String(reply)) { found.append(info) }
        entries = found
    }

    /// Plain text for a terminal.
    public func render() -> String {
        var lines: [String] = []
        if entries.isEmpty {
            if let code = enhancedCode {
                lines.append("\(code): not in the knowledge base (unknown code)")
                lines.append("  meaning:  \(KnowledgeBase.classMeaning(code))")
            } else {
                lines.append("No status code or known cause found in: \(input)")
            }
            return lines.joined(separator: "\n")
        }
        if rootCause != nil, entries.count > 0, (replyCode != nil || enhancedCode != nil), input.count > 12 {
            var head = "status:     "
            if let r = replyCode { head += "\(r) " }
            if let e = enhancedCode { head += e.description }
            lines.append(head)
            if let rootCause { lines.append("root cause: \(rootCause)") }
            lines.append("")
        }
        for (i, e) in entries.enumerated() {
            if i > 0 { lines.append("") }
            let listed = e.listedAs != e.code ? " (listed as \(e.listedAs))" : ""
            lines.append("\(e.code)\(listed)  \(e.title)")
            lines.append("  category: \(e.category)")
            if e.typicalReply != "-" { lines.append("  reply:    \(e.typicalReply)") }
            lines.append("  cause:    \(e.cause)")
            lines.append("  fix:      \(e.fix)")
            lines.append("  source:   \(e.source)")
        }
        return lines.joined(separator: "\n")
    }
}
