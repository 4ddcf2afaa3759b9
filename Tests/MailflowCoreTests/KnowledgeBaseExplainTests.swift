import MailflowCore
import Testing

/// The fixed category set of `reference/status-codes.md` section 0.
let knowledgeBaseCategories: Set<String> = [
    "dns", "connection", "tls", "auth/policy", "recipient", "mailbox", "size", "routing/loop", "expiry",
    "spam/reputation", "quota/throttling", "config", "transient-other", "permanent-other",
]

@Suite("KnowledgeBase: explain")
struct KnowledgeBaseExplainTests {
    let kb = KnowledgeBase.shared

    @Test func everyCodeIsExplained() {
        var codes = Array(kb.entries.keys)
        codes += kb.rows.map(\.code) // ranges as listed, e.g. 4.7.500-699
        #expect(codes.count > 600)
        for code in codes where code != "unknown" {
            let e = kb.explain(code)
            #expect(e.inKnowledgeBase && e.known && e.basis == .code && e.code == code, "\(code)")
            #expect(!e.title.isEmpty && !e.cause.isEmpty && !e.fix.isEmpty && !e.source.isEmpty, "\(code)")
            #expect(knowledgeBaseCategories.contains(e.category), "\(code): \(e.category)")
            #expect(!KnowledgeSource.documents(for: e.source).isEmpty, "\(code): no known source key in \(e.source)")
            #expect(e.render().contains("fix:"), "\(code)")
        }
    }

    @Test func codelessDetailNamesAreExplained() {
        for detail in CodelessCause.all {
            let e = kb.explain(detail.name)
            #expect(e.inKnowledgeBase && e.title == detail.title && e.fix == detail.fix, "\(detail.name)")
            #expect(e.category == String(detail.name.prefix { $0 != ":" }), "\(detail.name)")
            #expect(kb.isCode(detail.name))
        }
        // The view joins dns:* and tls:* to their rows; connection:* are rows of their own.
        #expect(kb.info(for: "tls:certificate")?.code == "tls")
        #expect(kb.info(for: "connection:lost")?.category == "connection")
    }

