/// What a delivery status text says: outer codes, root cause, expiry, remote host.
///
/// Ranges are byte offsets into the analysed text, so callers can bind them without copying.
public struct StatusAnalysis: Sendable {
    /// The part that holds the reply: the `LED=` value of the Exchange bracket form
    /// `[{LED=...};{MSG=...};{FQDN=...};{IP=...};{LRT=...}]`, else the whole text.
    public var reply: Range<Int>
    /// RFC 5321 reply code of the outer status (corpus rule C1), e.g. 451.
    public var replyCode: Int?
    /// RFC 3463 code of the outer status (C1), e.g. 4.4.397.
    public var enhancedCode: EnhancedStatusCode?
    /// Root cause by rules RC1-RC3 (innermost non-wrapper code, code-less cause, reply
    /// code), or nil when the text names none (an expiry then looks at earlier deferrals).
    public var rootCause: String?
    /// The root cause came from RC1 or RC2 (a real cause in the text, not the reply code).
    public var causeFromText: Bool
    /// Outer code 4.4.7 or 5.4.300, or `QUEUE.Expired` in the text.
    public var isExpiry: Bool
    /// `FQDN=` and `IP=` values of the bracket form.
    public var remoteHost: Range<Int>?
    public var remoteIP: Range<Int>?
    /// The first Exchange component token of the reply, e.g. `RESOLVER.ADR.ExRecipNotFound`,
    /// `SMTPSEND.DNS.NonExistentDomain`, `QUEUE.Expired` (see ``StatusText/componentToken(_:)``).
    /// Only looked for when the root cause is wanted; nil otherwise.
    public var component: Range<Int>?
}

/// Status-text reading on raw bytes, without regular expressions or allocation (except
/// for the root-cause string of failures).
///
/// Rules and guards come from the corpus counting rules (C1, RC1-RC3) and
/// `reference/status-codes.md` section 14.
///
/// ## Where a code is a code
/// - An enhanced code is `class.subject.detail` with class 2, 4 or 5 and subject and
///   detail of one to three digits without leading zeros (RFC 3463 section 2). It is not
///   preceded by a word character or `.` and not followed by a digit or by `.` and a digit
///   (the guards of rule C1), which keeps IP addresses (`192.4.4.7`), builds
///   (`15.02.1118.007`, `15.2.1118.7`) and dates (`LRT=5.4.2025`) out while
///   `failed with 4.4.7.` still matches. A non-ASCII letter or digit before it counts as a
///   word character; other non-ASCII characters (quotes, arrows, no-break spaces) do not.
///   A code-like date followed by a clock time (`5.4.25 10:30`) is not a code.
/// - A reply code is `[245]dd`, only where a reply starts: paired with an enhanced code
///   (`550 5.1.1`, `550-5.7.26` in multi-line replies) or at the very start of the text.
///   Sizes and other free numbers (`size=250`) are never reply codes.
/// - Chains (`A -> B`, also HTML-escaped `A -&gt; B`): the outer codes come from the first
///   segment; the root cause is the rightmost code that is not a wrapper
///   (``EnhancedStatusCode/isWrapper``), i.e. the innermost real reply.
///
/// ## Code-less causes (rule RC2)
/// Stable names, tried in this order (``codelessCause(_:)``):
/// - `socket:N`: a Windows Sockets error (Microsoft page "Windows Sockets Error Codes") as
///   `Winsock error code: N`, `Socket error code N`, `Win32 error code: N`, hex in
///   parentheses (`(TimedOut:0000274C)` is 10060), a .NET `SocketError: Name`, or the Unix
///   text Postfix logs for the same condition (`connect to H[IP]:25: Connection refused` is
///   10061, `Connection timed out` 10060, `No route to host` 10065, `Network is
///   unreachable` 10051, `Connection reset by peer` 10054, `Host is down` 10064).
/// - `tls:credentials` (Exchange `TLS negotiation failed with error NoCredentials` or
///   `UnknownCredentials`: the local certificate), `tls:certificate` (certificate not
///   verified or trusted, `UntrustedRoot`, `SubjectMismatch`), `tls:not-offered` (Postfix
///   `TLS is required, but was not offered by host H`), `tls:handshake` (any other TLS
///   negotiation or handshake failure). Postfix `our TLS engine is unavailable` is local
///   configuration, not a TLS failure, and gives nothing.
/// - `dns:nxdomain` (`SMTPSEND.DNS.NonExistentDomain`, `InfoDomainNonexistent`, Postfix
///   `Host not found`), `dns:nodata` (Postfix `Host found but no data record of requested
///   type`), `dns:tempfail` (Postfix `Host not found, try again` and `Malformed or
///   unexpected name server reply`, Exchange `ErrorRetry`), `dns:failure` (Postfix
///   `Non-recoverable error`, `invalid host or domain name`), else `dns` (`DNS query
///   failed`, `Name service error`). Postfix texts: `dns/dns_strerror.c`,
///   `dns/dns_lookup.c`, `smtp/smtp_addr.c`.
/// - `connection:lost` (Postfix `lost connection with H while <stage>`) and
///   `connection:timeout` (Postfix `conversation with H timed out while <stage>`),
///   `smtp/smtp_trouble.c`; Postfix logs dsn 4.4.2 for both.
public enum StatusText {

