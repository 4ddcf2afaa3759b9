import MailflowScanner

/// Recognises a log format from the first bytes of its (decompressed, UTF-8) content,
/// never from the file name.
///
/// Rules, first match wins:
/// 1. Exchange W3C-style header lines: `#Log-type:` names the log (message tracking,
///    SMTP send/receive protocol, transport connectivity); else a `#Fields:` line with the
///    columns of one of them.
/// 2. JSON (first byte `[` or `{`): the member names of the first record (or those written
///    so far when it does not end within the head): a time and `Event` -> message trace
///    detail; a time, `Status` and an address -> message trace.
/// 3. A CSV header row (after an optional PowerShell `#TYPE` line), names compared
///    case-insensitively without quotes: `date_time_utc` + `event_id` -> historical
///    Extended; `origin_timestamp(_utc)` + `recipient_status` -> historical Enhanced
///    summary; `Date` + `Event` + `Detail` -> message trace detail; `Received` + `Status` +
///    `RecipientAddress` -> message trace; `Timestamp` + `EventId` ->
///    `Get-MessageTrackingLog | Export-Csv`.
/// 4. Syslog lines (classic `Mmm dd hh:mm:ss` or RFC 3339) with a `postfix` program tag
///    among the first 200 lines, or (nearly) only syslog lines of other programs -> Postfix
///    maillog.
public enum FormatDetector {
    public struct Detection: Sendable, Equatable {
        public var format: LogFormat
        /// The records are JSON objects (not lines or CSV rows).
        public var json: Bool
    }

    /// - Parameter head: the first bytes of the UTF-8 content (16 KiB are plenty).
    /// - Returns: the format, or nil when no decoder recognises the content.
    public static func detect(_ head: [UInt8]) -> Detection? {
        var text = String(decoding: head.prefix(16 << 10), as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let lines = text.split(omittingEmptySubsequences: true, whereSeparator: { $0.isNewline })
            .prefix(200).map { $0.hasPrefix("\u{FEFF}") ? $0.dropFirst() : $0 }
        if let w3c = detectW3C(lines) { return Detection(format: w3c, json: false) }
        let trimmed = text.drop(while: { $0.isWhitespace })
        if let first = trimmed.first, first == "[" || first == "{" {
            return detectJSON(head).map { Detection(format: $0, json: true) }
        }
        if let csv = detectCSVHeader(lines) { return Detection(format: csv, json: false) }
        if lines.contains(where: { PostfixLog.isPostfixLine(Array($0.utf8)) }) {
            return Detection(format: .postfix, json: false)
        }
        // A syslog file whose first lines are all other programs' (dovecot, amavis) is still
        // a maillog: read it as Postfix, whose decoder skips and counts the other lines.
        let complete = lines.count > 1 ? lines.dropLast() : lines[...]  // the last may be cut off
        let syslog = complete.filter { PostfixLog.isSyslogLine(Array($0.utf8)) }.count
        if syslog >= 3 && syslog * 10 >= complete.count * 9 {
            return Detection(format: .postfix, json: false)
        }
        return nil
    }

    private static func detectW3C(_ lines: [Substring]) -> LogFormat? {
        for line in lines.prefix(64) where line.hasPrefix("#") {
            let l = line.lowercased()
            if l.hasPrefix("#log-type:") {
                if l.contains("message tracking") { return .exchangeMessageTracking }
                if l.contains("protocol log") { return .exchangeSMTPProtocol }
                if l.contains("connectivity log") { return .exchangeConnectivity }
            }
            if l.hasPrefix("#fields:") {
                let names = Set(l.dropFirst(8).split(separator: ",").map { $0.trimmingSpaces })
                if names.contains("event-id") && names.contains("date-time") { return .exchangeMessageTracking }
                if names.contains("session-id") && names.contains("sequence-number") { return .exchangeSMTPProtocol }
                if names.contains("session") && names.contains("direction") && names.contains("description") { return .exchangeConnectivity }
            }
        }
        return nil
    }

    /// Member names of the first record object decide (any other JSON is not a log). When
    /// the first record does not end within the head (a long `Data` or `Subject`), the member
    /// names written so far decide.
    private static func detectJSON(_ head: [UInt8]) -> LogFormat? {
        let scanner = JSONRecordScanner(source: MemoryByteSource(head))
        var keys: Set<String>
        if case .record? = try? scanner.next() {
            var reader = JSONObjectReader()
            guard (try? reader.parse(scanner.recordBytes)) != nil else { return nil }
            keys = Set(reader.members.map { String(decoding: reader.key($0), as: UTF8.self).lowercased() })
        } else {
            keys = memberNames(head)
        }
        let time = keys.contains("received") || keys.contains("receiveddatetime") || keys.contains("date") || keys.contains("datetime")
        // (Detail rows have an Event member, summary rows never do.)
        if time && keys.contains("event") { return .exoMessageTraceDetail }
        if time && keys.contains("status") && (keys.contains("recipientaddress") || keys.contains("senderaddress")) { return .exoMessageTrace }
        return nil
    }

    /// Every `"name":` in `text` (strings followed by a colon), lower case.
    static func memberNames(_ text: [UInt8]) -> Set<String> {
        var out = Set<String>()
        var i = 0
        let n = text.count
        while i < n {
            guard text[i] == 0x22 else { i += 1; continue }
            var j = i + 1
            while j < n && text[j] != 0x22 { j += text[j] == 0x5C ? 2 : 1 }
            guard j < n else { break }
            var k = j + 1
            while k < n && (text[k] == 0x20 || text[k] == 0x09 || text[k] == 0x0A || text[k] == 0x0D) { k += 1 }
            if k < n && text[k] == 0x3A && j - i - 1 <= 64 {
                out.insert(String(decoding: text[(i + 1)..<j], as: UTF8.self).lowercased())
            }
            i = j + 1
        }
        return out
    }

    private static func detectCSVHeader(_ lines: [Substring]) -> LogFormat? {
        guard var header = lines.first else { return nil }
        if header.lowercased().hasPrefix("#type"), lines.count > 1 { header = lines[1] }
        let names = Set(header.split(separator: ",").map {
            $0.trimmingSpaces.trimmingQuotes.lowercased()
        })
        if names.contains("date_time_utc") && names.contains("event_id") { return .exoHistoricalExtended }
        if (names.contains("origin_timestamp_utc") || names.contains("origin_timestamp")) && names.contains("recipient_status") {
            return .exoHistoricalEnhancedSummary
        }
        if names.contains("date") && names.contains("event") && names.contains("detail") { return .exoMessageTraceDetail }
        if names.contains("received") && names.contains("status") && names.contains("recipientaddress") { return .exoMessageTrace }
        if names.contains("timestamp") && names.contains("eventid") { return .exchangeMessageTrackingCSV }
        return nil
    }
}

extension StringProtocol {
    /// The text without double quotes at either end.
    var trimmingQuotes: Substring {
        var s = Substring(self)
        while s.first == "\"" { s = s.dropFirst() }
        while s.last == "\"" { s = s.dropLast() }
        return s
    }
}