    /// Codes that are not in the knowledge base: flagged, with their RFC 3463 or RFC 5321
    /// meaning and a category by class and subject (worked out by hand).
    @Test(arguments: [
        ("5.9.999", "permanent-other", "subject 9 is not defined by RFC 3463", nil as String?),
        ("4.1.99", "recipient", "subject 1, addressing", nil),
        ("4.5.2", "transient-other", "subject 5, mail delivery protocol", "5.5.2"),
        ("5.6.5", "permanent-other", "subject 6, message content or media", nil),
        ("4.7.999", "auth/policy", "class 4, persistent transient failure", "5.7.999"),
        ("2.6.0", "success", "class 2, success", nil),
        ("459", "transient-other", "second digit 5, mail system", nil),
        ("571", "permanent-other", "first digit 5, permanent negative completion", nil),
        ("socket:10035", "connection", "", nil),
    ])
    func unknownCodesFallBack(_ code: String, _ category: String, _ meaning: String, _ related: String?) {
        let e = kb.explain(code)
        #expect(!e.inKnowledgeBase && e.known, "\(code)")
        #expect(e.category == category, "\(code)")
        if !meaning.isEmpty { #expect(e.meaning?.contains(meaning) == true, "\(code): \(e.meaning ?? "-")") }
        #expect(e.related?.code == related, "\(code)")
        #expect(e.render().contains("not in the knowledge base"), "\(code)")
        #expect(!e.fix.isEmpty)
    }

    @Test func nothingRecognised() {
        let e = kb.explain("the weather is fine today")
        #expect(!e.known && e.code == nil && e.basis == .none)
        #expect(e.render().hasPrefix("No status code or known cause found"))
    }

    /// Every section 12 rule is the first to match its own example, with its category;
    /// rules that take the category of an inner reason give it (worked out by hand).
    @Test func overridesMatchTheirExamples() {
        let innerCategories = [19: "connection", 20: "connection", 21: "auth/policy"]
        #expect(CategoryOverride.all.map(\.row) == Array(1...31))
        for rule in CategoryOverride.all {
            let e = kb.explain(code: rule.codes[0], text: rule.example)
            #expect(e.override?.row == rule.row, "row \(rule.row): matched \(e.override.map { "\($0.row)" } ?? "none")")
            #expect(e.category == (rule.category ?? innerCategories[rule.row]), "row \(rule.row)")
            #expect(knowledgeBaseCategories.contains(e.category))
            for code in rule.codes { #expect(kb.info(for: code) != nil, "row \(rule.row): \(code) is not in the knowledge base") }
        }
    }

    /// The Postfix phrase map agrees with the byte-level reader: each row is the first to
    /// match its example, a client phrase gives the same code-less cause, and a server
    /// reply's own code is the row's dsn.
    @Test func postfixPhrasesAgreeWithStatusText() {
        for phrase in PostfixPhrase.all {
            #expect(PostfixPhrase.first(matching: phrase.example)?.pattern.pattern == phrase.pattern.pattern, "\(phrase)")
            #expect(knowledgeBaseCategories.contains(phrase.category), "\(phrase)")
            if let dsn = phrase.dsn { #expect(kb.info(for: dsn) != nil, "\(phrase)") }
            let bytes = Array(phrase.example.utf8)
            let cause = bytes.withUnsafeBytes { StatusText.analyze($0, wantCause: true).rootCause }
            switch phrase.side {
            case .client: #expect(cause == phrase.cause, "\(phrase): \(cause ?? "nil")")
            case .server: #expect(cause == phrase.dsn, "\(phrase): \(cause ?? "nil")")
            }
            if let name = phrase.cause { #expect(kb.info(for: name) != nil, "\(name)") }
        }
    }

    @Test func exchangeComponentsPairWithKnownCodes() {
        for row in ExchangeComponent.all {
            #expect(kb.info(for: row.code) != nil, "\(row)")
            #expect(knowledgeBaseCategories.contains(row.category), "\(row)")
            #expect(ExchangeComponent.row(for: Substring(row.token))?.token == row.token)
        }
        #expect(ExchangeComponent.row(for: "QUEUE.AdminX") == nil)
        #expect(ExchangeComponent.row(for: "RESOLVER.RST.SendSizeLimit.Org")?.code == "5.2.3")
    }

    /// What the explanation says about its parts, beyond root cause and category (those are
    /// checked line by line through the binary in `ExplainTests`).
    @Test func explanationNamesItsRules() {
        let dns = kb.explain("451 4.4.0 DNS query failed. The error was: DNS query failed with error ErrorRetry")
        #expect(dns.basis == .innermostCode && dns.defaultCategory == "transient-other" && dns.category == "dns")
        #expect(dns.categoryRule == "section 12 row 11")

        let expired = kb.explain("550 5.4.316 Message expired, connection refused(Socket error code 10061)")
        #expect(expired.override?.row == 20 && expired.innerCause == "socket:10061")

        let postfix = kb.explain("Nov  3 10:00:01 mx postfix/smtp[2211]: 4F1A22C0D3: to=<bob@contoso.test>, relay=none, delay=1.2, delays=0.01/0/1.2/0, dsn=4.4.1, status=deferred (connect to mx.contoso.test[198.51.100.7]:25: Connection refused)")
        #expect(postfix.basis == .postfixDSN && postfix.rootCause == "4.4.1" && postfix.reasonCause == "socket:10061")
        #expect(postfix.enhancedCode?.description == "4.4.1" && postfix.replyCode == nil)
        #expect(postfix.postfixPhrase?.dsn == "4.4.1")

        let wrapped = kb.explain("550 5.7.350 Remote server returned message detected as spam -> 554 5.7.1 Message rejected due to content restrictions")
        #expect(wrapped.rootCause == "5.7.1" && wrapped.enhancedCode?.description == "5.7.350")
        #expect(wrapped.entries.map(\.code) == ["5.7.1", "5.7.350"])

        let loop = kb.explain("554 5.4.4 SMTPSEND.DNS.MxLoopback; DNS records for the destination domain are configured in a loop")
        #expect(loop.component == "SMTPSEND.DNS.MxLoopback" && loop.category == "routing/loop" && loop.defaultCategory == "dns")

        let range = kb.explain("4.7.500-699")
        #expect(range.inKnowledgeBase && range.category == "spam/reputation")
        #expect(kb.explain("4.7.555").entries.first?.listedAs == "4.7.500-699")
    }

    @Test func sourceKeysNameTheirDocuments() {
        #expect(KnowledgeSource.documents(for: "EXS-NDR; IANA").count == 2)
        #expect(KnowledgeSource.documents(for: "EXO-FIX(550-5-7-1); EXO-FIX(5-7-57)").count == 1)
        #expect(KnowledgeSource.documents(for: "MFI (Microsoft page \"Mail flow intelligence\")").first?.contains("Mail flow intelligence") == true)
        #expect(KnowledgeSource.documents(for: "EXO-NDRX").isEmpty)
    }
}