    /// Analyses one recipient status.
    /// - Parameters:
    ///   - text: the status bytes (already unquoted).
    ///   - wantCause: compute ``StatusAnalysis/rootCause`` and ``StatusAnalysis/component``
    ///     (only failures need them).
    /// - Returns: the analysis; no allocation unless a root cause is returned.
    /// - Complexity: O(n) in the length of the text for the codes, O(n·m) for the
    ///   code-less phrases (m = the longest phrase, a few dozen bytes).
    public static func analyze(_ text: UnsafeRawBufferPointer, wantCause: Bool) -> StatusAnalysis {
        var reply = 0..<text.count
        var host: Range<Int>?
        var ip: Range<Int>?
        if let led = bracketValue(text, key: "LED") {
            reply = led
            host = bracketValue(text, key: "FQDN").flatMap { $0.isEmpty ? nil : $0 }
            ip = bracketValue(text, key: "IP").flatMap { $0.isEmpty ? nil : $0 }
        }
        let replyText = UnsafeRawBufferPointer(rebasing: text[reply])
        let outer = 0..<(chainStart(replyText) ?? replyText.count)
        let (replyCode, enhanced) = outerCodes(replyText, outer)
        let isExpiry = (enhanced?.isExpiry ?? false) || find(replyText, "QUEUE.Expired", from: 0) != nil
        var cause: String?
        var fromText = false
        var component: Range<Int>?
        if wantCause {
            if let code = rightmostCause(replyText) {
                cause = code.description
                fromText = true
            } else if let codeless = codelessCause(replyText) {
                cause = codeless
                fromText = true
            } else if let replyCode, !isExpiry {
                cause = String(replyCode)
            }
            if let token = componentToken(replyText) {
                component = (token.lowerBound + reply.lowerBound)..<(token.upperBound + reply.lowerBound)
            }
        }
        return StatusAnalysis(
            reply: reply, replyCode: replyCode, enhancedCode: enhanced, rootCause: cause,
            causeFromText: fromText, isExpiry: isExpiry, remoteHost: host, remoteIP: ip, component: component)
    }

    /// Offset where the first chain arrow starts (` -> `, or the HTML-escaped `-&gt;` with
    /// the space before it), or nil when the text is not a chain.
    static func chainStart(_ t: UnsafeRawBufferPointer) -> Int? {
        let plain = find(t, " -> ", from: 0)
        var escaped = find(t, "-&gt;", from: 0)
        if let e = escaped, e > 0, t[e - 1] == UInt8(ascii: " ") { escaped = e - 1 }
        switch (plain, escaped) {
        case let (p?, e?): return min(p, e)
        case let (p?, nil): return p
        case let (nil, e?): return e
        default: return nil
        }
    }

