/// Lets a caller look at the first bytes of a source (to sniff compression, encoding and
/// format) and then read the whole stream from byte 0, without seeking.
public final class HeadPeekingSource: ByteSource {
    private let inner: ByteSource
    private let headLimit: Int
    private var headBytes: [UInt8]?
    private var served = 0
    /// An error met while reading the head after some bytes: raised once the head is served.
    private var pendingError: Error?

    public var bytesConsumed: Int64 { inner.bytesConsumed }

    public init(_ inner: ByteSource, headBytes: Int) {
        self.inner = inner
        self.headLimit = headBytes
    }

    /// Up to `headBytes` first bytes of the stream (fewer only at its end).
    /// - Throws: what the inner source throws.
    public func head() throws -> [UInt8] {
        if let headBytes { return headBytes }
        var bytes = [UInt8](repeating: 0, count: headLimit)
        var filled = 0
        while filled < headLimit {
            let n: Int
            do {
                n = try bytes.withUnsafeMutableBytes {
                    try inner.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[filled...]))
                }
            } catch {
                // Damage after the first bytes (a short, truncated gzip): keep what was read.
                if filled == 0 { throw error }
                pendingError = error
                break
            }
            if n == 0 { break }
            filled += n
        }
        bytes.removeSubrange(filled...)
        headBytes = bytes
        return bytes
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let head = try head()
        if served < head.count {
            let n = min(buffer.count, head.count - served)
            head.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + served, byteCount: n) }
            served += n
            return n
        }
        if let error = pendingError {
            pendingError = nil
            throw error
        }
        return try inner.read(into: buffer)
    }
}

/// The text encoding of a log, decided once per file from its first bytes (corpus rule B2).
public enum TextEncoding: String, Sendable {
    case utf8 = "utf-8"
    case utf8BOM = "utf-8-bom"
    case utf16LEBOM = "utf-16le-bom"
    case utf16BEBOM = "utf-16be-bom"
    case utf16LE = "utf-16le"
    case utf16BE = "utf-16be"

    public var isUTF8: Bool { self == .utf8 || self == .utf8BOM }

    /// A BOM decides; without one, NUL parity over the first 4,096 bytes: more than 40 % of
    /// the bytes at odd offsets NUL and fewer than 5 % at even offsets is UTF-16LE, the
    /// mirror image UTF-16BE, anything else UTF-8.
    public static func sniff(_ head: [UInt8]) -> TextEncoding {
        if head.count >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF { return .utf8BOM }
        if head.count >= 2 && head[0] == 0xFF && head[1] == 0xFE { return .utf16LEBOM }
        if head.count >= 2 && head[0] == 0xFE && head[1] == 0xFF { return .utf16BEBOM }
        let n = min(head.count, 4096)
        guard n >= 2 else { return .utf8 }
        var evenNul = 0, oddNul = 0
        for i in 0..<n where head[i] == 0 {
            if i & 1 == 0 { evenNul += 1 } else { oddNul += 1 }
        }
        let evens = (n + 1) / 2, odds = n / 2
        if Double(oddNul) > 0.4 * Double(odds) && Double(evenNul) < 0.05 * Double(evens) { return .utf16LE }
        if Double(evenNul) > 0.4 * Double(evens) && Double(oddNul) < 0.05 * Double(odds) { return .utf16BE }
        return .utf8
    }
}
