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
}

/// Status-text reading on raw bytes, without regular expressions or allocation (except
/// for the root-cause string of failures).
///
/// Rules and guards come from the corpus counting rules (C1, RC1-RC3) and
/// `reference/status-codes.md` section 14: an enhanced code is `[245].d{1,3}.d{1,3}`
/// not preceded by a word character or `.` and not followed by an optional `.` and a
/// digit, which keeps IP addresses (`192.4.4.7`), builds (`15.2.1118.7`) and dates
/// (`LRT=5.4.2025`) out while `failed with 4.4.7.` still matches.
public enum StatusText {

    /// Analyses one recipient status.
    /// - Parameters:
    ///   - text: the status bytes (already unquoted).
    ///   - wantCause: compute ``StatusAnalysis/rootCause`` (only failures need it).
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
        let outer = 0..<(find(replyText, " -> ", from: 0) ?? replyText.count)
        let (replyCode, enhanced) = outerCodes(replyText, outer)
        let isExpiry = (enhanced?.isExpiry ?? false) || find(replyText, "QUEUE.Expired", from: 0) != nil
        var cause: String?
        var fromText = false
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
        }
        return StatusAnalysis(
            reply: reply, replyCode: replyCode, enhancedCode: enhanced, rootCause: cause,
            causeFromText: fromText, isExpiry: isExpiry, remoteHost: host, remoteIP: ip)
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
        if i > 0 && (isWord(t[i - 1]) || t[i - 1] == UInt8(ascii: ".")) { return nil }
        if i + 3 < limit && isDigit(t[i + 3]) { return nil }
        return Int(a - 48) * 100 + Int(b - 48) * 10 + Int(c - 48)
    }

    /// A guarded enhanced code starting at `i`: returns it and its length in bytes.
    static func enhancedCode(
        in t: UnsafeRawBufferPointer, at i: Int, limit: Int? = nil, checkBefore: Bool = true
    ) -> (EnhancedStatusCode, Int)? {
        let end = limit ?? t.count
        guard i + 5 <= end else { return nil }
        let c = t[i]
        guard c == 50 || c == 52 || c == 53, t[i + 1] == UInt8(ascii: ".") else { return nil }
        if checkBefore && i > 0 && (isWord(t[i - 1]) || t[i - 1] == UInt8(ascii: ".")) { return nil }
        var j = i + 2
        var subject = 0
        var digits = 0
        while j < end && isDigit(t[j]) && digits < 4 { subject = subject * 10 + Int(t[j] - 48); j += 1; digits += 1 }
        guard digits >= 1 && digits <= 3, j < end, t[j] == UInt8(ascii: ".") else { return nil }
        j += 1
        var detail = 0
        digits = 0
        while j < end && isDigit(t[j]) && digits < 4 { detail = detail * 10 + Int(t[j] - 48); j += 1; digits += 1 }
        guard digits >= 1 && digits <= 3 else { return nil }
        // (?!\.?\d): not followed by a digit, nor by a dot and a digit.
        if j < end && isDigit(t[j]) { return nil }
        if j + 1 < end && t[j] == UInt8(ascii: ".") && isDigit(t[j + 1]) { return nil }
        return (EnhancedStatusCode(statusClass: c - 48, subject: UInt16(subject), detail: UInt16(detail)), j - i)
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

    /// Rule RC2: a cause without a status code. `socket:N` for Winsock numbers (decimal,
    /// or hex in `(TimedOut:0000274C)`), then `tls` for TLS negotiation failures, then
    /// `dns` (`dns:nxdomain` for a non-existent domain) for DNS failures.
    public static func codelessCause(_ t: UnsafeRawBufferPointer) -> String? {
        let markers: [StaticString] = ["Winsock error code:", "Socket error code", "Win32 error code:"]
        for marker in markers {
            if let p = findIgnoringCase(t, marker) {
                var j = p + marker.utf8CodeUnitCount
                while j < t.count && t[j] == UInt8(ascii: " ") { j += 1 }
                var n = 0
                var digits = 0
                while j < t.count && isDigit(t[j]) && digits < 6 { n = n * 10 + Int(t[j] - 48); j += 1; digits += 1 }
                if digits > 0 { return "socket:\(n)" }
            }
        }
        if let hex = parenthesisedHexSocketError(t) { return "socket:\(hex)" }
        if findIgnoringCase(t, "TLS negotiation failed") != nil || findIgnoringCase(t, "TLS handshake failed") != nil {
            return "tls"
        }
        if findIgnoringCase(t, "NonExistentDomain") != nil || findIgnoringCase(t, "nonexistent domain") != nil
            || findIgnoringCase(t, "DnsDomainDoesNotExist") != nil
        {
            return "dns:nxdomain"
        }
        if findIgnoringCase(t, "DNS query failed") != nil || findIgnoringCase(t, "DNS failure") != nil
            || findIgnoringCase(t, "DNS lookup failed") != nil
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

    /// Value range of `{KEY=...}` in the Exchange bracket form; the value ends at `};{`,
    /// `}]` or the end of the text (keys may come in any order).
    public static func bracketValue(_ t: UnsafeRawBufferPointer, key: StaticString) -> Range<Int>? {
        var needle = [UInt8(ascii: "{")]
        needle.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        needle.append(UInt8(ascii: "="))
        guard let p = needle.withUnsafeBytes({ find(t, $0, from: 0) }) else { return nil }
        let s = p + needle.count
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
    /// `\w` of the corpus regexes; bytes of non-ASCII characters count as word characters.
    @inline(__always) static func isWord(_ b: UInt8) -> Bool { isDigit(b) || isLetter(b) || b == 95 || b >= 0x80 }
    @inline(__always) static func hexValue(_ b: UInt8) -> Int? {
        if isDigit(b) { return Int(b - 48) }
        let l = b | 0x20
        if l >= 97 && l <= 102 { return Int(l - 87) }
        return nil
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

    /// First offset of `needle` in `t`, ASCII letters compared without case; no allocation.
    static func findIgnoringCase(_ t: UnsafeRawBufferPointer, _ needle: StaticString) -> Int? {
        let n = needle.utf8CodeUnitCount
        let p = needle.utf8Start
        guard n > 0, t.count >= n else { return nil }
        var i = 0
        outer: while i <= t.count - n {
            for k in 0..<n where asciiLowerByte(t[i + k]) != asciiLowerByte(p[k]) {
                i += 1
                continue outer
            }
            return i
        }
        return nil
    }
}

@inline(__always) func asciiLowerByte(_ b: UInt8) -> UInt8 { (b &- 65) < 26 ? b | 0x20 : b }
