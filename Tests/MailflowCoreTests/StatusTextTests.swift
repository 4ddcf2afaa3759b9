import MailflowCore
import Testing

/// A real-shaped status string with its outer codes (corpus rule C1), root cause
/// (RC1-RC3), expiry flag and Exchange component token, worked out by hand from the rules
/// (never by running the code).
struct StatusCase: CustomTestStringConvertible, Sendable {
    let text: String
    let reply: Int?
    let enhanced: String?
    let cause: String?
    let expiry: Bool
    let component: String?
    var testDescription: String { text }
    init(_ text: String, _ reply: Int?, _ enhanced: String?, _ cause: String?, expiry: Bool = false, component: String? = nil) {
        self.text = text; self.reply = reply; self.enhanced = enhanced; self.cause = cause
        self.expiry = expiry; self.component = component
    }
}

/// Sources: `../shared/corpus` (the statuses of its files), `reference/status-codes.md`
/// sections 1-4, 10 and 14 (quoted NDR, queue and trace texts), the Postfix source for its
/// own reasons. Documentation names and addresses stand in for the real ones.
let statusCases: [StatusCase] = [
    // MARK: Chains and wrappers (RC1: the rightmost code that is not a wrapper)
    StatusCase("451 4.4.397 Error communicating with target host. -> 421 4.4.2 Connection dropped due to TimedOut", 451, "4.4.397", "4.4.2"),
    StatusCase("550 5.4.300 Message expired -> 451 4.4.0 DNS query failed. The error was: SMTPSEND.DNS.NonExistentDomain; nonexistent domain", 550, "5.4.300", "4.4.0", expiry: true, component: "SMTPSEND.DNS.NonExistentDomain"),
    StatusCase("Message expired -> 451 4.4.0 DNS query failed", nil, nil, "4.4.0"),
    StatusCase("Message expired -&gt; 451 4.4.0 DNS query failed", nil, nil, "4.4.0"),
    StatusCase("451 4.4.397 Error communicating with target host.", 451, "4.4.397", "451"),
    StatusCase("{LED=451 4.4.397 Error communicating with target host. -> 421 4.2.1 Unable to connect -> SocketTimedout: Socket error code 10060};{MSG=};{FQDN=mx.contoso.test};{IP=198.51.100.7};", 451, "4.4.397", "4.2.1"),
    StatusCase("550 5.7.350 Remote server returned message detected as spam -> 554 5.7.1 Service unavailable; client host blocked", 550, "5.7.350", "5.7.1"),
    StatusCase("Reported error: 550 5.7.350 Remote server returned message detected as spam -> 554 5.7.1 Service unavailable; Client host [192.0.2.45] blocked using Spamhaus. To request removal from this list see https://www.spamhaus.org/query/ip/192.0.2.45 (AS3130)", 550, "5.7.350", "5.7.1"),
    StatusCase("550 5.7.350 Remote server returned message detected as spam -> 550 Message rejected", 550, "5.7.350", "550"),
    StatusCase("550 5.7.367 Remote server returned not permitted to relay -> 554 5.7.1 <bob@fabrikam.test>: Relay access denied", 550, "5.7.367", "5.7.1"),
    StatusCase("550 5.0.350 Remote server returned an error -> 552 5.3.4 Message size exceeds fixed limit", 550, "5.0.350", "5.3.4"),
    StatusCase("451 4.4.0 Primary target IP address responded with: \"421 4.4.1 Connection timed out.\" Attempted failover to alternate host, but that did not succeed. Either there are no alternate hosts, or delivery failed to all alternate hosts. The last endpoint attempted was 198.51.100.7:25", 451, "4.4.0", "4.4.1"),
    StatusCase("451 4.4.0 primary target IP address responded with \"421 4.4.2 unable to connect.\" Attempted failover to alternate host, but that did not succeed.", 451, "4.4.0", "4.4.2"),
    StatusCase("450 4.7.0 Proxy session setup failed on Frontend with '451 4.4.0 Primary target IP address responded with: \"421 4.4.1 Connection timed out.\"'", 450, "4.7.0", "4.4.1"),
    StatusCase("Reason: [{LED=450 4.4.317 Cannot connect to remote server [Message=451 4.4.0 Security status IllegalMessage]", 450, "4.4.317", "4.4.0"),
    StatusCase("Remote Server returned '550 5.4.317 Message expired, cannot connect to remote server(451 5.7.3 STARTTLS is required to send mail)'", 550, "5.4.317", "5.7.3"),
    StatusCase("550 5.4.317 Message expired, cannot connect to remote server(Failed to connect. Winsock error code: 995, Win32 error code: 995.)", 550, "5.4.317", "5.4.317"),
    StatusCase("550 5.4.316 Message expired, connection refused(Socket error code 10061)", 550, "5.4.316", "5.4.316"),
    StatusCase("550 5.4.312 Message expired, DNS query failed(ErrorRetry)", 550, "5.4.312", "5.4.312"),
    StatusCase("7/7/2026 3:58:12 PM - Server at mx.contoso.test returned '550 5.4.317 Message expired, cannot connect to remote server(SubjectMismatch Expected Subject: mx.fabrikam.test)'", 550, "5.4.317", "5.4.317"),
    StatusCase("530 5.7.57 Client not authenticated to send mail. Error: 535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to be authenticated successfully.", 530, "5.7.57", "5.7.139"),

    // MARK: Expiry (outer 4.4.7 or 5.4.300, or QUEUE.Expired): no cause of its own (RC4)
    StatusCase("550 4.4.7 QUEUE.Expired; message expired", 550, "4.4.7", nil, expiry: true, component: "QUEUE.Expired"),
    StatusCase("#550 4.4.7 QUEUE.Expired; message expired ##", 550, "4.4.7", nil, expiry: true, component: "QUEUE.Expired"),
    StatusCase("Reason: [{LED=550 4.4.7 QUEUE.Expired; message expired};{MSG=};{FQDN=};{IP=};{LRT=}]", 550, "4.4.7", nil, expiry: true, component: "QUEUE.Expired"),
    StatusCase("Delivery failed with 4.4.7.", nil, "4.4.7", nil, expiry: true),
    StatusCase("[{LED=550 5.4.300 Message expired -> 451 4.4.0 DNS query failed. The error was: SMTPSEND.DNS.NonExistentDomain; nonexistent domain};{MSG=};{FQDN=relay.fabrikam.test};{IP=};{LRT=11/3/2026 8:47:12 AM}]", 550, "5.4.300", "4.4.0", expiry: true, component: "SMTPSEND.DNS.NonExistentDomain"),

    // MARK: Exchange Server queues and message tracking (corpus cases/exchange2019-defer-expire.log)
    StatusCase("[{LED=441 4.4.1 Error encountered while communicating with primary target IP address: \"Failed to connect. Winsock error code: 10060, Win32 error code: 10060.\" The last endpoint attempted was 198.51.100.7:25};{MSG=};{FQDN=mx1.contoso.test};{IP=198.51.100.7};{LRT=11/1/2026 8:30:16 AM}]", 441, "4.4.1", "4.4.1"),
    StatusCase("[{LRT=};{LED=550 5.7.1 RESOLVER.RST.AuthRequired; authentication required};{FQDN=};{IP=}]", 550, "5.7.1", "5.7.1", component: "RESOLVER.RST.AuthRequired"),
    StatusCase("[{LED=550 4.3.2 QUEUE.TransportAgent; message deleted by transport agent};{MSG=};{FQDN=};{IP=};{LRT=}]", 550, "4.3.2", "4.3.2", component: "QUEUE.TransportAgent"),
    StatusCase("[{LED=451 4.4.0 DNS query failed. The error was: DNS query failed with error ErrorRetry};{MSG=};{FQDN=contoso.test};{IP=};{LRT=11/5/2026 7:10:23 AM}]", 451, "4.4.0", "4.4.0"),
    StatusCase("[{LED=550 5.1.1 <nobody@contoso.test>: Recipient address rejected: User unknown in virtual mailbox table};{MSG=};{FQDN=mx1.contoso.test};{IP=198.51.100.7};{LRT=11/5/2026 7:40:01 AM}]", 550, "5.1.1", "5.1.1"),
    StatusCase("[{LED=451 4.4.397 Error communicating with target host. -> 421 4.4.2 Connection dropped due to TimedOut};{MSG=};{FQDN=mx1.contoso.test};{IP=198.51.100.7};{LRT=11/2/2026 3:10:44 AM}]", 451, "4.4.397", "4.4.2"),
    StatusCase("[{LED=450 4.2.1 Recipient is receiving mail too quickly, try again later};{MSG=};{FQDN=mx1.contoso.test};{IP=198.51.100.7};{LRT=11/2/2026 10:15:02 AM}]", 450, "4.2.1", "4.2.1"),
    StatusCase("[{LED=452 4.2.2 Mailbox full, the recipient's quota is exceeded};{MSG=};{FQDN=mx1.contoso.test};{IP=198.51.100.7};{LRT=11/2/2026 10:15:02 AM}]", 452, "4.2.2", "4.2.2"),
    StatusCase("451 4.4.0 DNS query failed. The error was: DNS query failed with error ErrorRetry", 451, "4.4.0", "4.4.0"),
    StatusCase("250 2.1.5 Recipient OK", 250, "2.1.5", "2.1.5"),
    StatusCase("250 2.1.5Recipient OK", 250, "2.1.5", "2.1.5"),
    StatusCase("#550 5.1.1 RESOLVER.ADR.ExRecipNotFound; not found ##", 550, "5.1.1", "5.1.1", component: "RESOLVER.ADR.ExRecipNotFound"),
    StatusCase("mail.contoso.test #<exchange.contoso.test #5.7.1 smtp;530 5.7.1 Client was not authenticated> #SMTP#", 530, "5.7.1", "5.7.1"),
    StatusCase("Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'", 550, "5.1.10", "5.1.10", component: "RESOLVER.ADR.RecipientNotFound"),
    StatusCase("Remote Server returned '554 5.4.6 Hop count exceeded - possible mail loop'", 554, "5.4.6", "5.4.6"),
    StatusCase("550 5.6.11 SMTPSEND.BareLinefeedsAreIllegal; message contains bare linefeeds, which cannot be sent via DATA and receiving system does not support BDAT", 550, "5.6.11", "5.6.11", component: "SMTPSEND.BareLinefeedsAreIllegal"),
    StatusCase("432 4.3.2 STOREDRV.Deliver; mailbox server is too busy", 432, "4.3.2", "4.3.2", component: "STOREDRV.Deliver"),
    StatusCase("554 5.2.2 mailbox full; STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message due to a permanent exception with message Cannot submit message.", 554, "5.2.2", "5.2.2", component: "STOREDRV.Submission.Exception"),
    StatusCase("SMTPSEND.DNS.NonExistentDomain; nonexistent domain", nil, nil, "dns:nxdomain", component: "SMTPSEND.DNS.NonExistentDomain"),

    // MARK: Exchange Online message trace and NDRs (corpus cases/exo-*.csv, status-codes.md sections 1-3, 10)
    StatusCase("The message was deferred. 450 4.4.316 Connection refused [Message=Socket error code 10061] [LastAttemptedServerName=mail.contoso.test] [LastAttemptedIP=192.0.2.25:25]", 450, "4.4.316", "4.4.316"),
    StatusCase("450 4.4.316 Connection refused [Message=Socket error code 10061] [LastAttemptedServerName=mx.contoso.test] [LastAttemptedIP=192.0.2.4:25]", 450, "4.4.316", "4.4.316"),
    StatusCase("Reason: [{LED=450 4.4.315 Connection timed out [Message=Socket error code 10060] [LastAttemptedServerName=mail.contoso.test] [LastAttemptedIP=192.0.2.25:25]};{MSG=};{FQDN=mail.contoso.test};{IP=192.0.2.25};{LRT=11/2/2026 9:05:12 AM}]. OutboundProxyTargetIP: 192.0.2.25. OutboundProxyTargetHostName: mail.contoso.test", 450, "4.4.315", "4.4.315"),
    StatusCase("[{LED=450 4.4.312 DNS query failed [Message=InfoDomainNonexistent]};{MSG=};{FQDN=};{IP=};{LRT=11/2/2026 12:00:01 PM}]", 450, "4.4.312", "4.4.312"),
    StatusCase("[{LED=450 4.4.317 Cannot connect to remote server [Message=SubjectMismatch Expected Subject: mx.fabrikam.test. Presented Subject: CN=mail.fabrikam.test] [LastAttemptedServerName=mx.fabrikam.test] [LastAttemptedIP=203.0.113.25:25]};{MSG=};{FQDN=mx.fabrikam.test};{IP=203.0.113.25};{LRT=11/2/2026 8:15:01 AM}]", 450, "4.4.317", "4.4.317"),
    StatusCase("[{LED=450 4.4.318 Connection was closed abruptly [Message=Socket error code 10054] [LastAttemptedServerName=mail.contoso.test] [LastAttemptedIP=192.0.2.25:25]};{MSG=};{FQDN=mail.contoso.test};{IP=192.0.2.25};{LRT=11/2/2026 1:30:00 PM}]", 450, "4.4.318", "4.4.318"),
    StatusCase("Reason: [{LED=450 4.7.320 Certificate validation failed [LastAttemptedServerName=mx.fabrikam.test] [LastAttemptedIP=203.0.113.25:25]};{MSG=};{FQDN=mx.fabrikam.test};{IP=203.0.113.25};{LRT=11/2/2026 8:15:01 AM}]. OutboundProxyTargetIP: 203.0.113.25. OutboundProxyTargetHostName: mx.fabrikam.test", 450, "4.7.320", "4.7.320"),
    StatusCase("451 4.7.650 The mail server [192.0.2.10] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S775) [Name=Protocol Filter Agent][AGT=PFA][MxId=11BA7C2D3E4F5A6B] [BN1NAM02FT017.eop-nam02.prod.protection.outlook.com 2025-01-29T19:07:30.476Z 08DD3FA5DBC8F401]", 451, "4.7.650", "4.7.650"),
    StatusCase("550 5.7.1 Unfortunately, messages from [192.0.2.10] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. [DB5EUR03FT003.eop-EUR03.prod.protection.outlook.com 2025-01-29T19:07:30.476Z 08DD3FA5DBC8F401]", 550, "5.7.1", "5.7.1"),
    StatusCase("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. [SN4PR0501CA0054.namprd05.prod.outlook.com 2025-01-29T19:07:30.476Z 08DD3FA5DBC8F401]", 535, "5.7.139", "5.7.139"),
    StatusCase("451 4.4.62 Mail sent to the wrong Office 365 region. ATTR35. For more information please go to https://go.microsoft.com/fwlink/?linkid=865268", 451, "4.4.62", "4.4.62"),
    StatusCase("550 5.7.64 TenantAttribution; Relay Access Denied [SN1NAM02FT0123.eop-nam02.prod.protection.outlook.com 2025-01-29T19:07:30.476Z 08DD3FA5DBC8F401]", 550, "5.7.64", "5.7.64"),
    StatusCase("550 4.4.4 Mail received as unauthenticated, incoming to a recipient domain configured in a hosted tenant which has no mail-enabled subscriptions. ATTR5", 550, "4.4.4", "4.4.4"),
    StatusCase("554 5.4.14 Hop count exceeded - possible mail loop ATTR34 [BL2PR01MB1234.prod.exchangelabs.com 2025-01-29T19:07:30.476Z 08DD3FA5DBC8F401]", 554, "5.4.14", "5.4.14"),
    StatusCase("550 5.7.520 Access denied, Your organization does not allow external forwarding. Please contact your administrator for further assistance. AS(7555)", 550, "5.7.520", "5.7.520"),
    StatusCase("550 5.7.509 Access denied, sending domain fabrikam.test does not pass DMARC verification and has a DMARC policy of reject. [BN8NAM12FT052.eop-nam12.prod.protection.outlook.com 2025-01-29T19:07:30.476Z 08DD3FA5DBC8F401]", 550, "5.7.509", "5.7.509"),
    StatusCase("451 4.7.500 Server busy. Please try again later from [192.0.2.10]. (AS843) [DM6NAM10FT021.eop-nam10.prod.protection.outlook.com 2025-01-29T19:07:30.476Z 08DD3FA5DBC8F401]", 451, "4.7.500", "4.7.500"),
    StatusCase("550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP. [DM6NAM10FT035.eop-nam10.prod.protection.outlook.com 2025-01-29T19:07:30.476Z 08DD3FA5DBC8F401]", 550, "5.7.708", "5.7.708"),
    StatusCase("550 5.1.8 Access denied, bad outbound sender AS(42004) [BN3NAM04FT015.eop-NAM04.prod.protection.outlook.com 2025-01-29T19:07:30.476Z 08DD3FA5DBC8F401]", 550, "5.1.8", "5.1.8"),

    // MARK: Exchange SMTP protocol and connectivity logs (corpus cases/exchange-*.log)
    StatusCase("451 4.7.0 Temporary server error. Please try again later. PRX4", 451, "4.7.0", "4.7.0"),
    StatusCase("550 5.1.1 <nobody@fabrikam.test>: Recipient address rejected: User unknown", 550, "5.1.1", "5.1.1"),
    StatusCase("TLS negotiation failed with error NoCredentials", nil, nil, "tls:credentials"),
    StatusCase("TLS negotiation failed with error UnknownCredentials", nil, nil, "tls:credentials"),
    StatusCase("TLS negotiation failed with error UntrustedRoot", nil, nil, "tls:certificate"),
    StatusCase("Failed to connect. Winsock error code: 10061, Win32 error code: 10061.", nil, nil, "socket:10061"),
    StatusCase("Failed to connect. Winsock error code: 10061, Win32 error code: 10061, Destination domain: contoso.test, Error Message: No connection could be made because the target machine actively refused it 198.51.100.8:25.", nil, nil, "socket:10061"),
    StatusCase("Failed to connect. Winsock error code: 10013, Win32 error code: 10013.", nil, nil, "socket:10013"),
    StatusCase("Failed connection to 203.0.113.9:25 (TimedOut:0000274C)", nil, nil, "socket:10060"),
    StatusCase("Failed connection to 198.51.100.8:25 (ConnectionRefused:0000274D)[TargetHost:mx2.contoso.test:25|MarkedUnhealthy|FailureCount:1|NextRetryTime:2026-11-02T10:35:01.418Z]", nil, nil, "socket:10061"),
    StatusCase("Failed connection to 203.0.113.25:25 (HostUnreachable:00002751)", nil, nil, "socket:10065"),
    StatusCase("Connection dropped due to SocketError: ConnectionReset", nil, nil, "socket:10054"),
    StatusCase("Unable to connect -> SocketTimedout", nil, nil, "socket:10060"),
    StatusCase("Messages: 0 Bytes: 0 (Retry : DNS query failed. The error was: SMTPSEND.DNS.NonExistentDomain; nonexistent domain)", nil, nil, "dns:nxdomain", component: "SMTPSEND.DNS.NonExistentDomain"),
    StatusCase("Messages: 0 Bytes: 0 (Retry : Unable to connect)", nil, nil, nil),
    StatusCase("DNS query failed with error ErrorRetry", nil, nil, "dns:tempfail"),

    // MARK: Postfix reasons (corpus postfix-*.log; phrases of smtp_connect.c, smtp_addr.c, smtp_proto.c, smtp_trouble.c)
    StatusCase("host mx.fabrikam.test[203.0.113.25] said: 550 5.1.1 <nobody@fabrikam.test>: Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command)", 550, "5.1.1", "5.1.1"),
    StatusCase("host gmail-smtp-in.l.google.com[2607:f8b0:400e:c04::1b] said: 550-5.7.1 [2607:4100:3:25:100::2      12] Our system has detected that this 550-5.7.1 message is likely unsolicited mail. To reduce the amount of spam sent 550-5.7.1 to Gmail, this message has been blocked. Please visit 550-5.7.1 http://support.google.com/mail/bin/answer.py?hl=en&answer=188131 for 550 5.7.1 more information. qc12si8475009pab.211 - gsmtp (in reply to end of DATA command)", 550, "5.7.1", "5.7.1"),
    StatusCase("host mx.contoso.test[2001:db8:7::7] said: 550-5.7.26 This mail has been blocked because the sender is unauthenticated. 550-5.7.26 Senders must authenticate with SPF or DKIM. 550 5.7.26 Please fix your authentication (in reply to end of DATA command)", 550, "5.7.26", "5.7.26"),
    StatusCase("550-5.7.26 This mail has been blocked 550 5.7.26 https://support.example.com - gsmtp", 550, "5.7.26", "5.7.26"),
    StatusCase("550-5.7.1 first line of the reply\r\n550 5.7.1 last line of the reply", 550, "5.7.1", "5.7.1"),
    StatusCase("host mx.fabrikam.test[203.0.113.25] said: 450 4.2.0 <carl@fabrikam.test>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/fabrikam.test.html (in reply to RCPT TO command)", 450, "4.2.0", "4.2.0"),
    StatusCase("host mx.fabrikam.test[203.0.113.25] said: 421 4.7.0 mx.fabrikam.test Error: too many connections from 192.0.2.10 (in reply to end of DATA command)", 421, "4.7.0", "4.7.0"),
    StatusCase("host mx.fabrikam.test[203.0.113.25] refused to talk to me: 554 5.7.1 Service unavailable; Client host [192.0.2.10] blocked using zen.spamhaus.org", 554, "5.7.1", "5.7.1"),
    StatusCase("host mx.fabrikam.test[203.0.113.25] said: 452 4.2.2 Mailbox full (in reply to RCPT TO command)", 452, "4.2.2", "4.2.2"),
    StatusCase("550 User unknown", 550, nil, "550"),
    StatusCase("550 5.0.0 <bob@fabrikam.test>... User unknown", 550, "5.0.0", "5.0.0"),
    StatusCase("554 5.7.1 <bob@fabrikam.test>: Relay access denied", 554, "5.7.1", "5.7.1"),
    StatusCase("connect to mx.contoso.test[198.51.100.7]:25: Connection refused", nil, nil, "socket:10061"),
    StatusCase("connect to mx.contoso.test[198.51.100.7]:25: Connection timed out", nil, nil, "socket:10060"),
    StatusCase("delivery temporarily suspended: connect to mx.contoso.test[198.51.100.7]:25: Connection timed out", nil, nil, "socket:10060"),
    StatusCase("connect to mx.fabrikam.test[2001:db8:25::25]:25: Network is unreachable", nil, nil, "socket:10051"),
    StatusCase("connect to mx.fabrikam.test[2001:db8:25::25]:25: No route to host", nil, nil, "socket:10065"),
    StatusCase("delivery temporarily suspended: lost connection with mta7.am0.yahoodns.net[98.136.216.22] while sending RCPT TO", nil, nil, "connection:lost"),
    StatusCase("lost connection with mx.contoso.test[2001:db8:7::7] while receiving the initial server greeting", nil, nil, "connection:lost"),
    StatusCase("conversation with mx.contoso.test[198.51.100.7] timed out while sending end of data -- message may be sent more than once", nil, nil, "connection:timeout"),
    StatusCase("Host or domain name not found. Name service error for name=lists.fabrikam.test type=MX: Host not found, try again", nil, nil, "dns:tempfail"),
    StatusCase("Host or domain name not found. Name service error for name=gmail.coml type=A: Host not found", nil, nil, "dns:nxdomain"),
    StatusCase("Host or domain name not found. Name service error for name=hotmai.test type=A: Host found but no data record of requested type", nil, nil, "dns:nodata"),
    StatusCase("Name service error for fabrikam..test: invalid host or domain name", nil, nil, "dns:failure"),
    StatusCase("TLS is required, but was not offered by host mx.fabrikam.test[2001:db8:25::25]", nil, nil, "tls:not-offered"),
    StatusCase("Cannot start TLS: handshake failure", nil, nil, "tls:handshake"),
    StatusCase("Server certificate not verified", nil, nil, "tls:certificate"),
    StatusCase("TLS is required, but our TLS engine is unavailable", nil, nil, nil),
    StatusCase("mail for contoso.test loops back to myself", nil, nil, nil),

    // MARK: Reply codes only where a reply starts
    StatusCase("421 Service not available", 421, nil, "421"),
    StatusCase("421-mx.fabrikam.test Service temporarily unavailable", 421, nil, "421"),
    StatusCase("message size=250 exceeds the limit of the relay", nil, nil, nil),
    StatusCase("552 5.3.4 Message size exceeds fixed maximum message size. Size: 52428800 KB, Max size: 36700160 KB", 552, "5.3.4", "5.3.4"),
    StatusCase("Status: 5.1.1", nil, "5.1.1", "5.1.1"),
    StatusCase("Diagnostic-Code: smtp; 550 5.1.1 <bob@fabrikam.test>... User unknown", 550, "5.1.1", "5.1.1"),

    // MARK: Not codes: IPs, builds, versions, dates, sizes (status-codes.md 14.3 pitfalls 1-2)
    StatusCase("Connected to 192.4.4.7 build 15.2.1118.7 LRT=5.4.2025", nil, nil, nil),
    StatusCase("Delivery to 192.4.4.7 failed", nil, nil, nil),
    StatusCase("Server version 15.02.1118.007 rejected the message", nil, nil, nil),
    StatusCase("LRT=5.4.2025 09:47:13", nil, nil, nil),
    StatusCase("Last retry 5.4.25 10:30 failed", nil, nil, nil),
    StatusCase("Sent 5.2 MB to 192.0.2.4", nil, nil, nil),
    StatusCase("Build 2.0.1.4 of the agent", nil, nil, nil),
    StatusCase("retry with v2.0.1 of the connector", nil, nil, nil),
    StatusCase("The code was 5.02.1 here", nil, nil, nil),
    StatusCase("4501 something 4.4.1000 and 5.1.1.2", nil, nil, nil),
    StatusCase("Error 4.7.1: access denied", nil, "4.7.1", "4.7.1"),
    StatusCase("Message rejected 4.7.1.", nil, "4.7.1", "4.7.1"),
    StatusCase("Delivery failed with 5.1.1, giving up.", nil, "5.1.1", "5.1.1"),
    StatusCase("Échec de remise : «5.1.1» destinataire inconnu", nil, "5.1.1", "5.1.1"),
]