    /// Outer reply and enhanced code of `range` (rule C1): the first `NNN X.Y.Z` pair;
    /// otherwise a reply code at the very start and the first guarded enhanced code.
    static func outerCodes(_ t: UnsafeRawBufferPointer, _ range: Range<Int>) -> (Int?, EnhancedStatusCode?) {
        var i = range.lowerBound
        while i + 4 < range.upperBound {
            if let reply = replyCode(t, at: i, limit: range.upperBound),
               t[i + 3] == UInt8(ascii: " ") || t[i + 3] == UInt8(ascii: "-"),
               let (code, _) = enhancedCode(in: t, at: i + 4, limit: range.upperBound, checkBefore: false)
            {
                return (reply, code)
            }
            i += 1
        }
        var reply: Int?
        var s = range.lowerBound
        while s < range.upperBound && t[s] == UInt8(ascii: " ") { s += 1 }
        if let r = replyCode(t, at: s, limit: range.upperBound),
           s + 3 == range.upperBound || t[s + 3] == UInt8(ascii: " ") || t[s + 3] == UInt8(ascii: "-")
        {
            reply = r
        }
        var enhanced: EnhancedStatusCode?
        i = range.lowerBound
        while i < range.upperBound {
            if let (code, _) = enhancedCode(in: t, at: i, limit: range.upperBound) {
                enhanced = code
                break
            }
            i += 1
        }
        return (reply, enhanced)
    }

    /// A `[245]dd` reply code starting at `i` and not preceded by a word character or `.`.
    @inline(__always)
    static func replyCode(_ t: UnsafeRawBufferPointer, at i: Int, limit: Int) -> Int? {
        guard i + 3 <= limit else { return nil }
        let a = t[i], b = t[i + 1], c = t[i + 2]
        guard a == 50 || a == 52 || a == 53, isDigit(b), isDigit(c) else { return nil }
        if i > 0 && wordOrDotBefore(t, i) { return nil }
        if i + 3 < limit && isDigit(t[i + 3]) { return nil }
        return Int(a - 48) * 100 + Int(b - 48) * 10 + Int(c - 48)
    }

    /// A guarded enhanced code starting at `i`: returns it and its length in bytes.
    ///
    /// `class "." subject "." detail`, class 2, 4 or 5, subject and detail 1-3 digits
    /// without leading zeros (RFC 3463 section 2); not preceded by a word character or `.`
    /// (unless `checkBefore` is false, for the code of a pair), not followed by a digit or
    /// `.` and a digit, and not followed by a clock time (` 10:30`, a date such as `5.4.25`).
    static func enhancedCode(
        in t: UnsafeRawBufferPointer, at i: Int, limit: Int? = nil, checkBefore: Bool = true
    ) -> (EnhancedStatusCode, Int)? {
        let end = limit ?? t.count
        guard i + 5 <= end else { return nil }
        let c = t[i]
        guard c == 50 || c == 52 || c == 53, t[i + 1] == UInt8(ascii: ".") else { return nil }
        if checkBefore && i > 0 && wordOrDotBefore(t, i) { return nil }
        var j = i + 2
        guard let subject = subCode(t, &j, end), j < end, t[j] == UInt8(ascii: ".") else { return nil }
        j += 1
        guard let detail = subCode(t, &j, end) else { return nil }
        // (?!\.?\d): not followed by a digit, nor by a dot and a digit.
        if j < end && isDigit(t[j]) { return nil }
        if j + 1 < end && t[j] == UInt8(ascii: ".") && isDigit(t[j + 1]) { return nil }
        // A day.month.year date followed by a time of day.
        if j < end && t[j] == UInt8(ascii: " ") {
            var k = j + 1
            while k < end && k - j <= 3 && isDigit(t[k]) { k += 1 }
            if k - j >= 2 && k - j <= 3 && k < end && t[k] == UInt8(ascii: ":") { return nil }
        }
        return (EnhancedStatusCode(statusClass: c - 48, subject: UInt16(subject), detail: UInt16(detail)), j - i)
    }

