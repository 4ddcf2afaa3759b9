import MailflowScanner

/// Recognises a log format from the first bytes of its (decompressed) content, never from
/// the file name.
public enum FormatDetector {
    public struct Detection: Sendable {
        public var format: LogFormat
        public var encoding: TextEncoding
    }

    /// - Returns: the format and encoding, or nil when no decoder recognises the content.
    public static func detect(_ head: [UInt8]) -> Detection? {
        let encoding = TextEncoding.sniff(head)
        guard encoding.isUTF8 else {
            // Only the encoding is known; the caller reports it as unsupported.
            return Detection(format: .exchangeMessageTracking, encoding: encoding)
        }
        // Exchange W3C-style header lines at the start of a line: "#Log-type: Message
        // Tracking Log", or a "#Fields:" line with the message tracking columns.
        let text = String(decoding: head.prefix(16 << 10), as: UTF8.self).lowercased()
        for line in text.split(omittingEmptySubsequences: true, whereSeparator: { $0.isNewline }).prefix(64) {
            let l = line.hasPrefix("\u{FEFF}") ? line.dropFirst() : line[...]
            if l.hasPrefix("#log-type:") && l.contains("message tracking log") {
                return Detection(format: .exchangeMessageTracking, encoding: encoding)
            }
            if l.hasPrefix("#fields:") && l.contains("event-id") && l.contains("date-time") {
                return Detection(format: .exchangeMessageTracking, encoding: encoding)
            }
        }
        return nil
    }
}
