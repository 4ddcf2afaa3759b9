import Foundation
import MailflowCore
import Testing

/// A pasted status line and what `mailflow explain` must say of it, worked out by hand from
/// the corpus rules (C1, RC1-RC5) and `reference/status-codes.md` sections 11-13. A nil root
/// cause means the text holds none (an expiry: its cause is the last deferral).
struct PastedLine: CustomTestStringConvertible, Sendable {
    let text: String
    let rootCause: String?
    let category: String
    var testDescription: String { text }
    init(_ text: String, _ rootCause: String?, _ category: String) {
        self.text = text; self.rootCause = rootCause; self.category = category
    }
}

let pastedLines: [PastedLine] = [
    // Exchange Online (message trace Detail, NDRs)
    PastedLine("450 4.4.316 Connection refused [Message=Socket error code 10061] [LastAttemptedServerName=mail.contoso.test] [LastAttemptedIP=192.0.2.25:25]", "4.4.316", "connection"),
    PastedLine("[{LED=450 4.4.317 Cannot connect to remote server [Message=SubjectMismatch Expected Subject: mx.fabrikam.test. Presented Subject: CN=mail.fabrikam.test] [LastAttemptedServerName=mx.fabrikam.test] [LastAttemptedIP=203.0.113.25:25]};{MSG=};{FQDN=mx.fabrikam.test};{IP=203.0.113.25};{LRT=11/2/2026 8:15:01 AM}]", "4.4.317", "tls"),
    PastedLine("Reason: [{LED=450 4.7.320 Certificate validation failed [LastAttemptedServerName=mx.fabrikam.test] [LastAttemptedIP=203.0.113.25:25]};{MSG=};{FQDN=mx.fabrikam.test};{IP=203.0.113.25};{LRT=11/2/2026 8:15:01 AM}]. OutboundProxyTargetIP: 203.0.113.25. OutboundProxyTargetHostName: mx.fabrikam.test", "4.7.320", "tls"),
    PastedLine("550 5.4.316 Message expired, connection refused(Socket error code 10061)", "5.4.316", "connection"),
    PastedLine("Remote Server returned '550 5.4.317 Message expired, cannot connect to remote server(451 5.7.3 STARTTLS is required to send mail)'", "5.7.3", "tls"),
    PastedLine("550 5.7.367 Remote server returned not permitted to relay -> 554 5.7.1 <bob@fabrikam.test>: Relay access denied", "5.7.1", "auth/policy"),
    PastedLine("550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup", "5.1.10", "recipient"),
    PastedLine("554 5.2.2 mailbox full; STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message due to a permanent exception with message Cannot submit message.", "5.2.2", "quota/throttling"),
    PastedLine("451 4.7.650 The mail server [192.0.2.10] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S775)", "4.7.650", "spam/reputation"),
    PastedLine("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.", "5.7.139", "auth/policy"),
    PastedLine("550 4.4.4 Mail received as unauthenticated, incoming to a recipient domain configured in a hosted tenant which has no mail-enabled subscriptions. ATTR5", "4.4.4", "config"),
    // Exchange Server (queues, message tracking, protocol and connectivity logs)
    PastedLine("550 5.4.300 Message expired -> 451 4.4.0 DNS query failed. The error was: SMTPSEND.DNS.NonExistentDomain; nonexistent domain", "4.4.0", "dns"),
    PastedLine("451 4.4.397 Error communicating with target host. -> 421 4.4.2 Connection dropped due to TimedOut", "4.4.2", "connection"),
    PastedLine("550 4.4.7 QUEUE.Expired; message expired", nil, "expiry"),
    PastedLine("451 4.4.0 DNS query failed. The error was: DNS query failed with error ErrorRetry", "4.4.0", "dns"),
    PastedLine("[{LED=441 4.4.1 Error encountered while communicating with primary target IP address: \"Failed to connect. Winsock error code: 10060, Win32 error code: 10060.\" Attempted failover to alternate host, but that did not succeed. Either there are no alternate hosts, or delivery failed to all alternate hosts. The last endpoint attempted was 198.51.100.7:25};{MSG=};{FQDN=mx1.contoso.test};{IP=198.51.100.7};{LRT=11/1/2026 8:30:16 AM}]", "4.4.1", "connection"),
    PastedLine("550 4.3.2 QUEUE.Admin; message deleted by administrative action", "4.3.2", "permanent-other"),
    PastedLine("554 5.4.4 SMTPSEND.DNS.MxLoopback; DNS records for the destination domain are configured in a loop", "5.4.4", "routing/loop"),
    PastedLine("RESOLVER.ADR.ExRecipNotFound; not found", "5.1.1", "recipient"),
    PastedLine("TLS negotiation failed with error NoCredentials", "tls:credentials", "tls"),
    PastedLine("Failed connection to 198.51.100.8:25 (ConnectionRefused:0000274D)", "socket:10061", "connection"),
    // Postfix (whole log lines and reasons, smtp and smtpd)
    PastedLine("Nov  3 10:00:01 mx postfix/smtp[2211]: 4F1A22C0D3: to=<bob@contoso.test>, relay=none, delay=1.2, delays=0.01/0/1.2/0, dsn=4.4.1, status=deferred (connect to mx.contoso.test[198.51.100.7]:25: Connection refused)", "4.4.1", "connection"),
    PastedLine("connect to mx.contoso.test[198.51.100.7]:25: Connection timed out", "socket:10060", "connection"),
    PastedLine("Host or domain name not found. Name service error for name=lists.fabrikam.test type=MX: Host not found, try again", "dns:tempfail", "dns"),
    PastedLine("lost connection with mx.contoso.test[2001:db8:7::7] while receiving the initial server greeting", "connection:lost", "connection"),
    PastedLine("TLS is required, but was not offered by host mx.fabrikam.test[2001:db8:25::25]", "tls:not-offered", "tls"),
    PastedLine("mail for contoso.test loops back to myself", "5.4.6", "routing/loop"),
    PastedLine("Dec 12 04:01:12 mx postfix/qmgr[1102]: 7E1A32C1B4: from=<alice@contoso.test>, status=expired, returned to sender", nil, "expiry"),
    PastedLine("host mx.fabrikam.test[203.0.113.25] said: 450 4.2.0 <carl@fabrikam.test>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/fabrikam.test.html (in reply to RCPT TO command)", "4.2.0", "transient-other"),
    PastedLine("host gmail-smtp-in.l.google.com[2607:f8b0:400e:c04::1b] said: 550-5.7.1 [2607:4100:3:25:100::2      12] Our system has detected that this 550-5.7.1 message is likely unsolicited mail. To reduce the amount of spam sent 550-5.7.1 to Gmail, this message has been blocked. 550 5.7.1 more information. qc12si8475009pab.211 - gsmtp (in reply to end of DATA command)", "5.7.1", "spam/reputation"),
    PastedLine("554 5.7.1 Service unavailable; Client host [192.0.2.45] blocked using zen.spamhaus.org", "5.7.1", "spam/reputation"),
    PastedLine("530 5.7.0 Must issue a STARTTLS command first", "5.7.0", "tls"),
    PastedLine("421 4.7.0 mx.fabrikam.test Error: too many connections from 192.0.2.10", "4.7.0", "quota/throttling"),
    PastedLine("550 Requested action not taken: mailbox unavailable", "550", "recipient"),
    PastedLine("Dec 12 04:01:12 mx postfix/smtpd[1200]: NOQUEUE: reject: RCPT from unknown[192.0.2.66]: 450 4.7.1 Client host rejected: cannot find your reverse hostname, [192.0.2.66]; from=<x@fabrikam.test> to=<bob@contoso.test> proto=ESMTP helo=<fabrikam.test>", "4.7.1", "auth/policy"),
]