    /// One to three digits at `j` without a leading zero (a lone `0` is fine); advances `j`.
    @inline(__always)
    private static func subCode(_ t: UnsafeRawBufferPointer, _ j: inout Int, _ end: Int) -> Int? {
        let start = j
        var value = 0
        while j < end && isDigit(t[j]) && j - start < 4 { value = value * 10 + Int(t[j] - 48); j += 1 }
        let digits = j - start
        guard digits >= 1 && digits <= 3 else { return nil }
        if digits > 1 && t[start] == UInt8(ascii: "0") { return nil }
        return value
    }

    /// Rule RC1: the rightmost guarded enhanced code in the text that is not a wrapper.
    static func rightmostCause(_ t: UnsafeRawBufferPointer) -> EnhancedStatusCode? {
        var i = t.count - 5
        while i >= 0 {
            if let (code, _) = enhancedCode(in: t, at: i), !code.isWrapper { return code }
            i -= 1
        }
        return nil
    }

    /// Rule RC2: a cause without a status code, by the names and order given in the type's
    /// documentation (`socket:N`, then `tls:...`, then `dns...`, then `connection:...`).
    /// - Returns: the name, or nil when the text names no such cause. Names are at most 15
    ///   bytes or string literals, so they do not allocate.
    public static func codelessCause(_ t: UnsafeRawBufferPointer) -> String? {
        if let n = socketError(t) { return "socket:\(n)" }
        if let tls = tlsFailure(t) { return tls }
        if let dns = dnsFailure(t) { return dns }
        if findIgnoringCase(t, "lost connection with") != nil { return "connection:lost" }
        if let p = findIgnoringCase(t, "conversation with "), findIgnoringCase(t, " timed out while", from: p) != nil {
            return "connection:timeout"
        }
        return nil
    }

    /// A Windows Sockets error number named in the text (see the type's documentation).
    static func socketError(_ t: UnsafeRawBufferPointer) -> Int? {
        if let n = decimal(after: "Winsock error code", in: t) { return n }
        if let n = decimal(after: "Socket error code", in: t) { return n }
        if let n = decimal(after: "Win32 error code", in: t) { return n }
        if let hex = parenthesisedHexSocketError(t) { return hex }
        if let p = findIgnoringCase(t, "SocketError:") {
            var s = p + 12
            while s < t.count && t[s] == UInt8(ascii: " ") { s += 1 }
            var e = s
            while e < t.count && isLetter(t[e]) { e += 1 }
            if let n = socketErrorNumber(named: UnsafeRawBufferPointer(rebasing: t[s..<e])) { return n }
        }
        if findIgnoringCase(t, "SocketTimedOut") != nil { return 10060 }
        // strerror() texts, as Postfix logs them after `connect to H[IP]:25: `.
        if findIgnoringCase(t, "Connection refused") != nil { return 10061 }
        if findIgnoringCase(t, "Connection timed out") != nil || findIgnoringCase(t, "Operation timed out") != nil {
            return 10060
        }
        if findIgnoringCase(t, "No route to host") != nil { return 10065 }
        if findIgnoringCase(t, "Network is unreachable") != nil { return 10051 }
        if findIgnoringCase(t, "Connection reset by peer") != nil { return 10054 }
        if findIgnoringCase(t, "Host is down") != nil { return 10064 }
        return nil
    }

    /// The decimal number after `marker` (and optional `:` and spaces), e.g. 10060 in
    /// `Winsock error code: 10060`.
    private static func decimal(after marker: StaticString, in t: UnsafeRawBufferPointer) -> Int? {
        guard let p = findIgnoringCase(t, marker) else { return nil }
        var j = p + marker.utf8CodeUnitCount
        while j < t.count && (t[j] == UInt8(ascii: " ") || t[j] == UInt8(ascii: ":")) { j += 1 }
        var n = 0
        var digits = 0
        while j < t.count && isDigit(t[j]) && digits < 6 { n = n * 10 + Int(t[j] - 48); j += 1; digits += 1 }
        return digits > 0 ? n : nil
    }

