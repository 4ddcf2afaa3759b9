#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the members of one JSON object (RFC 8259) as borrowed byte ranges: the message
/// trace rows mailflow reads are flat objects of strings, numbers and nulls (a nested
/// object such as OData's `__metadata` is skipped as a whole). Strings holding escapes are
/// unescaped into a scratch buffer reused from record to record.
struct JSONObjectReader {
    enum Failure: Error, CustomStringConvertible {
        case syntax(offset: Int, what: String)

        var description: String {
            switch self {
            case let .syntax(offset, what): return "JSON syntax error at byte \(offset) of the record: \(what)"
            }
        }
    }

    struct Member {
        var key: Range<Int>
        /// Value bytes: the string's content (without quotes) or the literal's bytes.
        var value: Range<Int>
        var isString: Bool
        var isNull: Bool
        /// The string holds `\` escapes: read it with ``JSONObjectReader/string(_:)``.
        var escaped: Bool
    }

    private(set) var members: [Member] = []
    private var bytes = UnsafeRawBufferPointer(start: nil, count: 0)
    private var scratch: [UInt8] = []

    init() {
        members.reserveCapacity(32)
        scratch.reserveCapacity(4096)
    }

    /// Parses `object` (`{` ... `}`); the ranges stay valid as long as its bytes do.
    /// - Throws: ``Failure/syntax(offset:what:)``.
    mutating func parse(_ object: UnsafeRawBufferPointer) throws {
        bytes = object
        members.removeAll(keepingCapacity: true)
        scratch.removeAll(keepingCapacity: true)
        // Unescaping never lengthens a string: reserving the record's size keeps every
        // range handed out by text(_:) valid until the next parse.
        scratch.reserveCapacity(object.count)
        let n = object.count
        var i = 0
        func skipSpace() { while i < n, object[i] == 0x20 || object[i] == 0x0A || object[i] == 0x0D || object[i] == 0x09 { i += 1 } }
        func fail(_ what: String) -> Failure { .syntax(offset: i, what: what) }
        /// Scans a string starting at the opening quote; returns its content range.
        func string() throws -> (Range<Int>, Bool) {
            i += 1
            let s = i
            // The closing quote is the first `"` not escaped; memchr finds candidates.
            let base = object.baseAddress!
            var from = i
            while from < n, let hit = memchr(base + from, 0x22, n - from) {
                let q = base.distance(to: UnsafeRawPointer(hit))
                var backslashes = 0
                while q - backslashes - 1 >= s && object[q - backslashes - 1] == 0x5C { backslashes += 1 }
                if backslashes & 1 == 0 {
                    let escaped = memchr(base + s, 0x5C, q - s) != nil
                    i = q + 1
                    return (s..<q, escaped)
                }
                from = q + 1
            }
            i = n
            throw fail("unterminated string")
        }
        /// Skips any value (objects and arrays by depth).
        func skipValue() throws -> Range<Int> {
            let s = i
            guard i < n else { throw fail("value expected") }
            let b = object[i]
            if b == 0x7B || b == 0x5B {
                var depth = 0
                while i < n {
                    let c = object[i]
                    if c == 0x22 { _ = try string(); continue }
                    if c == 0x7B || c == 0x5B { depth += 1 }
                    if c == 0x7D || c == 0x5D {
                        depth -= 1
                        if depth == 0 { i += 1; return s..<i }
                    }
                    i += 1
                }
                throw fail("unterminated value")
            }
            while i < n, object[i] != 0x2C, object[i] != 0x7D, object[i] != 0x20, object[i] != 0x0A, object[i] != 0x0D, object[i] != 0x09 { i += 1 }
            if i == s { throw fail("value expected") }
            // A literal or a number (RFC 8259 section 3 and 6), nothing else.
            let v = UnsafeRawBufferPointer(rebasing: object[s..<i])
            let literal = v.elementsEqual("null".utf8) || v.elementsEqual("true".utf8) || v.elementsEqual("false".utf8)
            let number = !literal && v.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x2B || $0 == 0x2E || $0 == 0x65 || $0 == 0x45 }
            if !literal && !number { i = s; throw fail("not a JSON value") }
            return s..<i
        }
        skipSpace()
        guard i < n, object[i] == 0x7B else { throw fail("object expected") }
        i += 1
        skipSpace()
        if i < n && object[i] == 0x7D { return }
        while true {
            skipSpace()
            guard i < n, object[i] == 0x22 else { throw fail("member name expected") }
            let (key, _) = try string()
            skipSpace()
            guard i < n, object[i] == 0x3A else { throw fail("':' expected") }
            i += 1
            skipSpace()
            guard i < n else { throw fail("value expected") }
            if object[i] == 0x22 {
                let (v, escaped) = try string()
                members.append(Member(key: key, value: v, isString: true, isNull: false, escaped: escaped))
            } else {
                let v = try skipValue()
                let isNull = v.count == 4 && object[v.lowerBound] == 0x6E
                members.append(Member(key: key, value: v, isString: false, isNull: isNull, escaped: false))
            }
            skipSpace()
            guard i < n else { throw fail("'}' expected") }
            if object[i] == 0x2C { i += 1; continue }
            if object[i] == 0x7D { return }
            throw fail("',' or '}' expected")
        }
    }

    /// The key bytes of member `m`.
    func key(_ m: Member) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[m.key]) }

    /// The value of member `m` as text: a string unescaped (`\uXXXX` and surrogate pairs
    /// to UTF-8), a number or literal as written, empty for null. Valid until the next
    /// ``parse(_:)``; earlier results stay valid (the scratch buffer is reserved to the
    /// record's size up front).
    mutating func text(_ m: Member) -> UnsafeRawBufferPointer {
        if m.isNull { return UnsafeRawBufferPointer(start: nil, count: 0) }
        let raw = UnsafeRawBufferPointer(rebasing: bytes[m.value])
        guard m.escaped else { return raw }
        let start = scratch.count
        var i = 0
        let n = raw.count
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= n else { return nil }
            var v: UInt32 = 0
            for k in at..<(at + 4) {
                let c = raw[k]
                let d: UInt32
                switch c {
                case 0x30...0x39: d = UInt32(c - 0x30)
                case 0x41...0x46: d = UInt32(c - 0x41 + 10)
                case 0x61...0x66: d = UInt32(c - 0x61 + 10)
                default: return nil
                }
                v = v << 4 | d
            }
            return v
        }
        while i < n {
            let b = raw[i]
            if b != 0x5C || i + 1 >= n {
                scratch.append(b)
                i += 1
                continue
            }
            let e = raw[i + 1]
            i += 2
            switch e {
            case 0x6E: scratch.append(0x0A)
            case 0x72: scratch.append(0x0D)
            case 0x74: scratch.append(0x09)
            case 0x62: scratch.append(0x08)
            case 0x66: scratch.append(0x0C)
            case 0x75:
                guard var cp = hex4(i) else { scratch.append(contentsOf: [0x5C, 0x75]); continue }
                i += 4
                if (0xD800..<0xDC00).contains(cp), i + 6 <= n, raw[i] == 0x5C, raw[i + 1] == 0x75,
                   let low = hex4(i + 2), (0xDC00..<0xE000).contains(low)
                {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                }
                appendUTF8(cp)
            default: scratch.append(e)  // \" \\ \/
            }
        }
        return scratch.withUnsafeBytes { UnsafeRawBufferPointer(rebasing: $0[start...]) }
    }

    /// Appends a code point as UTF-8; a lone surrogate keeps its 3-byte form (kept as
    /// found, like invalid UTF-8 elsewhere).
    private mutating func appendUTF8(_ cp: UInt32) {
        switch cp {
        case 0..<0x80: scratch.append(UInt8(cp))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | cp >> 6)); scratch.append(UInt8(0x80 | cp & 0x3F))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | cp >> 12)); scratch.append(UInt8(0x80 | cp >> 6 & 0x3F)); scratch.append(UInt8(0x80 | cp & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | cp >> 18)); scratch.append(UInt8(0x80 | cp >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | cp >> 6 & 0x3F)); scratch.append(UInt8(0x80 | cp & 0x3F))
        }
    }
}
