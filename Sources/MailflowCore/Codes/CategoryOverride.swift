/// A category override: the same code means something else when its text says so.
///
/// The table is `reference/status-codes.md` section 12, in its order: the first rule whose
/// codes contain the explained code and whose condition holds wins; otherwise the code's
/// knowledge-base category stands. Text conditions are case-insensitive regular
/// expressions matched against the whole status text (all nested parts). A rule whose
/// category equals the default ("keep") still counts as matched, because it names the
/// meaning the text selected.
///
/// Basic reply codes (`550`, `554`) in the code lists only come into play when the text has
/// no enhanced code that is a cause (rule RC3), which is the "no enhanced code" of the
/// section.
public struct CategoryOverride: Sendable, CustomStringConvertible {
    /// Where a wrapper keeps the reason it wraps.
    public enum InnerPart: String, Sendable {
        /// After the first chain arrow (`->`): Exchange Online wrappers 5.7.350, 5.7.367, 5.0.350.
        case afterArrow
        /// Inside the parentheses after the code's text: `550 5.4.316 Message expired,
        /// connection refused(Socket error code 10061)`.
        case parenthesisedTail
        /// After the first chain arrow, else after `Reason:` (expiry codes 4.4.7, 5.4.300, 5.4.7).
        case reason
    }

    /// What decides the category.
    public enum Rule: Sendable {
        /// The text matches `pattern`: the category is `category`.
        case text(TextPattern, category: String)
        /// The category of the reason found in that part of the text (its own code or
        /// code-less cause, explained with the overrides in turn).
        case inner(InnerPart)
    }

    /// 1-based row of the section 12 table.
    public let row: Int
    /// Enhanced codes (`5.7.1`) and basic replies (`554`) the rule applies to.
    public let codes: [String]
    public let rule: Rule
    /// Why the meaning differs (section 12, column "why", in mailflow's words).
    public let why: String
    /// A real-shaped status text the rule is written for; the tests check that the rule is
    /// the first to match it.
    public let example: String

    /// The category the rule sets, or nil when it takes the category of an inner reason.
    public var category: String? {
        if case .text(_, let category) = rule { return category }
        return nil
    }

    public var description: String {
        switch rule {
        case .text(let pattern, let category): return "section 12 row \(row): /\(pattern)/ -> \(category)"
        case .inner(let part): return "section 12 row \(row): category of the inner reason (\(part.rawValue))"
        }
    }

    init(_ row: Int, _ codes: [String], _ pattern: String, _ category: String, why: String, example: String) {
        self.row = row
        self.codes = codes
        self.rule = .text(TextPattern(pattern), category: category)
        self.why = why
        self.example = example
    }

    init(_ row: Int, _ codes: [String], inner: InnerPart, why: String, example: String) {
        self.row = row
        self.codes = codes
        self.rule = .inner(inner)
        self.why = why
        self.example = example
    }

    /// The part of `text` that holds the wrapped reason, or nil when there is none.
    public static func innerText(_ text: String, _ part: InnerPart) -> Substring? {
        func afterArrow() -> Substring? {
            for arrow in ["->", "-&gt;"] {
                if let r = text.range(of: arrow) {
                    let rest = text[r.upperBound...].drop { $0 == " " }
                    return rest.isEmpty ? nil : rest
                }
            }
            return nil
        }
        switch part {
        case .afterArrow:
            return afterArrow()
        case .parenthesisedTail:
            guard let open = text.firstIndex(of: "(") else { return nil }
            let close = text.lastIndex(of: ")").flatMap { $0 > open ? $0 : nil } ?? text.endIndex
            let inner = text[text.index(after: open)..<close]
            return inner.isEmpty ? nil : inner
        case .reason:
            if let tail = afterArrow() { return tail }
            guard let r = text.range(of: "Reason:") else { return nil }
            let rest = text[r.upperBound...].drop { $0 == " " }
            return rest.isEmpty ? nil : rest
        }
    }