@Suite("StatusText")
struct StatusTextTests {
    @Test func atLeastEightyCases() {
        #expect(statusCases.count >= 80)
        #expect(Set(statusCases.map(\.text)).count == statusCases.count, "a case is listed twice")
    }

    @Test(arguments: statusCases)
    func statusExtraction(_ c: StatusCase) {
        let bytes = Array(c.text.utf8)
        bytes.withUnsafeBytes { raw in
            let a = StatusText.analyze(raw, wantCause: true)
            #expect(a.replyCode == c.reply, "reply")
            #expect(a.enhancedCode?.description == c.enhanced, "enhanced")
            #expect(a.rootCause == c.cause, "root cause")
            #expect(a.isExpiry == c.expiry, "expiry")
            #expect(a.component.map { String(decoding: raw[$0], as: UTF8.self) } == c.component, "component")
            // Without the cause, the outer codes are the same.
            let light = StatusText.analyze(raw, wantCause: false)
            #expect(light.replyCode == c.reply && light.enhancedCode?.description == c.enhanced && light.rootCause == nil)
        }
    }

    @Test func bracketFormGivesRemoteHostAndIP() {
        let text = "[{LED=450 4.2.1 Too fast};{MSG=};{FQDN=mx1.contoso.test};{IP=198.51.100.7};{LRT=11/2/2026 10:15:02 AM}]"
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { raw in
            let a = StatusText.analyze(raw, wantCause: false)
            #expect(a.remoteHost.map { String(decoding: raw[$0], as: UTF8.self) } == "mx1.contoso.test")
            #expect(a.remoteIP.map { String(decoding: raw[$0], as: UTF8.self) } == "198.51.100.7")
            #expect(String(decoding: raw[a.reply], as: UTF8.self) == "450 4.2.1 Too fast")
        }
    }

