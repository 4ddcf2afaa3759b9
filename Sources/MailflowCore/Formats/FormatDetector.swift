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
        let text = String(decoding: head.prefix(16 << 10), as: UTF8.self).lowercased()
        // Exchange W3C-style header: "#Log-type: Message Tracking Log", or a #Fields line
        // with the message tracking columns.
        if text.contains("#log-type: message tracking log") { return Detection(format: .exchangeMessageTracking, encoding: encoding) }
        if let range = text.range(of: "#fields:") {
            let line = text[range.upperBound...].prefix { $0 != "\n" && $0 != "\r" }
            if line.contains("event-id") && line.contains("date-time") {
                return Detection(format: .exchangeMessageTracking, encoding: encoding)
            }
        }
        return nil
    }
}