/// The value after `label` at the start of a line of `mailflow explain` output: its first
/// word, or the rest of the line.
private func field(_ label: String, in output: String, wholeLine: Bool = false) -> String? {
    for line in output.split(separator: "\n") where line.hasPrefix(label) {
        let value = line.dropFirst(label.count)
        return String(wholeLine ? value : value.prefix { $0 != " " })
    }
    return nil
}

@Suite("end to end: explain")
struct ExplainTests {
    @Test func explainsACode() throws {
        let r = try Mailflow.run(["explain", "4.4.316"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("4.4.316"), "\(r)")
        #expect(r.stdout.contains("Connection refused"), "\(r)")
        // A fix line with some advice on it.
        #expect(r.stdout.range(of: #"(?im)^\s*fix:?\s+\S.{10,}"#, options: .regularExpression) != nil, "\(r)")
    }

    @Test(arguments: [
        ["450 4.4.316 Connection refused [Message=Socket error code 10061]"],
        ["450", "4.4.316", "Connection", "refused", "[Message=Socket", "error", "code", "10061]"],
    ])
    func explainsAStatusLine(_ words: [String]) throws {
        let r = try Mailflow.run(["explain"] + words)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.range(of: #"(?i)root cause:?\s+4\.4\.316\b"#, options: .regularExpression) != nil, "\(r)")
        #expect(r.stdout.contains("Connection refused"), "\(r)")
    }

    /// Every code of the knowledge base (ranges expanded, and as listed), in one run: each
    /// is known, with a category of the fixed set, a cause and a fix.
    @Test func explainsEveryCodeOfTheKnowledgeBase() throws {
        let kb = KnowledgeBase.shared
        let codes = Array(Set(kb.entries.keys).union(kb.rows.map(\.code))).sorted()
        #expect(codes.count > 600)
        let r = try Mailflow.run(["explain"] + codes)
        #expect(r.status == 0, "\(r)")
        let blocks = r.stdout.components(separatedBy: "\n\n")
        #expect(blocks.count == codes.count, "one explanation per code")
        for (code, block) in zip(codes, blocks) {
            #expect(block.hasPrefix("\(code) ") && !block.contains("not in the knowledge base"), "\(code): \(block.prefix(200))")
            let category = field("  category: ", in: block) ?? ""
            #expect(category == kb.info(for: code)?.category ?? kb.rows.first { $0.code == code }?.category, "\(code)")
            #expect(category != "" && (category == "unknown") == (code == "unknown"), "\(code)")
            #expect((field("  cause:    ", in: block, wholeLine: true) ?? "").count > 10, "\(code): no cause")
            #expect((field("  fix:      ", in: block, wholeLine: true) ?? "").count > 10, "\(code): no fix")
        }
    }

    @Test func explainsUnknownCodesByTheirClass() throws {
        let r = try Mailflow.run(["explain", "5.9.999"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("5.9.999: not in the knowledge base"), "\(r)")
        #expect(r.stdout.contains("permanent failure"), "\(r)")
        let reply = try Mailflow.run(["explain", "459"])
        #expect(reply.stdout.contains("not in the knowledge base") && reply.stdout.contains("RFC 5321"), "\(reply)")
        let nothing = try Mailflow.run(["explain", "the weather is fine"])
        #expect(nothing.status == 1 && nothing.stdout.contains("No status code or known cause found"), "\(nothing)")
    }

    @Test func pastedLinesAreEnough() {
        #expect(pastedLines.count >= 20)
    }

    @Test(arguments: pastedLines)
    func explainsAPastedLine(_ line: PastedLine) throws {
        let r = try Mailflow.run(["explain", line.text])
        #expect(r.status == 0, "\(r)")
        #expect(field("root cause: ", in: r.stdout) == (line.rootCause ?? "none"), "\(r)")
        #expect(field("  category: ", in: r.stdout) == line.category, "\(r)")
        #expect(r.stdout.contains("  fix:      "), "\(r)")
    }
}
