import MailflowCore
import Testing

/// Real-shaped status strings with their outer codes (corpus rule C1) and root cause
/// (RC1-RC3), worked out by hand from the rules.
struct StatusCase: CustomTestStringConvertible, Sendable {
    let text: String
    let reply: Int?
    let enhanced: String?
    let cause: String?
    let expiry: Bool
    var testDescription: String { text }
    init(_ text: String, _ reply: Int?, _ enhanced: String?, _ cause: String?, expiry: Bool = false) {
        self.text = text; self.reply = reply; self.enhanced = enhanced; self.cause = cause; self.expiry = expiry
    }
}

let statusCases: [StatusCase] = [
    StatusCase("451 4.4.397 Error communicating with target host. -> 421 4.4.2 Connection dropped due to TimedOut", 451, "4.4.397", "4.4.2"),
    StatusCase("550 5.4.300 Message expired -> 451 4.4.0 DNS query failed. The error was: SMTPSEND.DNS.NonExistentDomain; nonexistent domain", 550, "5.4.300", "4.4.0", expiry: true),
    StatusCase("550 4.4.7 QUEUE.Expired; message expired", 550, "4.4.7", nil, expiry: true),
    StatusCase("Message expired -> 451 4.4.0 DNS query failed", nil, nil, "4.4.0"),
    StatusCase("421 Service not available", 421, nil, "421"),
    StatusCase("Delivery failed with 4.4.7.", nil, "4.4.7", nil, expiry: true),
    StatusCase("550-5.7.26 This mail has been blocked 550 5.7.26 https://support.example.com - gsmtp", 550, "5.7.26", "5.7.26"),
    StatusCase("450 4.4.316 Connection refused [Message=Socket error code 10061] [LastAttemptedServerName=mx.contoso.test] [LastAttemptedIP=192.0.2.4:25]", 450, "4.4.316", "4.4.316"),
    StatusCase("[{LED=441 4.4.1 Error encountered while communicating with primary target IP address: \"Failed to connect. Winsock error code: 10060, Win32 error code: 10060.\" The last endpoint attempted was 198.51.100.7:25};{MSG=};{FQDN=mx1.contoso.test};{IP=198.51.100.7};{LRT=11/1/2026 8:30:16 AM}]", 441, "4.4.1", "4.4.1"),
    StatusCase("[{LRT=};{LED=550 5.7.1 RESOLVER.RST.AuthRequired; authentication required};{FQDN=};{IP=}]", 550, "5.7.1", "5.7.1"),
    StatusCase("Failed to connect. Winsock error code: 10061, Win32 error code: 10061.", nil, nil, "socket:10061"),
    StatusCase("Failed connection to 203.0.113.9:25 (TimedOut:0000274C)", nil, nil, "socket:10060"),
    StatusCase("TLS negotiation failed with error UnknownCredentials", nil, nil, "tls"),
    StatusCase("451 4.4.397 Error communicating with target host.", 451, "4.4.397", "451"),
    StatusCase("Connected to 192.4.4.7 build 15.2.1118.7 LRT=5.4.2025", nil, nil, nil),
    StatusCase("250 2.1.5 Recipient OK", 250, "2.1.5", "2.1.5"),
    StatusCase("250 2.1.5Recipient OK", 250, "2.1.5", "2.1.5"),
    StatusCase("550 5.1.1 <nobody@contoso.test>: Recipient address rejected: User unknown in virtual mailbox table", 550, "5.1.1", "5.1.1"),
    StatusCase("[{LED=550 4.3.2 QUEUE.TransportAgent; message deleted by transport agent};{MSG=};{FQDN=};{IP=};{LRT=}]", 550, "4.3.2", "4.3.2"),
    StatusCase("550 5.7.350 Remote server returned message detected as spam -> 554 5.7.1 Service unavailable; client host blocked", 550, "5.7.350", "5.7.1"),
    StatusCase("451 5.7.3 STARTTLS is required to send mail", 451, "5.7.3", "5.7.3"),
    StatusCase("451 4.4.0 DNS query failed. The error was: DNS query failed with error ErrorRetry", 451, "4.4.0", "4.4.0"),
    StatusCase("DNS query failed with error ErrorRetry", nil, nil, "dns"),
    StatusCase("SMTPSEND.DNS.NonExistentDomain; nonexistent domain", nil, nil, "dns:nxdomain"),
    StatusCase("4501 something 4.4.1000 and 5.1.1.2", nil, nil, nil),
]

@Test(arguments: statusCases)
func statusExtraction(_ c: StatusCase) {
    let bytes = Array(c.text.utf8)
    let a = bytes.withUnsafeBytes { StatusText.analyze($0, wantCause: true) }
    #expect(a.replyCode == c.reply)
    #expect(a.enhancedCode?.description == c.enhanced)
    #expect(a.rootCause == c.cause)
    #expect(a.isExpiry == c.expiry)
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
