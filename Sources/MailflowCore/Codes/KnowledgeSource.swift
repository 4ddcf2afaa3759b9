/// The documents behind the knowledge base: the source keys of the `source` column
/// (`reference/status-codes.md` section 0) with the page each one names.
///
/// A `source` value lists keys separated by `;`, a key sometimes followed by a page or
/// file in parentheses (`EXO-FIX(550-5-7-1)`, `PFX smtp_addr.c`).
public enum KnowledgeSource {
    /// Key and what it stands for, in the order of section 0.
    public static let keys: [(key: String, document: String)] = [
        ("MFI", "Microsoft page \"Mail flow intelligence\" (MicrosoftDocs/defender-docs, defender-office-365/connectors-mail-flow-intelligence.md)"),
        ("EXO-NDR", "Microsoft page \"Non-delivery reports in Exchange Online\" (MicrosoftDocs/SupportArticles-docs, Exchange/ExchangeOnline/email-delivery/ndr/non-delivery-reports-in-exchange-online.md)"),
        ("EXO-FIX", "Microsoft per-code page \"Fix email delivery issues for error code ...\" (MicrosoftDocs/SupportArticles-docs, Exchange/ExchangeOnline/email-delivery/ndr/fix-error-code-<code>...md)"),
        ("EXO-KB", "Microsoft Exchange Online support article (MicrosoftDocs/SupportArticles-docs, Exchange/ExchangeOnline/email-delivery/)"),
        ("RELAYPOOL", "Microsoft article \"Forwarded or relayed email messages from Microsoft 365 are rejected with error 5.7.367\" (SupportArticles-docs)"),
        ("FWD", "Microsoft page \"Control automatic external email forwarding\" (MicrosoftDocs/defender-docs, defender-office-365/outbound-spam-policies-external-email-forwarding.md)"),
        ("EXO-MFD", "Microsoft page \"Fix issues with printers, scanners, and LOB applications that send email using Microsoft 365\" (MicrosoftDocs/OfficeDocs-Exchange)"),
        ("IRR", "Microsoft page \"Configure Multi-Geo In-Region Routing\", section Potential errors (MicrosoftDocs/microsoft-365-docs)"),
        ("EXS-NDR", "Microsoft page \"Non-delivery reports and bounce messages in Exchange Server\" (MicrosoftDocs/OfficeDocs-Exchange, Exchange 2016/2019)"),
        ("EX13-NDR", "Microsoft page \"DSNs and NDRs in Exchange 2013\" (MicrosoftDocs/OfficeDocs-Exchange)"),
        ("EXS-MSGINT", "Microsoft page \"Configure message retry, resubmit, and expiration intervals in Exchange Server\" (OfficeDocs-Exchange, mail-flow/queues/message-intervals.md)"),
        ("EXS-KB", "Microsoft Exchange Server support article (MicrosoftDocs/SupportArticles-docs, Exchange/ExchangeServer/mailflow/)"),
        ("IANA", "IANA registry \"Simple Mail Transfer Protocol (SMTP) Enhanced Status Codes\" and RFC 3463 (the RFC that registered a code is in parentheses)"),
        ("RFC5321", "RFC 5321, Simple Mail Transfer Protocol, sections 4.2.1-4.2.3 (reply codes)"),
        ("RFC8617", "RFC 8617, Authenticated Received Chain (ARC)"),
        ("RFC8689", "RFC 8689, SMTP Require TLS Option"),
        ("PFX", "Postfix source (vdukhovni/postfix, postfix/src/smtp, smtpd, qmgr, dns and global)"),
        ("WSA", "Microsoft page \"Windows Sockets Error Codes\" (MicrosoftDocs/win32, desktop-src/WinSock/windows-sockets-error-codes-2.md)"),
        ("SISIMAI", "sisimai bounce parser (sisimai/p5-sisimai: Rhost/Microsoft.pm, Lhost/Exchange2007.pm, SMTP/Status.pm)"),
        ("ACK", "a decompiled Exchange transport AckReason class (confirms component strings only; low authority)"),
        ("GMAIL", "Google Workspace Admin Help \"Gmail SMTP errors and codes\" (support.google.com/a/answer/3726730)"),
        ("3P", "third-party observations: forum and NDR samples, blogs (named in the entry); lower confidence"),
        ("mailflow", "written for mailflow (the corpus rules named in an entry are in ../shared/corpus/README.md)"),
    ]

    /// The documents a `source` value names, one line per distinct key, in the order the
    /// value names them (`"EXS-NDR; IANA"` gives the Exchange Server page, then IANA).
    public static func documents(for source: String) -> [String] {
        var seen: Set<String> = []
        var lines: [String] = []
        for part in source.split(separator: ";") {
            let trimmed = part.drop { $0 == " " }
            guard let entry = keys.first(where: { trimmed.hasPrefix($0.key) && isKeyEnd(trimmed, $0.key) }),
                  seen.insert(entry.key).inserted
            else { continue }
            lines.append("\(entry.key): \(entry.document)")
        }
        return lines
    }

    /// The key is a whole word: `EXO-FIX(...)`, `PFX smtp.c`, `IANA` but not `EXO-NDRX`.
    private static func isKeyEnd(_ text: Substring, _ key: String) -> Bool {
        let rest = text.dropFirst(key.count)
        guard let next = rest.first else { return true }
        return next == "(" || next == " " || next == ","
    }
}
