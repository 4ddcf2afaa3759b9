#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What ``RecordScanner/next()`` found.
public enum ScanEvent: Equatable {
    /// A record whose fields are readable through ``RecordScanner/fieldCount`` and
    /// ``RecordScanner/field(_:)`` until the next call to `next()`.
    case record
    /// A `#` line (W3C-style logs: `#Fields:`, `#Software:`...), readable through
    /// ``RecordScanner/withDirective(_:)`` until the next call to `next()`.
    case directive
    /// A structural problem; the scanner has already moved past it.
    case issue(ScanIssue)
    /// The input is exhausted.
    case end
}

/// One field of the current record: a borrowed view into the scanner's buffer.
///
/// - Warning: valid only until the next call to ``RecordScanner/next()``; never store it.
public struct Field {
    /// The field's bytes without its surrounding quotes. When ``hasEscapedQuotes`` is set
    /// the bytes still hold the doubled quotes (`""`); use ``withUnescaped(_:)``.
    public let bytes: UnsafeRawBufferPointer
    /// The field was wrapped in double quotes.
    public let isQuoted: Bool
    /// The quoted field holds `""` pairs that stand for one `"` each (RFC 4180 section 2.7).
    public let hasEscapedQuotes: Bool

    @inlinable public var isEmpty: Bool { bytes.isEmpty }
    @inlinable public var count: Int { bytes.count }

    /// Calls `body` with the field's content, `""` pairs reduced to `"`. Allocates only
    /// when the field holds escaped quotes.
    @inlinable
    public func withUnescaped<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if !hasEscapedQuotes { return try body(bytes) }
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            out.append(b)
            i += (b == UInt8(ascii: "\"") && i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\"")) ? 2 : 1
        }
        return try out.withUnsafeBytes(body)
    }

    /// The content as a `String` (invalid UTF-8 repaired with U+FFFD). Allocates: use for
    /// values that are kept, not on every record.
    public var string: String {
        withUnescaped { String(decoding: $0, as: UTF8.self) }
    }
}

/// A resumable, zero-copy tokenizer for comma-separated logs over a ``ByteSource``.
///
/// Bytes are read into one reused buffer; records are handed out as byte ranges into it.
/// Results are identical for every chunking of the input, from 1 byte per read to the
/// whole file (tested).
///
/// ## Parsing behavior
/// - Line ends: CRLF, LF and a lone CR each end one physical line (CRLF counts once).
/// - A UTF-8 BOM (`EF BB BF`) at the start of the input is not content
///   (``hadByteOrderMark``); a U+FEFF at the start of a later line (files joined with
///   `cat`) is dropped too.
/// - Fields are RFC 4180: a field wrapped in `"` may hold the separator and `""` for `"`.
///   A quote that is still open at the end of the record gives
///   ``ScanIssue/Kind/unterminatedQuote``. In ``Options/quotedLineBreaks`` mode (EXO CSV
///   exports) a quoted field may hold line ends and the record spans lines; otherwise
///   (Exchange W3C logs) a record never spans lines.
/// - With ``Options/directives``, a line starting with `#` is a directive, not a record.
/// - A run of NUL bytes ends the current candidate record without ending the line: the
///   line gets one ``ScanIssue/Kind/nulBytes`` issue, and the text before and after the run
///   are separate candidates on the same line (corpus rule B5). Empty candidates vanish.
/// - Record checks, first match wins: longer than ``Options/maxRecordBytes`` ->
///   `record-too-long` (memory stays bounded); last candidate without a line end and
///   incomplete -> `truncated-record`; open quote -> `unterminated-quote`; field count
///   different from ``expectedFieldCount`` -> `ragged-row`; otherwise a record, followed
///   by an `invalid-utf8` issue when its bytes are not valid UTF-8.
public final class RecordScanner {
    /// Tokenizer settings.
    public struct Options: Sendable {
        /// Longest record accepted, in bytes, line end excluded (default 1 MiB).
        public var maxRecordBytes = 1 << 20
        /// Bytes requested from the source per read (default 256 KiB).
        public var readSize = 256 << 10
        /// Quoted fields may hold line ends (RFC 4180 CSV exports).
        public var quotedLineBreaks = false
        /// Lines starting with `#` are directives.
        public var directives = true
        /// Field separator byte.
        public var separator = UInt8(ascii: ",")
        /// Split records into fields at ``separator`` with RFC 4180 quoting. When false
        /// (syslog lines), a record is one field holding the whole line and quotes mean
        /// nothing.
        public var splitsFields = true

