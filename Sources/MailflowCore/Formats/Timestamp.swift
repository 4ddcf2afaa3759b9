/// Time parsing to integer milliseconds since the Unix epoch, UTC.
public enum Timestamp {
    /// Parses ISO 8601 `YYYY-MM-DDTHH:MM:SS[.f...][Z|±HH:MM]` (a space may replace `T`).
    /// Extra fraction digits are truncated, never rounded; a value without a zone is UTC
    /// (Exchange message tracking `date-time`, formats.md 1.6).
    /// - Returns: milliseconds since the Unix epoch, or nil when the text is not such a time.
    public static func parseISO8601(_ t: UnsafeRawBufferPointer) -> Int64? {
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
            } else if z == 43 || z == 45 {
                guard i + 6 <= t.count, let oh = num(i + 1, 2), t[i + 3] == 58, let om = num(i + 4, 2) else { return nil }
                offsetMinutes = (oh * 60 + om) * (z == 45 ? -1 : 1)
                i += 6
            }
            if i != t.count { return nil }
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetMinutes * 60)
        return seconds * 1000 + Int64(millis)
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