    /// Windows Sockets number of a .NET `System.Net.Sockets.SocketError` member name (the
    /// names Exchange writes in `(TimedOut:0000274C)` and `SocketError: TimedOut`).
    static func socketErrorNumber(named name: UnsafeRawBufferPointer) -> Int? {
        func eq(_ s: StaticString) -> Bool {
            name.count == s.utf8CodeUnitCount && findIgnoringCase(name, s) == 0
        }
        if eq("TimedOut") { return 10060 }
        if eq("ConnectionRefused") { return 10061 }
        if eq("ConnectionReset") { return 10054 }
        if eq("ConnectionAborted") { return 10053 }
        if eq("HostUnreachable") { return 10065 }
        if eq("NetworkUnreachable") { return 10051 }
        if eq("HostDown") { return 10064 }
        if eq("NetworkDown") { return 10050 }
        if eq("AccessDenied") { return 10013 }
        if eq("HostNotFound") { return 11001 }
        if eq("TryAgain") { return 11002 }
        if eq("NoRecovery") { return 11003 }
        if eq("NoData") { return 11004 }
        if eq("OperationAborted") { return 995 }
        return nil
    }

    /// A TLS failure without a code: `tls:credentials`, `tls:certificate`,
    /// `tls:not-offered` or `tls:handshake` (see the type's documentation).
    static func tlsFailure(_ t: UnsafeRawBufferPointer) -> String? {
        if findIgnoringCase(t, "our TLS engine is unavailable") != nil { return nil }
        let certificate = findIgnoringCase(t, "certificate") != nil || findIgnoringCase(t, "UntrustedRoot") != nil
            || findIgnoringCase(t, "SubjectMismatch") != nil
        if findIgnoringCase(t, "TLS negotiation failed") != nil || findIgnoringCase(t, "TLS handshake failed") != nil
            || findIgnoringCase(t, "Cannot start TLS") != nil
        {
            if findIgnoringCase(t, "Credentials") != nil { return "tls:credentials" }
            return certificate ? "tls:certificate" : "tls:handshake"
        }
        if findIgnoringCase(t, "certificate not verified") != nil || findIgnoringCase(t, "certificate not trusted") != nil
            || findIgnoringCase(t, "certificate verification failed") != nil
            || findIgnoringCase(t, "UntrustedRoot") != nil || findIgnoringCase(t, "SubjectMismatch") != nil
        {
            return "tls:certificate"
        }
        if findIgnoringCase(t, "TLS is required, but was not offered") != nil
            || findIgnoringCase(t, "refused to start TLS") != nil
        {
            return "tls:not-offered"
        }
        return nil
    }

    /// A DNS failure without a code: `dns:nxdomain`, `dns:nodata`, `dns:tempfail`,
    /// `dns:failure` or `dns` (see the type's documentation).
    static func dnsFailure(_ t: UnsafeRawBufferPointer) -> String? {
        if findIgnoringCase(t, "NonExistentDomain") != nil || findIgnoringCase(t, "nonexistent domain") != nil
            || findIgnoringCase(t, "Non-existent domain") != nil || findIgnoringCase(t, "DomainNonexistent") != nil
            || findIgnoringCase(t, "DnsDomainDoesNotExist") != nil
        {
            return "dns:nxdomain"
        }
        if findIgnoringCase(t, "Host found but no data record") != nil { return "dns:nodata" }
        if findIgnoringCase(t, "Host not found, try again") != nil || findIgnoringCase(t, "ErrorRetry") != nil
            || findIgnoringCase(t, "Malformed or unexpected name server reply") != nil
        {
            return "dns:tempfail"
        }
        if findIgnoringCase(t, "Host not found") != nil { return "dns:nxdomain" }
        if findIgnoringCase(t, "Non-recoverable error") != nil || findIgnoringCase(t, "invalid host or domain name") != nil {
            return "dns:failure"
        }
        if findIgnoringCase(t, "DNS query failed") != nil || findIgnoringCase(t, "DNS failure") != nil
            || findIgnoringCase(t, "DNS lookup failed") != nil || findIgnoringCase(t, "Name service error") != nil
        {
            return "dns"
        }
        return nil
    }

