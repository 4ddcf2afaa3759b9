extension KnowledgeBase {
    /// Explains a code or a pasted status line, as `mailflow explain` does.
    ///
    /// - A code (`4.4.316`, `4.7.500-699`, `421`, `socket:10061`, `dns:nxdomain`,
    ///   `connection:lost`) is explained as it is.
    /// - A status text is read with ``StatusText/analyze(_:wantCause:)``: the outer codes
    ///   (rule C1) and the root cause (RC1-RC3). A pasted Postfix delivery line
    ///   (`to=<...>, ..., dsn=X.Y.Z, status=... (reason)`) takes its `dsn=` (C2, RC5). A text
    ///   without any code or cause falls back to its outer code (an expiry: the real cause
    ///   is the last deferral, RC4), then to the Postfix phrase map, then to the code
    ///   Exchange pairs with its component token. The explained code then goes through
    ///   ``explain(code:text:)`` with the text.
    public func explain(_ input: String) -> Explanation {
        let trimmed = String(input.trimmingSpaces)
        if isCode(trimmed) {
            var e = explain(code: trimmed, text: nil)
            e.input = input
            e.basis = .code
            e.rootCause = trimmed
            e.replyCode = Self.basicReply(trimmed)
            e.enhancedCode = EnhancedStatusCode(trimmed)
            return e
        }
        return explain(statusText: trimmed, input: input)
    }

    /// Explains one code in the context of the text it came with.
    ///
    /// The code's knowledge-base entry gives category, title, cause, fix and source (for
    /// `dns:*` and `tls:*` the ``CodelessCause`` detail sharpens title, cause and fix). A
    /// code that is not in the knowledge base gets its RFC 3463 class and subject meaning
    /// (enhanced codes), its RFC 5321 first- and second-digit meaning (basic replies), or
    /// the Windows Sockets page (`socket:N`), with ``Explanation/inKnowledgeBase`` false.
    ///
    /// With a text, the category is then chosen by the first rule that matches: the
    /// section 12 overrides (``CategoryOverride/all``, in order), else the Exchange component
    /// token Exchange pairs with this code (``ExchangeComponent``), else a Postfix phrase
    /// whose `dsn` is this code (``PostfixPhrase``).
    /// - Parameters:
    ///   - code: `5.7.1`, `554`, `socket:10061`, `dns:nxdomain`, ...
    ///   - text: the whole status text (all nested parts), or nil.
    /// - Complexity: one regular-expression match per applicable rule; rules that take the
    ///   category of an inner reason explain that reason in turn (on a shorter text).
    public func explain(code: String, text: String?) -> Explanation {
        var e = Explanation(input: text ?? code)
        e.code = code
        describe(code, into: &e)
        guard let text else { return e }
        let bytes = Array(text.utf8)
        if let token = bytes.withUnsafeBytes({ StatusText.componentToken($0) }) {
            let component = String(decoding: bytes[token], as: UTF8.self)
            e.component = component
            e.exchangeComponent = ExchangeComponent.row(for: Substring(component))
        }
        for rule in CategoryOverride.all where rule.codes.contains(code) {
            switch rule.rule {
            case .text(let pattern, let category):
                guard pattern.matches(text) else { continue }
                e.category = category
            case .inner(let part):
                guard let inner = CategoryOverride.innerText(text, part).map(String.init) else { continue }
                let innerBytes = Array(inner.utf8)
                guard let cause = innerBytes.withUnsafeBytes({ StatusText.analyze($0, wantCause: true).rootCause }),
                      cause != code
                else { continue }
                let innerExplanation = explain(code: cause, text: inner)
                guard innerExplanation.inKnowledgeBase else { continue }
                e.category = innerExplanation.category
                e.innerCause = cause
            }
            e.override = rule
            e.categoryRule = "section 12 row \(rule.row)" + (e.innerCause.map { ", inner reason \($0)" } ?? "")
            return e
        }
        if let row = e.exchangeComponent, row.code == code {
            if row.category != e.category {
                e.category = row.category
                e.categoryRule = "Exchange component \(row.token)"
            }
        } else if let phrase = PostfixPhrase.all.first(where: { $0.dsn == code && $0.pattern.matches(text) }) {
            e.postfixPhrase = phrase
            if phrase.category != e.category {
                e.category = phrase.category
                e.categoryRule = "Postfix phrase /\(phrase.pattern)/"
            }
        }
        return e
    }

    /// Fills category, title, cause, fix, source and meaning of `code` from the table, or
    /// from the code's structure when it is not there.
    private func describe(_ code: String, into e: inout Explanation) {
        let enhanced = EnhancedStatusCode(code)
        let reply = Self.basicReply(code)
        e.meaning = enhanced.map(CodeMeaning.describe) ?? reply.map { CodeMeaning.describe(reply: $0) }
        if let info = info(for: code) ?? rows.first(where: { $0.code == code }) {
            e.inKnowledgeBase = true
            e.category = info.category
            e.title = info.title
            e.cause = info.cause
            e.fix = info.fix
            e.source = info.source
            e.typicalReply = info.typicalReply == "-" ? nil : info.typicalReply
            e.entries = [info]
            if let detail = CodelessCause.named(code) {
                e.title = detail.title
                e.cause = detail.cause
                e.fix = detail.fix
                e.source = detail.source
            }
        } else if let enhanced {
            e.category = CodeMeaning.category(enhanced)
            e.title = "Not in the knowledge base"
            e.cause = "mailflow has no entry for \(code); by its structure it means: \(CodeMeaning.describe(enhanced))."
            e.fix = Self.fallbackFix(transient: enhanced.statusClass == 4, success: enhanced.statusClass == 2)
            e.source = "RFC 3463 sections 3.1-3.2"
            if enhanced.statusClass != 2 {
                let other = EnhancedStatusCode(statusClass: enhanced.statusClass == 4 ? 5 : 4, subject: enhanced.subject, detail: enhanced.detail)
                e.related = info(for: other.description)
            }
        } else if let reply {
            e.category = CodeMeaning.category(reply: reply)
            e.title = "Not in the knowledge base"
            e.cause = "mailflow has no entry for \(code); by its digits it means: \(CodeMeaning.describe(reply: reply))."
            e.fix = Self.fallbackFix(transient: reply / 100 == 4, success: reply / 100 < 4)
            e.source = "RFC5321 4.2.1"
        } else if code.hasPrefix("socket:") {
            e.category = "connection"
            e.title = "Windows Sockets error \(code.dropFirst(7))"
            e.cause = "A Windows Sockets error that is not in the knowledge base; Exchange reports the error of the connection it tried to make."
            e.fix = "Look the number up on the Microsoft page \"Windows Sockets Error Codes\"; check the path to the destination (firewalls, routing) and the destination server."
            e.source = "WSA"
        } else {
            e.title = "Not in the knowledge base"
            e.cause = "mailflow has no entry for \(code)."
        }
        e.defaultCategory = e.category
    }

    private static func fallbackFix(transient: Bool, success: Bool) -> String {
        if success { return "Nothing to fix: the code reports success." }
        if transient {
            return "Read the reply text for the reason. The sender keeps retrying until the message expires, so a code that persists needs the receiving side to act."
        }
        return "Read the reply text for the reason. Sending again unchanged fails the same way: fix what the text names, or ask the receiving side's administrator."
    }

    /// Explains a status text (see ``explain(_:)``).
    private func explain(statusText text: String, input: String) -> Explanation {
        let postfix = Self.postfixDelivery(text)
        let subject = postfix.flatMap { $0.reason.isEmpty ? nil : String($0.reason) } ?? text
        let bytes = Array(subject.utf8)
        let a = bytes.withUnsafeBytes { StatusText.analyze($0, wantCause: true) }
        let phrase = PostfixPhrase.first(matching: text)
        var root = a.rootCause
        var explained = root
        var basis: Explanation.Basis = .none
        if let cause = a.rootCause {
            basis = !a.causeFromText ? .replyCode : EnhancedStatusCode(cause) != nil ? .innermostCode : .codelessCause
        }
        var outerEnhanced = a.enhancedCode
        if let dsn = postfix?.dsn, let code = EnhancedStatusCode(dsn) {
            outerEnhanced = code
            root = dsn
            explained = dsn
            basis = .postfixDSN
        }
        if explained == nil {
            let component = a.component.flatMap { ExchangeComponent.row(for: Substring(String(decoding: bytes[$0], as: UTF8.self))) }
            if let outer = a.enhancedCode {
                explained = outer.description
                basis = .outerCode
            } else if let phrase, let dsn = phrase.dsn {
                root = dsn
                explained = dsn
                basis = .postfixPhrase
            } else if let component {
                root = component.code
                explained = component.code
                basis = .exchangeComponent
            } else if let phrase {
                return Self.phraseOnly(phrase, input: input)
            }
        }
        guard let explained else {
            var nothing = Explanation(input: input)
            nothing.replyCode = a.replyCode
            return nothing
        }
        var e = explain(code: explained, text: subject)
        e.input = input
        e.replyCode = a.replyCode
        e.enhancedCode = outerEnhanced
        e.rootCause = root
        e.basis = basis
        if basis == .postfixDSN, let cause = a.rootCause, cause != root { e.reasonCause = cause }
        if let phrase, phrase.dsn == explained || phrase.cause == a.rootCause || basis == .postfixPhrase {
            e.postfixPhrase = phrase
        }
        if let outer = outerEnhanced?.description, outer != explained, let info = info(for: outer) {
            e.entries.append(info)
        }
        return e
    }

    /// The Postfix qmgr expiry line has no code: the phrase itself is the explanation.
    private static func phraseOnly(_ phrase: PostfixPhrase, input: String) -> Explanation {
        var e = Explanation(input: input)
        e.basis = .postfixPhrase
        e.postfixPhrase = phrase
        e.category = phrase.category
        e.defaultCategory = phrase.category
        e.title = "Message expired in the Postfix queue"
        e.cause = phrase.note
        e.fix = "Find the last deferral of the same queue id: its reason is the cause (mailflow attributes the expiry to it, rule RC4), and fix that."
        e.source = "PFX qmgr_active.c"
        return e
    }

    /// A pasted Postfix delivery line: `... to=<r>, relay=..., dsn=X.Y.Z, status=S (reason)`
    /// or the qmgr line `... from=<s>, status=expired, returned to sender`.
    static func postfixDelivery(_ text: String) -> (dsn: String?, status: Substring, reason: Substring)? {
        guard let st = text.range(of: " status="), text.contains("to=<") || text.contains("from=<") else { return nil }
        let after = text[st.upperBound...]
        let status = after.prefix { $0.isLetter || $0 == "-" }
        var reason: Substring = ""
        let rest = after.dropFirst(status.count)
        if rest.hasPrefix(" ("), let close = rest.lastIndex(of: ")") {
            reason = rest[rest.index(rest.startIndex, offsetBy: 2)..<close]
        }
        var dsn: String?
        if let d = text.range(of: "dsn="), d.upperBound <= st.lowerBound {
            dsn = String(text[d.upperBound...].prefix { $0.isNumber || $0 == "." })
        }
        return (dsn, status, reason)
    }

    /// `421` -> 421: a three-digit reply code 200-599 and nothing else.
    static func basicReply(_ text: String) -> Int? {
        guard text.utf8.count == 3, let n = Int(text), (200...599).contains(n) else { return nil }
        return n
    }

    /// Whether `text` is a code rather than a status line: an enhanced code, a basic reply,
    /// a range row as listed (`4.7.500-699`), `socket:N`, or a code-less cause name.
    public func isCode(_ text: String) -> Bool {
        if EnhancedStatusCode(text) != nil || Self.basicReply(text) != nil { return true }
        if text.hasPrefix("socket:") { return text.count > 7 && text.dropFirst(7).allSatisfy(\.isASCIIDigitCharacter) }
        if entries[text] != nil || rows.contains(where: { $0.code == text }) { return true }
        for family in ["dns:", "tls:", "connection:"] where text.hasPrefix(family) {
            let detail = text.dropFirst(family.count)
            return !detail.isEmpty && detail.allSatisfy { $0.isASCIILowercaseLetter || $0 == "-" }
        }
        return false
    }
}

private extension Character {
    var isASCIIDigitCharacter: Bool { isASCII && isNumber }
    var isASCIILowercaseLetter: Bool { isASCII && isLowercase }
}
