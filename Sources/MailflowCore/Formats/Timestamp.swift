/// Time parsing to integer milliseconds since the Unix epoch, UTC.
public enum Timestamp {
    /// Parses ISO 8601 `YYYY-MM-DDTHH:MM:SS[.f...][Z|±HH:MM]` (a space may replace `T`).
    /// Extra fraction digits are truncated, never rounded; a value without a zone is UTC
    /// (Exchange message tracking `date-time`, formats.md 1.6).
    /// - Returns: milliseconds since the Unix epoch, or nil when the text is not such a time.
    public static func parseISO8601(_ t: UnsafeRawBufferPointer) -> Int64? {
        var zoned = false
        return parseISO8601(t, hasZone: &zoned)
    }

    /// ``parseISO8601(_:)`` that also tells whether the text carried a zone (`Z` or an
    /// offset); without one the result is the wall-clock time read as if it were UTC.
    public static func parseISO8601(_ t: UnsafeRawBufferPointer, hasZone: inout Bool) -> Int64? {
        hasZone = false
        guard t.count >= 19 else { return nil }
        @inline(__always) func num(_ at: Int, _ n: Int) -> Int? {
            var v = 0
            for k in at..<(at + n) {
                let d = t[k] &- 48
                if d > 9 { return nil }
                v = v * 10 + Int(d)
            }
            return v
        }
        guard let year = num(0, 4), t[4] == 45, let month = num(5, 2), t[7] == 45, let day = num(8, 2),
              t[10] == 84 || t[10] == 32 || t[10] == 116,
              let hour = num(11, 2), t[13] == 58, let minute = num(14, 2), t[16] == 58, let second = num(17, 2),
              year >= 1970, (1...12).contains(month), (1...daysInMonth(year, month)).contains(day),
              hour < 24, minute < 60, second < 61
        else { return nil }
        var i = 19
        var millis = 0
        if i < t.count && (t[i] == 46 || t[i] == 44) {
            i += 1
            var digits = 0
            while i < t.count && t[i] &- 48 < 10 {
                if digits < 3 { millis = millis * 10 + Int(t[i] - 48) }
                digits += 1
                i += 1
            }
            if digits == 0 { return nil }
            if digits < 3 { for _ in digits..<3 { millis *= 10 } }
        }
        var offsetMinutes = 0
        if i < t.count {
            let z = t[i]
            if z == 90 || z == 122 {
                i += 1
                hasZone = true
            } else if z == 43 || z == 45 {
                // +HH:MM, +HHMM or +HH
                guard i + 3 <= t.count, let oh = num(i + 1, 2) else { return nil }
                var om = 0
                if i + 6 <= t.count && t[i + 3] == 58, let m = num(i + 4, 2) {
                    om = m
                    i += 6
                } else if i + 5 <= t.count, let m = num(i + 3, 2) {
                    om = m
                    i += 5
                } else {
                    i += 3
                }
                offsetMinutes = (oh * 60 + om) * (z == 45 ? -1 : 1)
                hasZone = true
            }
            if i != t.count { return nil }
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetMinutes * 60)
        return seconds * 1000 + Int64(millis)
    }

