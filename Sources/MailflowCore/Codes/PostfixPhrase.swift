/// A Postfix reason text and the status code and category it stands for.
///
/// The table is `reference/status-codes.md` section 13, read from the Postfix source
/// (`smtp/smtp_connect.c`, `smtp_addr.c`, `smtp_proto.c`, `smtp_trouble.c`,
/// `smtpd/smtpd_check.c`, `smtpd.c`, `qmgr/qmgr_active.c`, `dns/dns_strerror.c`). Client-side
/// rows are the reasons the Postfix SMTP client logs in `status=deferred|bounced (reason)`
/// without a reply code of the remote server; server-side rows are the replies the Postfix
/// SMTP server gives in `NOQUEUE: reject:` lines. Patterns are case-insensitive regular
/// expressions; the first row that matches wins.
///
/// Used when a Postfix reason has no `dsn=` and no code (the phrase gives the code Postfix
/// would have logged), by `mailflow explain` for pasted Postfix reasons, and to confirm the
/// category of a code whose text is one of these phrases.
public struct PostfixPhrase: Sendable, CustomStringConvertible {
    /// Which side of the SMTP session writes the phrase.
    public enum Side: String, Sendable {
        /// The Postfix SMTP client, delivering out (`postfix/smtp`, `postfix/qmgr`).
        case client
        /// The Postfix SMTP server, refusing mail in (`postfix/smtpd`).
        case server
    }

    public let pattern: TextPattern
    /// The `dsn=` Postfix logs with this reason, e.g. `4.4.1`; nil for the qmgr expiry line,
    /// which has none.
    public let dsn: String?
    public let category: String
    /// The code-less cause ``StatusText/codelessCause(_:)`` gives for the same text
    /// (`socket:10061`, `dns:tempfail`), when there is one.
    public let cause: String?
    public let side: Side
    /// What the phrase means, in mailflow's words.
    public let note: String
    /// A real-shaped text with the phrase; the tests check that this row is the first to
    /// match it and that the code-less cause agrees.
    public let example: String

    init(_ pattern: String, _ dsn: String?, _ category: String, cause: String? = nil, side: Side = .client,
         note: String, example: String) {
        self.pattern = TextPattern(pattern)
        self.dsn = dsn
        self.category = category
        self.cause = cause
        self.side = side
        self.note = note
        self.example = example
    }

    public var description: String {
        "Postfix \(side.rawValue) phrase /\(pattern)/ -> \(dsn ?? "no dsn") \(category)"
    }

    /// The first row whose pattern matches `text`.
    public static func first(matching text: String) -> PostfixPhrase? {
        all.first { $0.pattern.matches(text) }
    }