        public init() {}
    }

    private struct Span {
        var start: Int32
        var end: Int32
        var flags: UInt8  // bit 0: quoted, bit 1: escaped quotes
    }

    private enum Pending {
        case issue(ScanIssue)
        case record
        case directive
    }

    public let options: Options
    /// Field count every record must have (from `#Fields:` or a header row); `nil` accepts any.
    public var expectedFieldCount: Int?
    /// The current record is the last of the input and has no line end (a decoder that
    /// rejects it reports `truncated-record`, corpus rule R3).
    public private(set) var recordIsUnterminatedLast = false
    /// The input started with a UTF-8 byte order mark.
    public private(set) var hadByteOrderMark = false

    private let source: ByteSource
    private let capacity: Int
    private let buf: UnsafeMutablePointer<UInt8>
    private var start = 0
    private var end = 0
    private var base: Int64 = 0
    private var eof = false
    private var searchPos = 0
    private var quotesInCandidate = 0
    private var extraLines = 0

    private var line = 1
    private var lineOffset: Int64 = 0
    private var atLineStart = true
    private var lineHasNul = false
    private var atInputStart = true

    private var skipping = false
    private var skipIssue = ScanIssue(kind: .recordTooLong, line: 0, lineOffset: 0)

    private var queue: [Pending] = []
    private var queueHead = 0

    private var spans: UnsafeMutablePointer<Span>
    private var spanCapacity = 64
    public private(set) var fieldCount = 0
    private var recStart = 0
    private var recEnd = 0
    /// 1-based physical line where the current record (or directive) starts.
    public private(set) var recordLine = 0
    /// Byte offset of the first byte of ``recordLine``.
    public private(set) var recordLineOffset: Int64 = 0

    /// - Parameters:
    ///   - source: the (decompressed) bytes.
    ///   - options: tokenizer settings.
    ///   - startLine: line number of the first byte of `source` (a file resumed mid-way).
    ///   - startOffset: byte offset of the first byte of `source` in its file.
    public init(source: ByteSource, options: Options = Options(), startLine: Int = 1, startOffset: Int64 = 0) {
        precondition(options.maxRecordBytes > 0 && options.readSize > 0)
        self.source = source
        self.line = startLine
        self.lineOffset = startOffset
        self.base = startOffset
        self.atInputStart = startOffset == 0
        self.options = options
        self.capacity = options.maxRecordBytes + options.readSize + 16
        self.buf = .allocate(capacity: capacity)
        self.spans = .allocate(capacity: spanCapacity)
        queue.reserveCapacity(4)
    }

    deinit {
        buf.deallocate()
        spans.deallocate()
    }

    /// Offset (bytes from the start of the file) reached so far.
    public var bytesScanned: Int64 { base + Int64(start) }

    /// Where a later run can continue once the input has ended: after the last line end, or
    /// after a final line without line end that was kept as a record. A final incomplete
    /// line is left for the next run.
    public var resumePoint: (offset: Int64, line: Int) {
        keptUnterminatedLast ? (bytesScanned, line + 1) : (lineOffset, line)
    }
    private var keptUnterminatedLast = false

