import MailflowScanner
import Testing

/// A deliberately simple reference splitter for W3C-style logs (records never span
/// lines; no NUL bytes in the generated input): split lines on CRLF, LF or CR, then
/// fields by RFC 4180 quoting.
func referenceSplit(_ bytes: [UInt8]) -> [[String]] {
    var lines: [[UInt8]] = []
    var current: [UInt8] = []
    var i = 0
    while i < bytes.count {
        let b = bytes[i]
        if b == 10 || b == 13 {
            lines.append(current)
            current = []
            if b == 13 && i + 1 < bytes.count && bytes[i + 1] == 10 { i += 1 }
        } else {
            current.append(b)
        }
        i += 1
    }
    if !current.isEmpty { lines.append(current) }
    var records: [[String]] = []
    for line in lines where !line.isEmpty {
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var j = 0
        var open = false
        while j < line.count {
            let c = line[j]
            if inQuotes {
                if c == 34 {
                    if j + 1 < line.count && line[j + 1] == 34 { field.append(34); j += 1 } else { inQuotes = false }
                } else {
                    field.append(c)
                }
            } else if c == 34 && field.isEmpty {
                inQuotes = true
                open = true
            } else if c == 44 {
                fields.append(String(decoding: field, as: UTF8.self))
                field = []
            } else {
                field.append(c)
            }
            j += 1
        }
        if inQuotes && open { continue }  // unterminated quote: rejected
        fields.append(String(decoding: field, as: UTF8.self))
        records.append(fields)
    }
    return records
}

/// Seeded xorshift generator: the same inputs on every run.
struct SeededRandom {
    var state: UInt64
    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

@Test("scanner matches a reference splitter on seeded random logs, every chunking")
func differentialAgainstReference() throws {
    var rng = SeededRandom(state: 0x9E37_79B9_7F4A_7C15)
    let alphabet: [UInt8] = Array("abc xyz;'{}[]=".utf8)
    for round in 0..<300 {
        var bytes: [UInt8] = []
        let lineCount = 1 + rng.below(6)
        for l in 0..<lineCount {
            let fieldCount = 1 + rng.below(5)
            for f in 0..<fieldCount {
                if f > 0 { bytes.append(44) }
                switch rng.below(5) {
                case 0: break  // empty field
                case 1:  // quoted with separators and doubled quotes
                    bytes.append(34)
                    for _ in 0..<rng.below(8) {
                        let pick = rng.below(4)
                        bytes.append(contentsOf: pick == 0 ? [34, 34] : pick == 1 ? [44] : [alphabet[rng.below(alphabet.count)]])
                    }
                    bytes.append(34)
                case 2:  // long field
                    bytes.append(contentsOf: (0..<(50 + rng.below(300))).map { _ in alphabet[rng.below(alphabet.count)] })
                default:
                    bytes.append(contentsOf: (0..<rng.below(10)).map { _ in alphabet[rng.below(alphabet.count)] })
                }
            }
            if l < lineCount - 1 || rng.below(2) == 0 {
                bytes.append(contentsOf: [[10], [13, 10], [13]][rng.below(3)])
            }
        }
        var options = RecordScanner.Options()
        options.directives = false
        let expected = referenceSplit(bytes)
        for chunk in chunkSizes {
            let got = try trace(bytes, chunk: chunk, options: options).compactMap { t -> [String]? in
                if case .record(_, _, let f) = t { return f } else { return nil }
            }
            #expect(got == expected, "round \(round) chunk \(chunk): \(String(decoding: bytes, as: UTF8.self).debugDescription)")
        }
    }
}