    /// `(Word:0000274C)`: an Exchange socket error written as eight hex digits.
    static func parenthesisedHexSocketError(_ t: UnsafeRawBufferPointer) -> Int? {
        var i = 0
        while i < t.count {
            if t[i] == UInt8(ascii: "(") {
                var j = i + 1
                while j < t.count && (isLetter(t[j])) { j += 1 }
                if j > i + 1 && j + 9 < t.count && t[j] == UInt8(ascii: ":") && t[j + 9] == UInt8(ascii: ")") {
                    var value = 0
                    var ok = true
                    for k in 1...8 {
                        guard let h = hexValue(t[j + k]) else { ok = false; break }
                        value = value * 16 + h
                    }
                    if ok { return value }
                }
            }
            i += 1
        }
        return nil
    }

    /// The first Exchange component token: `RESOLVER.`, `QUEUE.`, `ROUTING.`, `SMTPSEND.`,
    /// `STOREDRV.`, `PICKUP.`, `REPLAY.`, `APPROVAL.`, `DSNGENERATION.` or
    /// `TRANSPORT.RULES.` followed by letters and dots (e.g. `RESOLVER.ADR.ExRecipNotFound`),
    /// not preceded by a word character; a dot ending a sentence is not part of it.
    /// Components as in `reference/status-codes.md` section 14.2 (Exchange NDR texts).
    public static func componentToken(_ t: UnsafeRawBufferPointer) -> Range<Int>? {
        var i = 0
        while i < t.count {
            let b = t[i]
            if b >= 65 && b <= 84 && (i == 0 || !wordOrDotBefore(t, i)) {
                var head = 0
                switch b {
                case UInt8(ascii: "R"):
                    head = prefix(t, i, "RESOLVER.") ?? prefix(t, i, "ROUTING.") ?? prefix(t, i, "REPLAY.") ?? 0
                case UInt8(ascii: "Q"): head = prefix(t, i, "QUEUE.") ?? 0
                case UInt8(ascii: "S"): head = prefix(t, i, "SMTPSEND.") ?? prefix(t, i, "STOREDRV.") ?? 0
                case UInt8(ascii: "P"): head = prefix(t, i, "PICKUP.") ?? 0
                case UInt8(ascii: "A"): head = prefix(t, i, "APPROVAL.") ?? 0
                case UInt8(ascii: "D"): head = prefix(t, i, "DSNGENERATION.") ?? 0
                case UInt8(ascii: "T"): head = prefix(t, i, "TRANSPORT.RULES.") ?? 0
                default: break
                }
                if head > 0 {
                    var e = i + head
                    while e < t.count && (isLetter(t[e]) || t[e] == UInt8(ascii: ".")) { e += 1 }
                    while e > i + head && t[e - 1] == UInt8(ascii: ".") { e -= 1 }
                    if e > i + head { return i..<e }
                }
            }
            i += 1
        }
        return nil
    }

    /// Length of `p` when the text has it at `i` (case-sensitive), else nil.
    @inline(__always)
    private static func prefix(_ t: UnsafeRawBufferPointer, _ i: Int, _ p: StaticString) -> Int? {
        let n = p.utf8CodeUnitCount
        guard i + n <= t.count else { return nil }
        for k in 0..<n where t[i + k] != p.utf8Start[k] { return nil }
        return n
    }

