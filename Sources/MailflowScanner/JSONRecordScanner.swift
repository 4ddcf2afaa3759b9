#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a JSON export into records without parsing it: each JSON object that is an
/// element of the first array of the input is one record (`[ {...}, {...} ]` as written by
/// `ConvertTo-Json`, and `{"d": {"results": [ ... ]}}` / `{"value": [ ... ]}` as returned by
/// OData services). An input whose top-level values are objects with no array inside
/// (JSON Lines, one object per line) gives each top-level object as a record. JSON syntax:
/// RFC 8259.
///
/// Bytes are read in chunks into one reused buffer; a record is a byte range of it, valid
/// until the next call of ``next()``. Memory stays bounded: a record longer than
/// ``maxRecordBytes`` is skipped (its bytes are not kept) and reported as
/// `record-too-long`.
///
/// Lines are counted as in ``RecordScanner`` (CRLF, LF and lone CR each end one line);
/// a record's line is the line of its opening `{`, and its offset the byte offset of that
/// line's first byte.
///
/// Issues: an input that ends inside a record gives `truncated-record`; a record that is
/// not valid UTF-8 is kept with an `invalid-utf8` warning. Syntax inside a record is the
/// decoder's business.
public final class JSONRecordScanner {
    /// Longest record kept, in bytes.
    public let maxRecordBytes: Int
    private let readSize: Int
    private let source: ByteSource
    private let capacity: Int
    private let buf: UnsafeMutablePointer<UInt8>
    private var start = 0      // first byte still needed (record start or scan position)
    private var pos = 0        // next byte to examine
    private var end = 0
    private var base: Int64 = 0
    private var eof = false

    private var depth = 0
    private var inString = false
    private var escaped = false
    private var pendingCR = false
    /// Depth of the record objects: 1 + depth of the first array; 0 until an array is met
    /// (top-level objects are then records themselves, JSON Lines).
    private var recordDepth = 0
    private var sawArray = false
    private var inRecord = false
    /// Inside an element of the records array that is not an object (a number, a string,
    /// a nested array, stray text): skipped up to the next `,` or `]` at element level.
    private var inJunk = false
    private var skipping = false
    private var recordStart = 0
    private var line = 1
    private var lineOffset: Int64 = 0
    private var atInputStart = true
    private var queue: [ScanEvent] = []
    private var queueHead = 0

    /// Byte offset of the current record's opening `{` in the input.
    public var recordByteOffset: Int64 { base + Int64(recStart) }
    /// 1-based line of the current record's opening `{`.
    public private(set) var recordLine = 0
    /// Byte offset of the first byte of ``recordLine``.
    public private(set) var recordLineOffset: Int64 = 0
    private var recStart = 0
    private var recEnd = 0
    private var pendingLine = 0
    private var pendingLineOffset: Int64 = 0
    /// The input started with a UTF-8 byte order mark.
    public private(set) var hadByteOrderMark = false

    /// - Parameters:
    ///   - source: the decompressed UTF-8 bytes.
    ///   - maxRecordBytes: longest record kept (default 1 MiB).
    public init(source: ByteSource, maxRecordBytes: Int = 1 << 20, readSize: Int = 256 << 10) {
        self.source = source
        self.maxRecordBytes = maxRecordBytes
        self.readSize = readSize
        capacity = maxRecordBytes + readSize + 16
        buf = .allocate(capacity: capacity)
    }

    deinit {
        buf.deallocate()
        classTable.deallocate()
    }