    /// Code-less cause names keep the prefix the corpus compares (`socket`, `dns`, `tls`),
    /// or name a family of their own (`connection`).
    @Test func codelessNamesKeepTheirPrefix() {
        for c in statusCases {
            guard let cause = c.cause, let colon = cause.firstIndex(of: ":") else { continue }
            #expect(["socket", "dns", "tls", "connection"].contains(String(cause[..<colon])), "\(cause)")
        }
    }

    @Test(arguments: [
        ("2026-11-01T08:30:15.120Z", Int64(1_793_521_815_120)),
        ("2022-09-05T18:10:13.4907658", Int64(1_662_401_413_490)),
        ("2026-11-01T00:30:01+01:00", Int64(1_793_489_401_000)),
        ("1970-01-01T00:00:00Z", Int64(0)),
        ("2024-02-29T23:59:59.9996Z", Int64(1_709_251_199_999)),
    ])
    func timestamps(_ text: String, _ ms: Int64) {
        let bytes = Array(text.utf8)
        #expect(bytes.withUnsafeBytes { Timestamp.parseISO8601($0) } == ms)
    }

    @Test func badTimestampsAreRejected() {
        for text in ["2026-13-01T00:00:00Z", "2026-11-01 8:30", "not a time at all", "2026-11-01T08:30:15.Z",
                     "2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z", "0000-01-01T00:00:00Z"] {
            let bytes = Array(text.utf8)
            #expect(bytes.withUnsafeBytes { Timestamp.parseISO8601($0) } == nil, "\(text)")
        }
    }
}