    /// The whole current record, separators and quotes included.
    /// - Warning: valid only until the next call to ``next()``.
    public var recordBytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: buf + recStart, count: recEnd - recStart)
    }

    /// Field `index` of the current record (0-based, `index < fieldCount`).
    /// - Warning: valid only until the next call to ``next()``.
    @inline(__always)
    public func field(_ index: Int) -> Field {
        precondition(index >= 0 && index < fieldCount)
        let s = spans[index]
        return Field(
            bytes: UnsafeRawBufferPointer(start: buf + Int(s.start), count: Int(s.end - s.start)),
            isQuoted: s.flags & 1 != 0, hasEscapedQuotes: s.flags & 2 != 0)
    }

    /// Calls `body` with the current directive line without its leading `#`.
    public func withDirective<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: buf + recStart + 1, count: recEnd - recStart - 1))
    }

    /// Advances to the next record, directive or issue.
    ///
    /// - Returns: what was found; ``ScanEvent/end`` once the input is exhausted.
    /// - Throws: ``ScanError`` from the byte source (I/O, damaged gzip). Content problems
    ///   are returned as ``ScanEvent/issue(_:)``, never thrown.
    public func next() throws -> ScanEvent {
        if let event = popQueued() { return event }
        while true {
            if skipping {
                try skipLongRecord()
                if let event = popQueued() { return event }
                continue
            }
            if atLineStart {
                if end - start < 3 && !eof {
                    try fill()
                    continue
                }
                if end - start >= 3 && buf[start] == 0xEF && buf[start + 1] == 0xBB && buf[start + 2] == 0xBF {
                    start += 3
                    if atInputStart { hadByteOrderMark = true }
                    if searchPos < start { searchPos = start }
                }
                atLineStart = false
                atInputStart = false
            }
            if searchPos < start { searchPos = start }
            if let t = findCandidateEnd() {
                let terminator = buf[t]
                if terminator == 0 {
                    // Skip the NUL run as far as the buffer goes; a run that goes on past
                    // it continues as empty candidates, which vanish (memory stays bounded
                    // whatever the run's length).
                    var r = t
                    while r < end && buf[r] == 0 { r += 1 }
                    if !lineHasNul {
                        lineHasNul = true
                        queue.append(.issue(ScanIssue(kind: .nulBytes, line: line, lineOffset: lineOffset)))
                    }
                    evaluate(candidateStart: start, candidateEnd: t, hasLineEnd: true, isLast: false)
                    start = r
                    searchPos = r
                    advanceExtraLines()
                } else {
                    var next = t + 1
                    if terminator == UInt8(ascii: "\r") {
                        if next == end && !eof {
                            searchPos = t
                            try fill()
                            continue
                        }
                        if next < end && buf[next] == UInt8(ascii: "\n") { next += 1 }
                    }
                    evaluate(candidateStart: start, candidateEnd: t, hasLineEnd: true, isLast: false)
                    start = next
                    searchPos = next
                    advanceExtraLines()
                    line += 1
                    lineOffset = base + Int64(next)
                    atLineStart = true
                    lineHasNul = false
                }
                if let event = popQueued() { return event }
                continue
            }
            // No candidate end in the buffer.
            if eof {
                if start < end {
                    let s = start
                    start = end
                    searchPos = end
                    evaluate(candidateStart: s, candidateEnd: end, hasLineEnd: false, isLast: true)
                    advanceExtraLines()
                    if let event = popQueued() { return event }
                }
                return .end
            }
            if end - start > options.maxRecordBytes {
                beginSkipping()
                continue
            }
            try fill()
        }
    }

    // MARK: - Buffer

    private func popQueued() -> ScanEvent? {
        guard queueHead < queue.count else {
            if !queue.isEmpty {
                queue.removeAll(keepingCapacity: true)
                queueHead = 0
            }
            return nil
        }
        let item = queue[queueHead]
        queueHead += 1
        switch item {
        case .issue(let issue): return .issue(issue)
        case .record: return .record
        case .directive: return .directive
        }
    }

    /// Moves the unconsumed tail to the front and reads more bytes after it.
    private func fill() throws {
        if start > 0 {
            let keep = end - start
            if keep > 0 { memmove(buf, buf + start, keep) }
            base += Int64(start)
            searchPos -= start
            end = keep
            start = 0
        }
        let room = min(options.readSize, capacity - end)
        precondition(room > 0, "scanner buffer full")
        let n = try source.read(into: UnsafeMutableRawBufferPointer(start: buf + end, count: room))
        if n == 0 { eof = true } else { end += n }
    }

    private func advanceExtraLines() {
        if extraLines > 0 {
            line += extraLines
            extraLines = 0
        }
        quotesInCandidate = 0
    }

    // MARK: - Finding the end of a candidate record

    /// Index of the byte that ends the current candidate (`\n`, `\r` or NUL), or nil
    /// when the buffer holds no such byte yet. In quoted-line-break mode, line ends
    /// inside an open quote are skipped (and counted as extra lines of the record).
    private func findCandidateEnd(tokenizing: Bool = true) -> Int? {
        if !options.quotedLineBreaks {
            if let t = findSpecial(from: searchPos, to: end, quotes: false) { return t }
            searchPos = end
            return nil
        }
        var i = searchPos
        // Find the next line end or NUL, then count the quotes before it eight bytes at a
        // time: with an even count so far the line end ends the record (a CSV row with
        // every field quoted costs one pass, not a stop at each quote).
        while let t = findSpecial(from: i, to: end, quotes: false) {
            quotesInCandidate &+= countQuotes(from: i, to: t)
            let b = buf[t]
            if b == 0 || quotesInCandidate & 1 == 0 { return t }
            // An odd quote count at a line end: a quoted field holding a line end, unless
            // the row read field by field (RFC 4180, with the lenient reading of text after
            // a closing quote) has no quote open here. Then a stray quote in a field
            // (`"Def"er"`) made the count odd: the line end still ends the row, so that the
            // rest of the file is not swallowed into it.
            // (Only while the row is within the length bound: a longer one is dropped as
            // record-too-long by the same quote rule whether or not it is all in the buffer.)
            if tokenizing && t - start <= options.maxRecordBytes && !tokenize(start, t) { return t }
            // A line end inside a quoted field: part of the record.
            if b == UInt8(ascii: "\r") {
                if t + 1 == end && !eof {
                    searchPos = t
                    return nil
                }
                i = (t + 1 < end && buf[t + 1] == UInt8(ascii: "\n")) ? t + 2 : t + 1
            } else {
                i = t + 1
            }
            extraLines += 1
            searchPos = i
        }
        quotesInCandidate &+= countQuotes(from: i, to: end)
        searchPos = end
        return nil
    }

    /// Number of `"` bytes in `from..<to`, eight bytes at a time.
    @inline(__always)
    private func countQuotes(from: Int, to: Int) -> Int {
        var i = from
        var n = 0
        let ones: UInt64 = 0x0101_0101_0101_0101
        let qt = ones &* 0x22
        while i + 8 <= to {
            let x = UnsafeRawPointer(buf + i).loadUnaligned(as: UInt64.self) ^ qt
            // High bit set exactly in the bytes equal to `"` (no borrow between bytes).
            let m = ~(((x & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F) | x) & 0x8080_8080_8080_8080
            n += m.nonzeroBitCount
            i += 8
        }
        while i < to {
            if buf[i] == 0x22 { n += 1 }
            i += 1
        }
        return n
    }

    /// First index in `from..<to` holding `\n`, `\r`, NUL (or `"` when `quotes`),
    /// eight bytes at a time.
    @inline(__always)
    private func findSpecial(from: Int, to: Int, quotes: Bool) -> Int? {
        var i = from
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let lf = ones &* 0x0A
        let cr = ones &* 0x0D
        let qt = ones &* 0x22
        while i + 8 <= to {
            let w = UnsafeRawPointer(buf + i).loadUnaligned(as: UInt64.self).littleEndian
            let x1 = w ^ lf
            let x2 = w ^ cr
            var m = ((w &- ones) & ~w) | ((x1 &- ones) & ~x1) | ((x2 &- ones) & ~x2)
            if quotes {
                let x3 = w ^ qt
                m |= (x3 &- ones) & ~x3
            }
            m &= highs
            if m != 0 { return i + m.trailingZeroBitCount >> 3 }
            i += 8
        }
        while i < to {
            let b = buf[i]
            if b == 0x0A || b == 0x0D || b == 0 || (quotes && b == 0x22) { return i }
            i += 1
        }
        return nil
    }

    // MARK: - Over-long records

    private func beginSkipping() {
        let count = min(ScanIssue.sampleLimit, end - start)
        let sample = Array(UnsafeBufferPointer(start: buf + start, count: count))
        skipIssue = ScanIssue(kind: .recordTooLong, line: line, lineOffset: lineOffset, sample: sample)
        skipping = true
    }

    /// Drops bytes up to the next line end or NUL (in quoted-line-break mode: the end of the
    /// record by the same quote rule as ``findCandidateEnd(tokenizing:)``, line ends inside
    /// quotes still counted); the terminator itself is then handled as usual (the empty
    /// candidate before it vanishes).
    private func skipLongRecord() throws {
        if options.quotedLineBreaks {
            if searchPos < start { searchPos = start }
            if let t = findCandidateEnd(tokenizing: false) {
                start = t
                searchPos = t
                skipping = false
                quotesInCandidate = 0
                noteNulBeforeSkipIssue(at: t)
                queue.append(.issue(skipIssue))
                return
            }
            start = searchPos  // all scanned bytes go (a CR at the buffer's end stays)
            if eof {
                start = end
                searchPos = end
                skipping = false
                queue.append(.issue(skipIssue))
                return
            }
            try fill()
            return
        }
        if let t = findSpecial(from: start, to: end, quotes: false) {
            start = t
            searchPos = t
            skipping = false
            extraLines = 0
            quotesInCandidate = 0
            noteNulBeforeSkipIssue(at: t)
            queue.append(.issue(skipIssue))
            return
        }
        start = end
        searchPos = end
        if eof {
            skipping = false
            queue.append(.issue(skipIssue))
            return
        }
        try fill()
    }

    /// A skipped record that ends at a NUL run: the line's `nul-bytes` issue comes first, as
    /// when the whole record is in the buffer.
    private func noteNulBeforeSkipIssue(at t: Int) {
        if buf[t] == 0 && !lineHasNul {
            lineHasNul = true
            queue.append(.issue(ScanIssue(kind: .nulBytes, line: line, lineOffset: lineOffset)))
        }
    }

    // MARK: - Evaluating a candidate

    private func evaluate(candidateStart s: Int, candidateEnd e: Int, hasLineEnd: Bool, isLast: Bool) {
        let length = e - s
        if length == 0 { return }
        if length > options.maxRecordBytes {
            queue.append(.issue(makeIssue(.recordTooLong, s, e)))
            return
        }
        recStart = s
        recEnd = e
        recordLine = line
        recordLineOffset = lineOffset
        if options.directives && buf[s] == UInt8(ascii: "#") {
            queue.append(.directive)
            return
        }
        recordIsUnterminatedLast = isLast && !hasLineEnd
        let quoteOpen: Bool
        if options.splitsFields {
            quoteOpen = tokenize(s, e)
        } else {
            fieldCount = 0
            appendSpan(s, e, 0)
            quoteOpen = false
        }
        let ragged = expectedFieldCount.map { $0 != fieldCount } ?? false
        if quoteOpen && options.quotedLineBreaks {
            // CSV exports: a quote still open at the end of the input (rule R1).
            queue.append(.issue(makeIssue(.unterminatedQuote, s, e)))
        } else if isLast && !hasLineEnd && (ragged || quoteOpen) {
            queue.append(.issue(makeIssue(.truncatedRecord, s, e)))
        } else if quoteOpen {
            queue.append(.issue(makeIssue(.unterminatedQuote, s, e)))
        } else if ragged {
            queue.append(.issue(makeIssue(.raggedRow, s, e)))
        } else {
            queue.append(.record)
            if isLast && !hasLineEnd { keptUnterminatedLast = true }
            if !isValidUTF8(s, e) {
                queue.append(.issue(makeIssue(.invalidUTF8, s, e)))
            }
        }
    }

    private func makeIssue(_ kind: ScanIssue.Kind, _ s: Int, _ e: Int) -> ScanIssue {
        let count = min(ScanIssue.sampleLimit, e - s)
        return ScanIssue(
            kind: kind, line: line, lineOffset: lineOffset,
            sample: Array(UnsafeBufferPointer(start: buf + s, count: count)))
    }

    @inline(__always)
    private func appendSpan(_ s: Int, _ e: Int, _ flags: UInt8) {
        if fieldCount == spanCapacity { growSpans() }
        spans[fieldCount] = Span(start: Int32(s), end: Int32(e), flags: flags)
        fieldCount += 1
    }

    @inline(never)
    private func growSpans() {
        do {
            let bigger = UnsafeMutablePointer<Span>.allocate(capacity: spanCapacity * 2)
            bigger.moveInitialize(from: spans, count: fieldCount)
            spans.deallocate()
            spans = bigger
            spanCapacity *= 2
        }
    }

    /// Splits `s..<e` into fields. Returns whether a quoted field is still open at `e`.
    private func tokenize(_ s: Int, _ e: Int) -> Bool {
        fieldCount = 0
        let sep = options.separator
        let quote = UInt8(ascii: "\"")
        var p = s
        while true {
            if p < e && buf[p] == quote {
                var q = p + 1
                var flags: UInt8 = 1
                while true {
                    guard let idx = findByte(quote, q, e) else {
                        appendSpan(p + 1, e, flags)
                        return true
                    }
                    if idx + 1 < e && buf[idx + 1] == quote {
                        flags |= 2
                        q = idx + 2
                        continue
                    }
                    let after = idx + 1
                    if after == e {
                        appendSpan(p + 1, idx, flags)
                        return false
                    }
                    if buf[after] == sep {
                        appendSpan(p + 1, idx, flags)
                        p = after + 1
                        break
                    }
                    // Text after the closing quote: keep the field's raw bytes up to the
                    // next separator (lenient, as Exchange and Excel readers are).
                    if let j = findByte(sep, after, e) {
                        appendSpan(p, j, 0)
                        p = j + 1
                    } else {
                        appendSpan(p, e, 0)
                        return false
                    }
                    break
                }
                continue
            }
            guard let idx = findByte(sep, p, e) else {
                appendSpan(p, e, 0)
                return false
            }
            appendSpan(p, idx, 0)
            p = idx + 1
        }
    }

    /// First index of `target` in `from..<to`, eight bytes at a time (fields are short, so
    /// this beats a `memchr` call).
    @inline(__always)
    private func findByte(_ target: UInt8, _ from: Int, _ to: Int) -> Int? {
        var i = from
        let ones: UInt64 = 0x0101_0101_0101_0101
        let pattern = ones &* UInt64(target)
        while i + 8 <= to {
            let x = UnsafeRawPointer(buf + i).loadUnaligned(as: UInt64.self).littleEndian ^ pattern
            let m = (x &- ones) & ~x & 0x8080_8080_8080_8080
            if m != 0 { return i + m.trailingZeroBitCount >> 3 }
            i += 8
        }
        while i < to {
            if buf[i] == target { return i }
            i += 1
        }
        return nil
    }

    // MARK: - UTF-8

    private func isValidUTF8(_ s: Int, _ e: Int) -> Bool { utf8IsValid(buf, s, e) }
}