    /// The current record's bytes, from `{` to `}` inclusive.
    public var recordBytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: buf + recStart, count: recEnd - recStart)
    }

    /// Bytes consumed so far.
    public var bytesScanned: Int64 { base + Int64(pos) }

    /// The next record, issue or the end.
    /// - Throws: what the source throws.
    public func next() throws -> ScanEvent {
        while true {
            if queueHead < queue.count {
                let e = queue[queueHead]
                queueHead += 1
                if queueHead == queue.count { queue.removeAll(keepingCapacity: true); queueHead = 0 }
                return e
            }
            if pos == end {
                if eof {
                    if inRecord {
                        inRecord = false
                        let sample = skipping ? [] : Array(UnsafeBufferPointer(start: buf + recordStart, count: min(ScanIssue.sampleLimit, end - recordStart)))
                        skipping = false
                        return .issue(ScanIssue(kind: .truncatedRecord, line: pendingLine, lineOffset: pendingLineOffset, sample: sample))
                    }
                    return .end
                }
                try fill()
                continue
            }
            scan()
        }
    }

    private func fill() throws {
        let keep = inRecord && !skipping ? recordStart : pos
        if keep > 0 {
            let n = end - keep
            if n > 0 { memmove(buf, buf + keep, n) }
            base += Int64(keep)
            pos -= keep
            end -= keep
            if inRecord && !skipping { recordStart -= keep }
        }
        let room = min(readSize, capacity - end)
        let n = try source.read(into: UnsafeMutableRawBufferPointer(start: buf + end, count: room))
        if n == 0 { eof = true } else { end += n }
        if atInputStart && end >= 3 {
            atInputStart = false
            if buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF {
                hadByteOrderMark = true
                pos = 3
            }
        } else if atInputStart && eof {
            atInputStart = false
        }
    }

    /// Byte classes: `[0, 256)` outside strings (`"` `{` `}` `[` `]` LF CR are special),
    /// `[256, 512)` inside strings (`"` `\\` LF CR). 0 = ordinary byte.
    private let classTable: UnsafeMutablePointer<UInt8> = {
        let t = UnsafeMutablePointer<UInt8>.allocate(capacity: 512)
        t.initialize(repeating: 0, count: 512)
        for b in [0x22, 0x7B, 0x7D, 0x5B, 0x5D, 0x0A, 0x0D] { t[b] = 1 }
        for b in [0x22, 0x5C, 0x0A, 0x0D] { t[256 + b] = 1 }
        return t
    }()

    /// Examines bytes from `pos` until a record completes or the buffer is used up.
    /// Ordinary bytes are skipped through a class table, so the work per byte is one load
    /// and one compare; only the special bytes take the branches below.
    private func scan() {
        let classes = classTable
        while pos < end {
            if pendingCR {
                pendingCR = false
                if buf[pos] != 0x0A { newLine(at: pos) }
            }
            if !inRecord && !inString {
                // Between records, or inside a non-object element: byte by byte (short).
                if scanBetween() { return }
                continue
            }
            let table = inString ? classes + 256 : classes
            var p = pos
            if escaped {
                // The byte after a backslash inside a string is never special (a line end
                // still counts as one).
                escaped = false
                if buf[p] != 0x0A && buf[p] != 0x0D { p += 1 }
            }
            while p < end && table[Int(buf[p])] == 0 { p += 1 }
            pos = p
            if p == end { break }
            let b = buf[p]
            if b == 0x0A {
                newLine(at: p + 1)
                pos = p + 1
                continue
            }
            if b == 0x0D {
                pendingCR = true
                lineEndCR(at: p)
                pos = p + 1
                continue
            }
            if inString {
                if b == 0x5C {
                    escaped = true
                } else {
                    inString = false
                }
                pos = p + 1
                continue
            }
            // Inside a record (between records and in strings was handled above).
            switch b {
            case 0x22:
                inString = true
            case 0x5B:  // [
                depth += 1
                if !sawArray && depth >= 2 {
                    // An array inside a top-level object: the object is a wrapper, and
                    // the records are the objects of this array.
                    sawArray = true
                    recordDepth = depth + 1
                    inRecord = false
                    skipping = false
                }
            case 0x5D:  // ]
                depth -= 1
            case 0x7B:  // {
                depth += 1
            default:  // }
                if depth == recordDepth || (!sawArray && depth == 1) {
                    depth -= 1
                    pos = p + 1
                    finishRecord()
                    return
                }
                depth -= 1
            }
            pos = p + 1
        }
        // The buffer is used up: a record that is already too long is dropped from here on
        // (its bytes are not kept), so that the buffer never has to grow.
        if inRecord && !skipping && pos - recordStart > maxRecordBytes { startSkipping() }
    }

    /// Whether the scanner is where an element of the records array (or a top-level value
    /// of JSON Lines) may start.
    private var atElementLevel: Bool { sawArray ? depth == recordDepth - 1 : depth == 0 }

    /// Handles one byte outside records and strings: whitespace, separators, the structure
    /// of wrappers, the start of a record, or the start and body of a non-object element.
    /// - Returns: true when a record was completed (never here) or an issue queued.
    private func scanBetween() -> Bool {
        let p = pos
        let b = buf[p]
        pos = p + 1
        switch b {
        case 0x0A, 0x0D:
            if b == 0x0A {
                newLine(at: p + 1)
            } else {
                pendingCR = true
                lineEndCR(at: p)
            }
            // JSON Lines: a line end closes a stray element.
            if inJunk && !sawArray && depth == 0 { inJunk = false }
            return false
        case 0x20, 0x09:
            return false
        case _ where afterEnd:
            // After the top-level array: only another array (files joined with cat) is read.
            if b == 0x5B && !trailingReported {
                afterEnd = false
                depth = 1
                return false
            }
            if !trailingReported {
                trailingReported = true
                queue.append(.issue(ScanIssue(
                    kind: .undecodable, line: line, lineOffset: lineOffset,
                    sample: Array(UnsafeBufferPointer(start: buf + p, count: min(ScanIssue.sampleLimit, end - p))),
                    detail: "text after the end of the JSON array, at byte \(base + Int64(p)); ignored")))
                return true
            }
            return false
        case 0x22:
            inString = true
            if atElementLevel && !inJunk { return startJunk(at: p) }
            return false
        case 0x2C:  // ,
            if inJunk && atElementLevel { inJunk = false }
            return false
        case 0x5B:  // [
            if atElementLevel && !inJunk && sawArray { _ = startJunk(at: p); depth += 1; return true }
            depth += 1
            if !sawArray {
                sawArray = true
                recordDepth = depth + 1
            }
            return false
        case 0x5D, 0x7D:  // ] }
            depth -= 1
            if inJunk && depth < recordDepth - 1 { inJunk = false }
            if sawArray && recordDepth == 2 && depth == 0 { afterEnd = true }
            return false
        case 0x7B:  // {
            if atElementLevel && !inJunk {
                depth += 1
                inRecord = true
                skipping = false
                recordStart = p
                pendingLine = line
                pendingLineOffset = lineOffset
                return false
            }
            depth += 1
            return false
        default:
            if atElementLevel && !inJunk { return startJunk(at: p) }
            return false
        }
    }

    /// The top-level array has closed; what follows is not read (but another array is).
    private var afterEnd = false
    private var trailingReported = false

    /// Reports an element of the records array that is not an object.
    private func startJunk(at p: Int) -> Bool {
        inJunk = true
        queue.append(.issue(ScanIssue(
            kind: .undecodable, line: line, lineOffset: lineOffset,
            sample: Array(UnsafeBufferPointer(start: buf + p, count: min(ScanIssue.sampleLimit, end - p))),
            detail: "not a JSON object, at byte \(base + Int64(p)); skipped to the next element")))
        return true
    }

    @inline(__always)
    private func newLine(at next: Int) {
        line += 1
        lineOffset = base + Int64(next)
    }

    /// A CR ends a line; if an LF follows, the line starts after it (fixed up when the
    /// next byte is seen).
    @inline(__always)
    private func lineEndCR(at p: Int) {
        if p + 1 < end {
            pendingCR = false
            if buf[p + 1] == 0x0A {
                // CRLF: the LF will count the line.
            } else {
                newLine(at: p + 1)
            }
        }
    }

    private func startSkipping() {
        let sample = Array(UnsafeBufferPointer(start: buf + recordStart, count: min(ScanIssue.sampleLimit, end - recordStart)))
        queue.append(.issue(ScanIssue(kind: .recordTooLong, line: pendingLine, lineOffset: pendingLineOffset, sample: sample)))
        skipping = true
    }

    private func finishRecord() {
        inRecord = false
        if skipping {
            skipping = false
            return
        }
        if pos - recordStart > maxRecordBytes {
            startSkipping()
            skipping = false
            return
        }
        recStart = recordStart
        recEnd = pos
        recordLine = pendingLine
        recordLineOffset = pendingLineOffset
        queue.append(.record)
        if !utf8IsValid(buf, recStart, recEnd) {
            let sample = Array(UnsafeBufferPointer(start: buf + recStart, count: min(ScanIssue.sampleLimit, recEnd - recStart)))
            queue.append(.issue(ScanIssue(kind: .invalidUTF8, line: recordLine, lineOffset: recordLineOffset, sample: sample)))
        }
    }
}