    /// Parses the en-US culture text of PowerShell exports, `M/d/yyyy h:mm:ss AM/PM` or
    /// `M/d/yyyy H:mm:ss` (24-hour), with optional fraction digits (truncated).
    /// - Returns: the wall-clock time read as if it were UTC (ms), or nil.
    public static func parseUSDateTime(_ t: UnsafeRawBufferPointer) -> Int64? {
        var i = 0
        let n = t.count
        func number(maxDigits: Int) -> Int? {
            var v = 0, d = 0
            while i < n, d < maxDigits, t[i] &- 48 < 10 { v = v * 10 + Int(t[i] - 48); i += 1; d += 1 }
            return d == 0 ? nil : v
        }
        func expect(_ c: UInt8) -> Bool { if i < n && t[i] == c { i += 1; return true }; return false }
        guard let month = number(maxDigits: 2), expect(47), let day = number(maxDigits: 2), expect(47),
              let year = number(maxDigits: 4), year >= 1970, expect(32)
        else { return nil }
        while i < n && t[i] == 32 { i += 1 }
        guard var hour = number(maxDigits: 2), expect(58), let minute = number(maxDigits: 2), expect(58),
              let second = number(maxDigits: 2)
        else { return nil }
        var millis = 0
        if expect(46) {
            var digits = 0
            while i < n, t[i] &- 48 < 10 {
                if digits < 3 { millis = millis * 10 + Int(t[i] - 48) }
                digits += 1
                i += 1
            }
            if digits < 3 { for _ in digits..<3 { millis *= 10 } }
        }
        while i < n && t[i] == 32 { i += 1 }
        if i + 2 <= n {
            let a = t[i] | 0x20, m = t[i + 1] | 0x20
            guard m == 109, a == 97 || a == 112, hour >= 1, hour <= 12 else { return nil }
            if a == 97 && hour == 12 { hour = 0 }
            if a == 112 && hour != 12 { hour += 12 }
            i += 2
        }
        guard i == n, (1...12).contains(month), (1...daysInMonth(year, month)).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        return (Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)) * 1000 + Int64(millis)
    }

    /// Parses a Microsoft JSON date `/Date(1658751973240)/` (optionally with an offset
    /// suffix such as `+0000`, which does not change the instant): milliseconds since the
    /// epoch, UTC (Office 365 Reporting Web Service, formats.md 3.5).
    public static func parseMSJSONDate(_ t: UnsafeRawBufferPointer) -> Int64? {
        let prefix: [UInt8] = Array("/Date(".utf8)
        guard t.count > prefix.count + 2, t.starts(with: prefix) else { return nil }
        var i = prefix.count
        var negative = false
        if t[i] == 45 { negative = true; i += 1 }
        var v: Int64 = 0, digits = 0
        while i < t.count, t[i] &- 48 < 10, digits < 18 { v = v * 10 + Int64(t[i] - 48); i += 1; digits += 1 }
        guard digits > 0 else { return nil }
        if i < t.count && (t[i] == 43 || t[i] == 45) {
            i += 1
            while i < t.count, t[i] &- 48 < 10 { i += 1 }
        }
        guard i + 2 == t.count, t[i] == 41, t[i + 1] == 47 else { return nil }
        return negative ? -v : v
    }

    /// Month number (1-12) of an English three-letter month name (`Jan`...`Dec`), any case.
    public static func monthNumber(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> Int? {
        let key = (UInt32(a | 0x20) << 16) | (UInt32(b | 0x20) << 8) | UInt32(c | 0x20)
        switch key {
        case 0x6A_616E: return 1   // jan
        case 0x66_6562: return 2   // feb
        case 0x6D_6172: return 3   // mar
        case 0x61_7072: return 4   // apr
        case 0x6D_6179: return 5   // may
        case 0x6A_756E: return 6   // jun
        case 0x6A_756C: return 7   // jul
        case 0x61_7567: return 8   // aug
        case 0x73_6570: return 9   // sep
        case 0x6F_6374: return 10  // oct
        case 0x6E_6F76: return 11  // nov
        case 0x64_6563: return 12  // dec
        default: return nil
        }
    }

    /// Days in `month` of `year` (Gregorian calendar).
    static func daysInMonth(_ year: Int, _ month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's civil algorithm).
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// (year, month, day) of a day number since 1970-01-01.
    public static func civilFromDays(_ z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// Day number (days since 1970-01-01, UTC) of a time in ms.
    @inline(__always)
    public static func dayNumber(_ ms: Int64) -> Int {
        Int(ms >= 0 ? ms / 86_400_000 : (ms - 86_399_999) / 86_400_000)
    }

    /// `YYYY-MM-DD` of a day number.
    public static func dayString(_ day: Int) -> String {
        let (y, m, d) = civilFromDays(day)
        return "\(y)-\(m < 10 ? "0" : "")\(m)-\(d < 10 ? "0" : "")\(d)"
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` of a time in ms.
    public static func isoString(_ ms: Int64) -> String {
        let day = dayNumber(ms)
        let rest = Int(ms - Int64(day) * 86_400_000)
        let h = rest / 3_600_000, mi = rest / 60_000 % 60, s = rest / 1000 % 60, f = rest % 1000
        func p(_ v: Int, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
        return "\(dayString(day))T\(p(h, 2)):\(p(mi, 2)):\(p(s, 2)).\(p(f, 3))Z"
    }
}
