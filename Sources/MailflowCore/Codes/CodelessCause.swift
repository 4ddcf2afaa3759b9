/// The detail names of causes without a status code (rule RC2), as
/// ``StatusText/codelessCause(_:)`` gives them: `dns:nxdomain`, `tls:handshake`,
/// `connection:lost`, ... (`socket:N` names are rows of the code table itself).
///
/// `dns:*` and `tls:*` share the `dns` and `tls` rows of the knowledge base (category,
/// table `status_code`, view `v_top_causes` and the corpus comparison all read them by the
/// part before the colon); their detail here sharpens the title, cause and fix that
/// `mailflow explain` shows. `connection:*` names have no such row and are entries of the
/// knowledge base of their own (category `connection`).
public struct CodelessCause: Sendable {
    /// `dns:nxdomain`, `tls:certificate`, `connection:lost`, ...
    public let name: String
    public let title: String
    public let cause: String
    public let fix: String
    /// Source keys (``KnowledgeSource``) and files.
    public let source: String
    /// What Postfix logs as `dsn=` for the same condition, if it has a phrase for it.
    public let postfixDSN: String?

    /// The row for `name`, if it is a detail name.
    public static func named(_ name: String) -> CodelessCause? { all.first { $0.name == name } }

    /// The knowledge-base entry of a name without a row of its own (`connection:*`).
    var entry: StatusCodeInfo {
        StatusCodeInfo(code: name, typicalReply: "-", category: "connection", title: title, cause: cause, fix: fix,
                       source: source, listedAs: name)
    }

    /// All detail names.
    public static let all: [CodelessCause] = [
        CodelessCause(
            name: "dns:nxdomain", title: "Domain does not exist (NXDOMAIN)",
            cause: "The resolver answered that the name does not exist (Exchange SMTPSEND.DNS.NonExistentDomain or InfoDomainNonexistent, Postfix 'Host not found'): the domain is misspelt, its registration lapsed, or a connector or transport names a host that is gone.",
            fix: "Check the spelling of the recipient domain or of the smart host; look the name up against the domain's authoritative servers; a lapsed registration can only be renewed by the domain's owner.",
            source: "PFX dns_strerror.c, smtp_addr.c; SISIMAI; mailflow wording", postfixDSN: "5.4.4"),
        CodelessCause(
            name: "dns:nodata", title: "No DNS record of the requested type",
            cause: "The name exists but has no record of the type asked for (Postfix 'Host found but no data record of requested type'): no MX and no A/AAAA, or an address family the sender cannot use.",
            fix: "Publish the missing MX or A/AAAA record for the destination, or correct the next-hop name.",
            source: "PFX dns_strerror.c; WSA (11004 is the Windows equivalent); mailflow wording", postfixDSN: "5.4.4"),
        CodelessCause(
            name: "dns:tempfail", title: "DNS lookup failed for now",
            cause: "The resolver got no usable answer in time (Postfix 'Host not found, try again' or a malformed reply, Exchange ErrorRetry): the sending server's resolvers, a firewall blocking DNS, or the domain's authoritative servers are failing. The message is retried.",
            fix: "Query the name from the sending server through its configured resolvers and directly at the domain's authoritative servers; fix whichever does not answer (Exchange: the external DNS lookup settings of the transport service).",
            source: "PFX dns_strerror.c, dns_lookup.c; EXS-KB(dns-query-failed); mailflow wording", postfixDSN: "4.4.3"),
        CodelessCause(
            name: "dns:failure", title: "DNS lookup failed permanently",
            cause: "The name server refused the query or returned a hard error (Postfix 'Non-recoverable error'), or the name is not a valid host name ('invalid host or domain name').",
            fix: "Check the name for typos and invalid characters; if it is valid, the domain's owner must repair its name servers.",
            source: "PFX dns_strerror.c, smtp_addr.c; mailflow wording", postfixDSN: "5.4.4"),
        CodelessCause(
            name: "tls:handshake", title: "TLS handshake failed",
            cause: "STARTTLS was accepted but the handshake failed (Exchange 'TLS negotiation failed', Postfix 'Cannot start TLS: handshake failure'): no common protocol version or cipher, a firewall inspecting SMTP, or the peer aborting the session.",
            fix: "Compare the TLS versions and ciphers both ends allow (TLS 1.2 or later on both), and switch off SMTP inspection on firewalls in the path.",
            source: "PFX smtp_proto.c; mailflow wording", postfixDSN: "4.7.5"),
        CodelessCause(
            name: "tls:certificate", title: "TLS certificate not trusted or not matching",
            cause: "The peer's certificate failed verification: an untrusted or incomplete chain (UntrustedRoot), an expired certificate, or names that do not match the host (SubjectMismatch, Postfix 'Server certificate not verified').",
            fix: "Serve the full chain of a public CA with the MX host name among the certificate's names and renew it before it expires; or relax the certificate requirement of the connector or TLS policy for that destination.",
            source: "MFI; EXO-FIX(450-4-4-317-untrusted-root); PFX smtp_proto.c; mailflow wording", postfixDSN: "4.7.5"),
        CodelessCause(
            name: "tls:credentials", title: "Local TLS certificate unusable",
            cause: "Exchange could not use its own certificate for STARTTLS (TLS negotiation failed with error NoCredentials or UnknownCredentials): the certificate has no private key, has expired, or is not assigned to the SMTP service.",
            fix: "Install the certificate with its private key, assign it to the SMTP service, and make the TLS certificate name of the Send connector match it.",
            source: "EXS-KB(tls-negotiation-failed-with-error-nocredentials-error); EXS-KB(outbound-email-messages-are-not-sent); mailflow wording", postfixDSN: nil),
        CodelessCause(
            name: "tls:not-offered", title: "TLS required but not offered",
            cause: "The sender's TLS policy requires encryption but the destination did not offer STARTTLS or refused it (Postfix 'TLS is required, but was not offered by host').",
            fix: "Ask the destination to enable STARTTLS, or relax the TLS policy for that destination (Postfix smtp_tls_policy_maps).",
            source: "PFX smtp_proto.c; IANA; mailflow wording", postfixDSN: "4.7.4"),
        CodelessCause(
            name: "connection:lost", title: "Connection lost during the SMTP dialogue",
            cause: "The remote server closed or reset the session before the transaction ended (Postfix 'lost connection with H while <stage>'): a crash or overload, an idle timeout, a firewall or SMTP inspection dropping the session, or a receiver hanging up after a policy decision.",
            fix: "Read the stage in the text: at the greeting or EHLO it is usually a block or overload at the receiver, during DATA a size or content limit or a middlebox. Retries are automatic; ask the receiver if it persists.",
            source: "PFX smtp_trouble.c, smtp_chat.c; mailflow wording", postfixDSN: "4.4.2"),
        CodelessCause(
            name: "connection:timeout", title: "Remote server stopped answering",
            cause: "The remote server did not answer a command in time (Postfix 'conversation with H timed out while <stage>'): slow content scanning at the receiver, deliberate tarpitting, or a network path that drops large packets.",
            fix: "Read the stage in the text: timeouts after end of data point at the receiver's content scanning; timeouts at every stage point at a firewall or path MTU problem.",
            source: "PFX smtp_trouble.c; mailflow wording", postfixDSN: "4.4.2"),
    ]
}