    /// The section 13 table.
    public static let all: [PostfixPhrase] = [
        PostfixPhrase(#"Connection refused"#, "4.4.1", "connection", cause: "socket:10061",
                      note: "Nothing listens on the port, or a firewall rejects the connection (smtp_connect.c).",
                      example: "connect to mx.contoso.test[198.51.100.7]:25: Connection refused"),
        PostfixPhrase(#"Connection timed out|Operation timed out"#, "4.4.1", "connection", cause: "socket:10060",
                      note: "No answer to the TCP connection attempt: host down or packets dropped (smtp_connect.c).",
                      example: "connect to mx.contoso.test[198.51.100.7]:25: Connection timed out"),
        PostfixPhrase(#"No route to host"#, "4.4.1", "connection", cause: "socket:10065",
                      note: "The destination host is unreachable from the sender (smtp_connect.c).",
                      example: "connect to mx.fabrikam.test[2001:db8:25::25]:25: No route to host"),
        PostfixPhrase(#"Network is unreachable"#, "4.4.1", "connection", cause: "socket:10051",
                      note: "The sender has no route to the destination network, often IPv6 without connectivity (smtp_connect.c).",
                      example: "connect to mx.fabrikam.test[2001:db8:25::25]:25: Network is unreachable"),
        PostfixPhrase(#"lost connection with \S+ while"#, "4.4.2", "connection", cause: "connection:lost",
                      note: "The remote server closed or reset the session in the middle of the SMTP dialogue (smtp_trouble.c).",
                      example: "lost connection with mx.contoso.test[198.51.100.7] while receiving the initial server greeting"),
        PostfixPhrase(#"conversation with \S+ timed out while"#, "4.4.2", "connection", cause: "connection:timeout",
                      note: "The remote server stopped answering during the SMTP dialogue (smtp_trouble.c).",
                      example: "conversation with mx.contoso.test[198.51.100.7] timed out while sending end of data -- message may be sent more than once"),
        PostfixPhrase(#"Host not found, try again"#, "4.4.3", "dns", cause: "dns:tempfail",
                      note: "The DNS lookup failed for now (TRY_AGAIN: resolver timeout or server failure); retried (dns_strerror.c).",
                      example: "Host or domain name not found. Name service error for name=lists.fabrikam.test type=MX: Host not found, try again"),
        PostfixPhrase(#"Host found but no data record of requested type"#, "5.4.4", "dns", cause: "dns:nodata",
                      note: "The name exists but has no record of the type asked for (NO_DATA, dns_strerror.c).",
                      example: "Host or domain name not found. Name service error for name=hotmai.test type=A: Host found but no data record of requested type"),
        PostfixPhrase(#"Host not found"#, "5.4.4", "dns", cause: "dns:nxdomain",
                      note: "The name does not exist (HOST_NOT_FOUND); 4.4.4 when the lookup was soft (smtp_addr.c).",
                      example: "Host or domain name not found. Name service error for name=gmail.coml type=A: Host not found"),
        PostfixPhrase(#"Malformed or unexpected name server reply"#, "4.4.3", "dns", cause: "dns:tempfail",
                      note: "A name server answered with garbage; Postfix retries (dns_lookup.c).",
                      example: "Name service error for name=fabrikam.test type=MX: Malformed or unexpected name server reply"),
        PostfixPhrase(#"invalid host or domain name|Non-recoverable error"#, "5.4.4", "dns", cause: "dns:failure",
                      note: "The name is not a valid host name, or the name server refused the query (NO_RECOVERY) (smtp_addr.c).",
                      example: "Name service error for fabrikam..test: invalid host or domain name"),
        PostfixPhrase(#"Sender address rejected: Domain \S+ does not accept mail"#, "5.7.27", "auth/policy", side: .server,
                      note: "The sender's domain publishes a null MX, so it could not receive bounces (smtpd_check.c).",
                      example: "550 5.7.27 <alice@fabrikam.test>: Sender address rejected: Domain fabrikam.test does not accept mail (nullMX)"),
        PostfixPhrase(#"does not accept mail \(nullMX\)"#, "5.1.10", "recipient",
                      note: "The recipient domain publishes a null MX (RFC 7505): it takes no mail. The Postfix client logs 5.1.0, a Postfix server replies 556 5.1.10 (smtp_addr.c, smtpd_check.c).",
                      example: "Domain fabrikam.test does not accept mail (nullMX)"),
        PostfixPhrase(#"mail for \S+ loops back to myself"#, "5.4.6", "routing/loop",
                      note: "This server is the MX for the destination but does not accept its mail; 4.4.6 when it is not the best MX (smtp_addr.c).",
                      example: "mail for contoso.test loops back to myself"),
        PostfixPhrase(#"unable to find primary relay for"#, "4.4.4", "routing/loop",
                      note: "No usable next hop for the destination in the transport or relay settings (smtp_addr.c).",
                      example: "unable to find primary relay for contoso.test"),
        PostfixPhrase(#"TLS is required, but our TLS engine is unavailable"#, "4.7.5", "config",
                      note: "The local TLS setup is broken (certificates, keys or library): a configuration fault of the sender (smtp_proto.c).",
                      example: "TLS is required, but our TLS engine is unavailable"),
        PostfixPhrase(#"TLS is required, but was not offered by host|refused to start TLS"#, "4.7.4", "tls", cause: "tls:not-offered",
                      note: "The TLS policy requires encryption but the destination does not offer STARTTLS (smtp_proto.c).",
                      example: "TLS is required, but was not offered by host mx.fabrikam.test[2001:db8:25::25]"),
        PostfixPhrase(#"Cannot start TLS: handshake failure"#, "4.7.5", "tls", cause: "tls:handshake",
                      note: "The TLS handshake failed: no common protocol or cipher, or the peer aborted (smtp_proto.c).",
                      example: "Cannot start TLS: handshake failure"),
        PostfixPhrase(#"Server certificate not (verified|trusted)"#, "4.7.5", "tls", cause: "tls:certificate",
                      note: "The TLS policy requires a verified certificate and the destination's did not verify (smtp_proto.c).",
                      example: "Server certificate not verified"),
        PostfixPhrase(#"Sender requested REQUIRETLS"#, "5.7.30", "tls",
                      note: "The message carries REQUIRETLS (RFC 8689) and the next hop cannot honour it; 5.7.10 in some versions (smtp_proto.c).",
                      example: "Sender requested REQUIRETLS, but mx.fabrikam.test[203.0.113.25] did not offer REQUIRETLS"),
        PostfixPhrase(#"message size \d+ exceeds size limit \d+ of server"#, "5.3.4", "size",
                      note: "The destination announced a SIZE limit below the message size (smtp_proto.c).",
                      example: "message size 52428800 exceeds size limit 36700160 of server mx.fabrikam.test[203.0.113.25]"),
        PostfixPhrase(#"mail transport unavailable|unknown mail transport error"#, "4.3.0", "config",
                      note: "The delivery agent named in the transport settings is missing or failing (deliver_pass.c).",
                      example: "mail transport unavailable"),
        PostfixPhrase(#"local data error while talking to"#, "4.3.0", "transient-other",
                      note: "Postfix could not read its own queue file while sending (smtp_trouble.c).",
                      example: "local data error while talking to mx.fabrikam.test[203.0.113.25]"),
        PostfixPhrase(#"status=expired, returned to sender"#, nil, "expiry",
                      note: "qmgr gave up after maximal_queue_lifetime (default 5 days) and returned the message; the line has no dsn and no recipient, the cause is the last deferral of the queue id (qmgr_active.c).",
                      example: "7E1A32C1B4: from=<alice@contoso.test>, status=expired, returned to sender"),
        PostfixPhrase(#"Relay access denied"#, "5.7.1", "auth/policy", side: .server,
                      note: "The server does not relay for this client and the recipient domain is not its own (smtpd_check.c).",
                      example: "554 5.7.1 <bob@fabrikam.test>: Relay access denied"),
        PostfixPhrase(#"Recipient address rejected: User unknown"#, "5.1.1", "recipient", side: .server,
                      note: "No such mailbox in the local, virtual or relay recipient tables (smtpd_check.c).",
                      example: "550 5.1.1 <nobody@contoso.test>: Recipient address rejected: User unknown in virtual mailbox table"),
        PostfixPhrase(#"Sender address rejected: Domain not found"#, "4.1.8", "dns", side: .server,
                      note: "The sender's domain does not resolve (reject_unknown_sender_domain); 5.1.8 when the failure is permanent (smtpd_check.c).",
                      example: "450 4.1.8 <alice@nowhere.test>: Sender address rejected: Domain not found"),
        PostfixPhrase(#"Recipient address rejected: Domain not found"#, "4.1.2", "dns", side: .server,
                      note: "The recipient's domain does not resolve (reject_unknown_recipient_domain) (smtpd_check.c).",
                      example: "450 4.1.2 <bob@nowhere.test>: Recipient address rejected: Domain not found"),
        PostfixPhrase(#"Client host rejected: cannot find your reverse hostname"#, "4.7.1", "auth/policy", side: .server,
                      note: "The client's IP has no PTR record (reject_unknown_reverse_client_hostname) (smtpd_check.c).",
                      example: "450 4.7.1 Client host rejected: cannot find your reverse hostname, [192.0.2.66]"),
        PostfixPhrase(#"Client host rejected: cannot find your hostname"#, "4.7.25", "auth/policy", side: .server,
                      note: "The client's PTR name does not resolve back to its IP (reject_unknown_client_hostname) (smtpd_check.c).",
                      example: "450 4.7.25 Client host rejected: cannot find your hostname, [192.0.2.66]"),
        PostfixPhrase(#"Client host \[[^\]]*\] blocked using"#, "5.7.1", "spam/reputation", side: .server,
                      note: "The client's IP is listed on a DNS block list the server consults (reject_rbl_client) (smtpd_check.c).",
                      example: "554 5.7.1 Service unavailable; Client host [192.0.2.45] blocked using zen.spamhaus.org"),
        PostfixPhrase(#"Message size exceeds fixed limit"#, "5.3.4", "size", side: .server,
                      note: "The message is larger than message_size_limit (smtpd.c).",
                      example: "552 5.3.4 Message size exceeds fixed limit"),
        PostfixPhrase(#"Insufficient system storage"#, "4.3.1", "transient-other", side: .server,
                      note: "The server's queue file system is short of space (queue_minfree) (smtpd_check.c).",
                      example: "452 4.3.1 Insufficient system storage"),
        PostfixPhrase(#"too many recipients"#, "4.5.3", "quota/throttling", side: .server,
                      note: "More recipients than the server takes in one transaction; 450 4.7.1 when a rate limit counts them (smtpd.c).",
                      example: "452 4.5.3 Error: too many recipients"),
        PostfixPhrase(#"Error: too many (connections|errors)"#, "4.7.0", "quota/throttling", side: .server,
                      note: "The client exceeded the server's connection or error limits (anvil, smtpd.c).",
                      example: "421 4.7.0 mx.contoso.test Error: too many connections from 192.0.2.10"),
        PostfixPhrase(#"Must issue a STARTTLS command first"#, "5.7.0", "tls", side: .server,
                      note: "The server requires TLS before MAIL FROM (smtpd_tls_security_level = encrypt) (smtpd.c).",
                      example: "530 5.7.0 Must issue a STARTTLS command first"),
        PostfixPhrase(#"Improper use of SMTP command pipelining"#, "5.5.0", "permanent-other", side: .server,
                      note: "The client sent commands ahead of replies without PIPELINING (reject_unauth_pipelining) (smtpd_check.c).",
                      example: "503 5.5.0 <unknown[192.0.2.66]>: Client host rejected: Improper use of SMTP command pipelining"),
    ]
}