/// Whether `buf[s..<e]` is valid UTF-8 (RFC 3629: no overlong forms, no surrogates).
func utf8IsValid(_ buf: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
    var i = s
    while i + 8 <= e {
        let w = UnsafeRawPointer(buf + i).loadUnaligned(as: UInt64.self)
        if w & 0x8080_8080_8080_8080 != 0 { break }
        i += 8
    }
    while i < e {
        let b0 = buf[i]
        if b0 < 0x80 {
            i += 1
            continue
        }
        let need: Int
        let minimum: UInt32
        var cp: UInt32
        switch b0 {
        case 0xC2...0xDF: need = 1; cp = UInt32(b0 & 0x1F); minimum = 0x80
        case 0xE0...0xEF: need = 2; cp = UInt32(b0 & 0x0F); minimum = 0x800
        case 0xF0...0xF4: need = 3; cp = UInt32(b0 & 0x07); minimum = 0x10000
        default: return false
        }
        if i + need >= e { return false }
        for k in 1...need {
            let b = buf[i + k]
            if b & 0xC0 != 0x80 { return false }
            cp = cp << 6 | UInt32(b & 0x3F)
        }
        if cp < minimum || cp > 0x10FFFF || (0xD800...0xDFFF).contains(cp) { return false }
        i += need + 1
    }
    return true
}