    /// The section 12 table.
    public static let all: [CategoryOverride] = [
        CategoryOverride(1, ["5.2.2", "5.2.0"], #"submission ?quota|SubmissionQuotaExceeded|MaxSubmissionExceeded"#, "quota/throttling",
                         why: "Exchange Online reports the sender's sending limit with 5.2.2 (and STOREDRV 5.2.0 exceptions), not a full mailbox.",
                         example: "554 5.2.2 mailbox full; STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message due to a permanent exception with message Cannot submit message."),
        CategoryOverride(2, ["5.2.0"], #"BadPrimary|RESOLVER\.(ADR|CON|FWD)\."#, "config",
                         why: "A directory object is broken (missing primary address, bad contact or forwarding target).",
                         example: "550 5.2.0 RESOLVER.ADR.BadPrimary; recipient primary SMTP address is missing"),
        CategoryOverride(3, ["5.4.1"], #"relay access denied"#, "auth/policy",
                         why: "A relay refusal (MX, accepted domain or hybrid connector), not an unknown recipient.",
                         example: "550 5.4.1 Relay Access Denied ATTR36 [DM6NAM12FT034.eop-nam12.prod.protection.outlook.com 2025-01-29T19:07:30.476Z 08DD3FA5DBC8F401]"),
        CategoryOverride(4, ["5.7.1", "550", "554", "5.7.0"], #"blocked using|block ?list|blacklist|spamhaus|\(S3150\)|on our block list|spam|unsolicited|reputation"#, "spam/reputation",
                         why: "A block list or content filter refused the message.",
                         example: "554 5.7.1 Service unavailable; Client host [192.0.2.45] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.45"),
        CategoryOverride(5, ["5.7.1"], #"TRANSPORT\.RULES|organization policy"#, "auth/policy",
                         why: "A mail flow (transport) rule rejected the message; the default category stands.",
                         example: "550 5.7.1 TRANSPORT.RULES.RejectMessage; the message was rejected by organization policy"),
        CategoryOverride(6, ["5.7.1", "5.7.367", "554"], #"unable to relay|relay(ing)? (access )?denied|not permitted to relay"#, "auth/policy",
                         why: "The receiver refuses to relay for this sender or domain.",
                         example: "550 5.7.1 Unable to relay for bob@fabrikam.test"),
        CategoryOverride(7, ["4.7.0", "4.7.1", "5.7.0", "5.7.3", "530"], #"STARTTLS|TLS required|must issue a STARTTLS|TLS negotiation"#, "tls",
                         why: "The receiver requires TLS that the sender did not start.",
                         example: "530 5.7.0 Must issue a STARTTLS command first"),
        CategoryOverride(8, ["4.7.0", "4.7.1", "421"], #"too many (connections|errors|recipients|messages)|rate limit|try again later"#, "quota/throttling",
                         why: "A connection or rate limit.",
                         example: "421 4.7.0 mx.fabrikam.test Error: too many connections from 192.0.2.10"),
        CategoryOverride(9, ["4.7.0", "421", "450"], #"greylist|graylist"#, "transient-other",
                         why: "Greylisting is expected and clears on its own when the sender retries.",
                         example: "450 4.7.0 Greylisted, please retry in 300 seconds"),
        CategoryOverride(10, ["4.4.317", "5.4.317", "4.4.0"], #"STARTTLS|certificate|UntrustedRoot|SubjectMismatch|TLS|IllegalMessage|Security status"#, "tls",
                         why: "TLS handshake and certificate failures are the usual cause behind 4.4.317.",
                         example: "450 4.4.317 Cannot connect to remote server [Message=UntrustedRoot] [LastAttemptedServerName=mx.fabrikam.test] [LastAttemptedIP=203.0.113.25:25]"),
        CategoryOverride(11, ["4.4.0"], #"DNS query failed|NonExistentDomain|ErrorRetry|MxLoopback"#, "dns",
                         why: "Exchange reports DNS failures with 4.4.0.",
                         example: "451 4.4.0 DNS query failed. The error was: DNS query failed with error ErrorRetry"),
        CategoryOverride(12, ["4.4.0"], #"Primary target IP address responded|Socket|Winsock|timed out|refused|unable to connect"#, "connection",
                         why: "Exchange reports connection failures with 4.4.0 (the inner code, when there is one, is the cause).",
                         example: "451 4.4.0 Error encountered while communicating with primary target IP address: \"Failed to connect. Winsock error code: 10060, Win32 error code: 10060.\""),
        CategoryOverride(13, ["4.4.4"], #"ATTR5\b|no mail-enabled subscriptions"#, "config",
                         why: "The Microsoft 365 tenant of the recipient domain has no mail-enabled subscription.",
                         example: "550 4.4.4 Mail received as unauthenticated, incoming to a recipient domain configured in a hosted tenant which has no mail-enabled subscriptions. ATTR5"),
        CategoryOverride(14, ["4.4.4", "5.4.4"], #"host not found|Name service error|NonExistentDomain"#, "dns",
                         why: "The destination name does not resolve (Postfix and Exchange NXDOMAIN).",
                         example: "554 5.4.4 SMTPSEND.DNS.NonExistentDomain; nonexistent domain"),
        CategoryOverride(15, ["5.4.4"], #"ROUTING\.(NoNextHop|NoConnectorForAddressType)"#, "routing/loop",
                         why: "Exchange has no connector or next hop for the address.",
                         example: "550 5.4.4 ROUTING.NoNextHop; unable to route"),
        CategoryOverride(16, ["4.3.2"], #"thread limit|too busy|mapi session limit|throttl"#, "quota/throttling",
                         why: "The mailbox store throttles delivery (by design in Exchange Online).",
                         example: "432 4.3.2 STOREDRV.Deliver; recipient thread limit exceeded"),
        CategoryOverride(17, ["4.3.2"], #"QUEUE\.(Admin|DDAdmin|PoisonAdmin|TransportAgent)"#, "permanent-other",
                         why: "Deleted by an administrator or a transport agent: an operator action, not a delivery failure.",
                         example: "550 4.3.2 QUEUE.Admin; message deleted by administrative action"),
        CategoryOverride(18, ["4.3.2"], #"offline"#, "mailbox",
                         why: "The mailbox database or its server is offline.",
                         example: "451 4.3.2 The mailbox database is offline"),
        CategoryOverride(19, ["4.4.7", "5.4.300", "5.4.7"], inner: .reason,
                         why: "Expiry is a symptom: the cause is the reason it carries, else the last deferral (rule RC4).",
                         example: "550 5.4.300 Message expired -> Failed to connect. Winsock error code: 10060, Win32 error code: 10060."),
        CategoryOverride(20, ["5.4.316", "5.4.317", "5.4.312"], inner: .parenthesisedTail,
                         why: "The expiry form of a connector error keeps the last inner error in parentheses.",
                         example: "550 5.4.316 Message expired, connection refused(Socket error code 10061)"),
        CategoryOverride(21, ["5.7.350", "5.7.367", "5.0.350"], inner: .afterArrow,
                         why: "Exchange Online wraps the downstream server's reply; that reply is the cause.",
                         example: "550 5.7.350 Remote server returned message detected as spam -> 554 5.7.1 Message rejected due to content restrictions"),
        CategoryOverride(22, ["5.1.8"], #"domain not found"#, "dns",
                         why: "Postfix rejects a sender whose domain does not resolve with 5.1.8.",
                         example: "554 5.1.8 <alice@nowhere.test>: Sender address rejected: Domain not found"),
        CategoryOverride(23, ["5.1.10"], #"null ?MX|does not accept mail"#, "recipient",
                         why: "The IANA meaning: the recipient domain publishes a null MX and takes no mail.",
                         example: "556 5.1.10 <bob@fabrikam.test>: Recipient address rejected: Domain fabrikam.test does not accept mail (nullMX)"),
        CategoryOverride(24, ["5.5.0"], #"pipelining|protocol"#, "permanent-other",
                         why: "A Postfix protocol error, not an unknown mailbox.",
                         example: "503 5.5.0 <unknown[192.0.2.66]>: Client host rejected: Improper use of SMTP command pipelining"),
        CategoryOverride(25, ["4.2.1"], #"disabled"#, "mailbox",
                         why: "The IANA meaning: the mailbox is disabled.",
                         example: "450 4.2.1 Mailbox disabled, not accepting messages"),
        CategoryOverride(26, ["5.7.3"], #"Authentication unsuccessful"#, "auth/policy",
                         why: "SMTP AUTH failed; the default category stands.",
                         example: "535 5.7.3 Authentication unsuccessful [BN9PR03CA0123.namprd03.prod.outlook.com 2025-01-29T19:07:30.476Z 08DD3FA5DBC8F401]"),
        CategoryOverride(27, ["5.7.27"], #"SPF"#, "auth/policy",
                         why: "Gmail-style use of 5.7.27 for an SPF failure: same category, other cause than a null-MX sender.",
                         example: "550 5.7.27 The sender's domain did not pass SPF checks"),
        CategoryOverride(28, ["550"], #"user unknown|no such user|does not exist|not found|unknown recipient|mailbox unavailable"#, "recipient",
                         why: "A 550 without an enhanced code that names a missing mailbox; the default category stands.",
                         example: "550 Requested action not taken: mailbox unavailable"),
        CategoryOverride(29, ["550", "552"], #"quota|mailbox full|over quota|insufficient storage"#, "mailbox",
                         why: "A full mailbox reported without an enhanced code.",
                         example: "552 Requested mail action aborted: mailbox full"),
        CategoryOverride(30, ["552"], #"too many recipients"#, "quota/throttling",
                         why: "The legacy use of 552 for too many recipients (RFC 5321 section 4.5.3.1.10).",
                         example: "552 Too many recipients"),
        CategoryOverride(31, ["5.7.129"], #"disabled"#, "mailbox",
                         why: "In hybrid setups a disabled on-premises account surfaces as 5.7.129.",
                         example: "550 5.7.129 RESOLVER.RST.RestrictedToRecipientsPermission; the recipient account is disabled"),
    ]
}
