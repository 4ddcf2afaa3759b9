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

/// Reference splitter for RFC 4180 CSV exports (quoted fields may hold CR, LF, CRLF,
/// commas and doubled quotes): each record with the 1-based line and byte offset where it
/// starts. Written for clarity, byte by byte.
func referenceCSV(_ bytes: [UInt8]) -> [(line: Int, offset: Int, fields: [String])] {
    var out: [(Int, Int, [String])] = []
    var line = 1
    var i = 0
    while i < bytes.count {
        let recordLine = line, recordOffset = i
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var atFieldStart = true
        var sawAnything = false
        while i < bytes.count {
            let c = bytes[i]
            if inQuotes {
                if c == 34 {
                    if i + 1 < bytes.count && bytes[i + 1] == 34 { field.append(34); i += 2; continue }
                    inQuotes = false
                } else {
                    if c == 13 && !(i + 1 < bytes.count && bytes[i + 1] == 10) { line += 1 }
                    if c == 10 { line += 1 }
                    field.append(c)
                }
                i += 1
                continue
            }
            if c == 13 || c == 10 {
                i += (c == 13 && i + 1 < bytes.count && bytes[i + 1] == 10) ? 2 : 1
                line += 1
                break
            }
            sawAnything = true
            if c == 34 && atFieldStart {
                inQuotes = true
                atFieldStart = false
            } else if c == 44 {
                fields.append(String(decoding: field, as: UTF8.self))
                field = []
                atFieldStart = true
            } else {
                field.append(c)
                atFieldStart = false
            }
            i += 1
        }
        if sawAnything {
            fields.append(String(decoding: field, as: UTF8.self))
            out.append((recordLine, recordOffset, fields))
        }
    }
    return out
}

@Test("CSV export mode matches a reference splitter on seeded random rows spanning lines, every chunking")
func differentialCSVAgainstReference() throws {
    var rng = SeededRandom(state: 0xD1B5_4A32_D192_ED03)
    let alphabet: [UInt8] = Array("abc xyz;'{}[]=é".utf8)
    for round in 0..<300 {
        var bytes: [UInt8] = []
        let rowCount = 1 + rng.below(6)
        let fieldCount = 1 + rng.below(6)
        for r in 0..<rowCount {
            for f in 0..<fieldCount {
                if f > 0 { bytes.append(44) }
                switch rng.below(5) {
                case 0: break  // empty field
                case 1, 2:  // quoted, holding separators, doubled quotes and line ends
                    bytes.append(34)
                    for _ in 0..<rng.below(12) {
                        switch rng.below(7) {
                        case 0: bytes.append(contentsOf: [34, 34])
                        case 1: bytes.append(44)
                        case 2: bytes.append(contentsOf: [[10], [13, 10], [13]][rng.below(3)])
                        default: bytes.append(alphabet[rng.below(alphabet.count)])
                        }
                    }
                    if rng.below(4) == 0 { bytes.append(contentsOf: (0..<(40 + rng.below(200))).map { _ in alphabet[rng.below(alphabet.count)] }) }
                    bytes.append(34)
                default:
                    bytes.append(contentsOf: (0..<rng.below(10)).map { _ in alphabet[rng.below(alphabet.count)] })
                }
            }
            if r < rowCount - 1 || rng.below(2) == 0 {
                bytes.append(contentsOf: [[10], [13, 10], [13]][rng.below(3)])
            }
        }
        var options = RecordScanner.Options()
        options.directives = false
        options.quotedLineBreaks = true
        let expected = referenceCSV(bytes).map { Traced.record(line: $0.line, offset: Int64($0.offset), fields: $0.fields) }
        for chunk in chunkSizes {
            let got = try trace(bytes, chunk: chunk, options: options).filter {
                if case .issue(_, _, .invalidUTF8) = $0 { return false } else { return true }
            }
            #expect(got == expected, "round \(round) chunk \(chunk): \(String(decoding: bytes, as: UTF8.self).debugDescription)")
        }
    }
}

@Test("JSON splitter finds every generated record with its line and offset, every chunking")
func jsonSplitterOnGeneratedExports() throws {
    var rng = SeededRandom(state: 0x2545_F491_4F6C_DD1D)
    let pieces: [String] = ["a", "é", "{", "}", "[", "]", ",", ":", "\\\"", "\\\\", "\\n", "\\u00e9", " ", "x\\/y"]
    let breaks = ["\n", "\r\n", "\r", " ", "  ", "\r\n    "]
    for round in 0..<200 {
        var text = ""
        var expected: [String] = []
        var line = 1
        func add(_ s: String) {
            text += s
            var it = Array(s.utf8)[...]
            while let c = it.popFirst() {
                if c == 10 { line += 1 } else if c == 13 { if it.first == 10 { _ = it.popFirst() }; line += 1 }
            }
        }
        let wrapper = rng.below(3)
        add(wrapper == 0 ? "[" : wrapper == 1 ? "{\"d\": {\"results\": [" : "")
        let count = rng.below(6)
        for r in 0..<count {
            if r > 0 { add(wrapper == 2 ? "\n" : ",") }
            add(breaks[rng.below(breaks.count)])
            var object = "{"
            for m in 0..<(1 + rng.below(4)) {
                if m > 0 { object += ",\(breaks[rng.below(breaks.count)])" }
                object += "\"k\(m)\": "
                switch rng.below(4) {
                case 0: object += "null"
                case 1: object += "\(rng.below(100000))"
                case 2: object += "{\"type\": \"T\", \"uri\": \"u\"}"
                default: object += "\"" + (0..<rng.below(12)).map { _ in pieces[rng.below(pieces.count)] }.joined() + "\""
                }
            }
            object += "}"
            let startLine = line
            let lineStart = text.utf8.count - (text.utf8.split(omittingEmptySubsequences: false, whereSeparator: { $0 == 10 || $0 == 13 }).last?.count ?? 0)
            expected.append("\(startLine)@\(lineStart):\(object)")
            add(object)
        }
        add(breaks[rng.below(breaks.count)])
        add(wrapper == 0 ? "]" : wrapper == 1 ? "]}}" : "")
        let bytes = Array(text.utf8)
        for chunk in chunkSizes {
            let s = JSONRecordScanner(source: MemoryByteSource(bytes, chunkLimit: chunk), readSize: 64)
            var got: [String] = []
            loop: while true {
                switch try s.next() {
                case .record: got.append("\(s.recordLine)@\(s.recordLineOffset):" + String(decoding: s.recordBytes, as: UTF8.self))
                case .issue(let i): got.append("issue \(i.kind.rawValue)")
                case .directive: break
                case .end: break loop
                }
            }
            #expect(got == expected, "round \(round) chunk \(chunk): \(text.debugDescription)")
        }
    }
}