    /// Value range of `{KEY=...}` in the Exchange bracket form; the value ends at `};{`,
    /// `}]` or the end of the text (keys may come in any order).
    public static func bracketValue(_ t: UnsafeRawBufferPointer, key: StaticString) -> Range<Int>? {
        // `{KEY=` without building the needle (no allocation).
        let k = key.utf8CodeUnitCount
        var from = 0
        var start: Int?
        while let brace = find(t, "{", from: from) {
            if prefix(t, brace + 1, key) != nil && brace + 1 + k < t.count && t[brace + 1 + k] == UInt8(ascii: "=") {
                start = brace + 2 + k
                break
            }
            from = brace + 1
        }
        guard let s = start else { return nil }
        var j = s
        while j < t.count {
            if t[j] == UInt8(ascii: "}") {
                if j + 1 == t.count || t[j + 1] == UInt8(ascii: "]")
                    || (j + 2 < t.count && t[j + 1] == UInt8(ascii: ";") && t[j + 2] == UInt8(ascii: "{"))
                {
                    return s..<j
                }
            }
            j += 1
        }
        return s..<t.count
    }

    // MARK: Byte helpers

    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- 48 < 10 }
    @inline(__always) static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) &- 97 < 26 }
    /// `\w` of the corpus regexes for ASCII bytes.
    @inline(__always) static func isWord(_ b: UInt8) -> Bool { isDigit(b) || isLetter(b) || b == 95 }
    @inline(__always) static func hexValue(_ b: UInt8) -> Int? {
        if isDigit(b) { return Int(b - 48) }
        let l = b | 0x20
        if l >= 97 && l <= 102 { return Int(l - 87) }
        return nil
    }

    /// The guard `(?<![\w.])` of rule C1 for the byte at `i > 0`: the character before it
    /// is a word character (letter, digit, `_`, or a non-ASCII letter or number) or `.`.
    @inline(__always)
    static func wordOrDotBefore(_ t: UnsafeRawBufferPointer, _ i: Int) -> Bool {
        let b = t[i - 1]
        if b < 0x80 { return isWord(b) || b == UInt8(ascii: ".") }
        return nonASCIIWordBefore(t, i)
    }

    /// Decodes the UTF-8 character ending before `i`; true for letters and numbers, and for
    /// bytes that are not valid UTF-8 (kept as word characters, as before).
    static func nonASCIIWordBefore(_ t: UnsafeRawBufferPointer, _ i: Int) -> Bool {
        var s = i - 1
        while s > 0 && i - s < 4 && t[s] & 0xC0 == 0x80 { s -= 1 }
        let lead = t[s]
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0
        guard length == i - s else { return true }
        var value = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
        for k in (s + 1)..<i { value = value << 6 | UInt32(t[k] & 0x3F) }
        guard let scalar = Unicode.Scalar(value) else { return true }
        return scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    static func find(_ t: UnsafeRawBufferPointer, _ needle: StaticString, from: Int) -> Int? {
        find(t, UnsafeRawBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount), from: from)
    }

    static func find(_ t: UnsafeRawBufferPointer, _ needle: UnsafeRawBufferPointer, from: Int) -> Int? {
        let n = needle.count
        guard n > 0, t.count - from >= n else { return nil }
        let first = needle[0]
        var i = from
        let last = t.count - n
        outer: while i <= last {
            if t[i] == first {
                for k in 1..<n where t[i + k] != needle[k] {
                    i += 1
                    continue outer
                }
                return i
            }
            i += 1
        }
        return nil
    }

    /// First offset of `needle` in `t` at or after `from`, ASCII letters compared without
    /// case; no allocation.
    static func findIgnoringCase(_ t: UnsafeRawBufferPointer, _ needle: StaticString, from: Int = 0) -> Int? {
        let n = needle.utf8CodeUnitCount
        let p = needle.utf8Start
        guard n > 0, t.count - from >= n else { return nil }
        let first = asciiLowerByte(p[0])
        var i = from
        outer: while i <= t.count - n {
            if asciiLowerByte(t[i]) != first { i += 1; continue }
            for k in 1..<n where asciiLowerByte(t[i + k]) != asciiLowerByte(p[k]) {
                i += 1
                continue outer
            }
            return i
        }
        return nil
    }
}

@inline(__always) func asciiLowerByte(_ b: UInt8) -> UInt8 { (b &- 65) < 26 ? b | 0x20 : b }
