@testable import MailflowScanner
import Testing

// Expected values here never come from the code under test: UTF-8 from Swift's own
// `String.utf8`, UTF-16 from `String.utf16`, bytes of malformed input written out by hand,
// line starts and offsets from walking the UTF-16 units in the test.

/// SplitMix64: a small seeded generator, so that every run sees the same "random" texts.
private struct UTF16TestRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

private let asciiPieces = ["a", "b", "z", "Q", "0", "9", ",", " ", "\t", "\"", "#Fields: x,y", "status=250 OK", "user@example.com"]
private let latinPieces = ["é", "ß", "ü", "ÿ", "\u{A0}", "\u{80}", "Ω", "ж", "\u{7FF}"]
private let cjkPieces = ["中", "文", "日本語", "\u{800}", "\u{FFFD}", "\u{FEFF}", "\u{E000}", "\u{FFFF}", "한"]
private let astralPieces = ["😀", "𝄞", "\u{10000}", "\u{10FFFF}", "👍🏽"]
private let lineEndPieces = ["\n", "\r", "\r\n"]

/// A random text: mostly ASCII runs, with every other kind of character and line end mixed in.
private func randomText(_ rng: inout UTF16TestRNG, pieces: Int) -> String {
    var s = ""
    for _ in 0..<pieces {
        switch rng.next() % 20 {
        case 0..<8: s += asciiPieces.randomElement(using: &rng)!
        case 8, 9: s += latinPieces.randomElement(using: &rng)!
        case 10, 11: s += cjkPieces.randomElement(using: &rng)!
        case 12, 13: s += astralPieces.randomElement(using: &rng)!
        case 14..<18: s += lineEndPieces.randomElement(using: &rng)!
        default: s += "\0"
        }
    }
    return s
}

/// Serialises code units as UTF-16LE or BE bytes, optionally after a BOM (U+FEFF).
private func serialise(_ units: [UInt16], bigEndian: Bool, bom: Bool) -> [UInt8] {
    var out: [UInt8] = []
    for u in (bom ? [0xFEFF] : []) + units {
        let hi = UInt8(u >> 8), lo = UInt8(u & 0xFF)
        out += bigEndian ? [hi, lo] : [lo, hi]
    }
    return out
}

/// Reads `source` to its end with a caller buffer of `bufferSize` bytes.
private func readAll(_ source: UTF16ByteSource, bufferSize: Int) throws -> [UInt8] {
    var result: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: bufferSize)
    while true {
        let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
        if n == 0 { break }
        try #require(n <= bufferSize)
        result += buffer[0..<n]
    }
    // The end stays the end.
    #expect(try buffer.withUnsafeMutableBytes { try source.read(into: $0) } == 0)
    return result
}

private func transcode(_ bytes: [UInt8], bigEndian: Bool, skipsBOM: Bool, chunk: Int = .max, bufferSize: Int = 4096) throws -> [UInt8] {
    let source = UTF16ByteSource(MemoryByteSource(bytes, chunkLimit: chunk), bigEndian: bigEndian, skipsBOM: skipsBOM)
    return try readAll(source, bufferSize: bufferSize)
}

private let innerChunks = [1, 2, 3, 5, 7, 64, 4096]
private let callerBuffers = [1, 3, 4096]

@Suite("UTF16ByteSource")
struct UTF16ByteSourceTests {
    @Test func randomRoundTripsEveryChunkAndBufferSize() throws {
        var rng = UTF16TestRNG(seed: 0x5EED_0016)
        var texts = ["", "a", "é", "😀", "\r", "\r\n", "\0", "abcdefghijklmnopqrstuvwxyz0123456789\n"]
        for _ in 0..<12 { texts.append(randomText(&rng, pieces: Int(rng.next() % 80))) }
        for text in texts {
            let expected = Array(text.utf8)
            for bigEndian in [false, true] {
                for bom in [false, true] {
                    let bytes = serialise(Array(text.utf16), bigEndian: bigEndian, bom: bom)
                    for chunk in innerChunks {
                        for bufferSize in callerBuffers {
                            let got = try transcode(bytes, bigEndian: bigEndian, skipsBOM: bom, chunk: chunk, bufferSize: bufferSize)
                            #expect(got == expected, "BE \(bigEndian) BOM \(bom) chunk \(chunk) buffer \(bufferSize): \(text.debugDescription)")
                        }
                    }
                }
            }
        }
    }

    /// Longer than the 128 KiB internal buffer, mostly ASCII: the fast path and its edges.
    @Test func largeMostlyASCIIRoundTrip() throws {
        var rng = UTF16TestRNG(seed: 42)
        var text = ""
        while text.utf16.count < 200_000 {
            let line = String(repeating: "x", count: Int(rng.next() % 150))
            text += line + randomText(&rng, pieces: 3) + lineEndPieces.randomElement(using: &rng)!
        }
        let expected = Array(text.utf8)
        for bigEndian in [false, true] {
            let bytes = serialise(Array(text.utf16), bigEndian: bigEndian, bom: true)
            for (chunk, bufferSize) in [(Int.max, 1 << 20), (Int.max, 4096), (4096, 65_537), (100_003, 7), (13, 1 << 20)] {
                let got = try transcode(bytes, bigEndian: bigEndian, skipsBOM: true, chunk: chunk, bufferSize: bufferSize)
                let firstDifference = zip(got, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(got.count, expected.count)
                #expect(got.count == expected.count && firstDifference == expected.count,
                        "BE \(bigEndian) chunk \(chunk) buffer \(bufferSize): first difference at byte \(firstDifference)")
            }
        }
    }

    @Test func byteOrderMarkIsDroppedOnlyAtTheStartAndOnlyWhenAsked() throws {
        let ab: [UInt16] = [0x61, 0x62]
        for bigEndian in [false, true] {
            #expect(try transcode(serialise(ab, bigEndian: bigEndian, bom: true), bigEndian: bigEndian, skipsBOM: true) == [0x61, 0x62])
            #expect(try transcode(serialise(ab, bigEndian: bigEndian, bom: true), bigEndian: bigEndian, skipsBOM: false) == [0xEF, 0xBB, 0xBF, 0x61, 0x62])
            #expect(try transcode(serialise(ab, bigEndian: bigEndian, bom: false), bigEndian: bigEndian, skipsBOM: true) == [0x61, 0x62])
            // A second U+FEFF, and one later in the stream, are content.
            let units: [UInt16] = [0xFEFF, 0x61, 0x0A, 0xFEFF, 0x62]
            #expect(try transcode(serialise(units, bigEndian: bigEndian, bom: true), bigEndian: bigEndian, skipsBOM: true, chunk: 1)
                == [0xEF, 0xBB, 0xBF, 0x61, 0x0A, 0xEF, 0xBB, 0xBF, 0x62])
            // A BOM alone is an empty file.
            #expect(try transcode(serialise([], bigEndian: bigEndian, bom: true), bigEndian: bigEndian, skipsBOM: true) == [])
        }
    }

    @Test func unpairedSurrogatesBecomeGeneralizedThreeByteForms() throws {
        let cases: [([UInt16], [UInt8])] = [
            ([0x41, 0xD800, 0x42], [0x41, 0xED, 0xA0, 0x80, 0x42]),          // high, then not a low
            ([0xDC00], [0xED, 0xB0, 0x80]),                                     // lone low
            ([0xDFFF, 0x41], [0xED, 0xBF, 0xBF, 0x41]),
            ([0x41, 0xDBFF], [0x41, 0xED, 0xAF, 0xBF]),                         // high at the end
            ([0xD800, 0xD83D, 0xDE00], [0xED, 0xA0, 0x80, 0xF0, 0x9F, 0x98, 0x80]), // high, then a pair
            ([0xDC00, 0xD800], [0xED, 0xB0, 0x80, 0xED, 0xA0, 0x80]),          // reversed pair
            ([0xD800, 0x0A, 0x41], [0xED, 0xA0, 0x80, 0x0A, 0x41]),
            ([0xDBFF, 0xDFFF], [0xF4, 0x8F, 0xBF, 0xBF]),                       // U+10FFFF, valid
        ]
        for (units, expected) in cases {
            for bigEndian in [false, true] {
                for chunk in innerChunks {
                    for bufferSize in callerBuffers {
                        let got = try transcode(serialise(units, bigEndian: bigEndian, bom: false), bigEndian: bigEndian,
                                                skipsBOM: false, chunk: chunk, bufferSize: bufferSize)
                        #expect(got == expected, "\(units) BE \(bigEndian) chunk \(chunk) buffer \(bufferSize)")
                    }
                }
            }
        }
    }

    @Test func oddTrailingByteIsEmittedRaw() throws {
        let cases: [(bytes: [UInt8], bigEndian: Bool, expected: [UInt8])] = [
            ([0x41, 0x00, 0x7A], false, [0x41, 0x7A]),
            ([0x00, 0x41, 0x7A], true, [0x41, 0x7A]),
            ([0xFF], false, [0xFF]),
            ([0x3D, 0xD8, 0x99], false, [0xED, 0xA0, 0xBD, 0x99]),       // high surrogate D83D, then a half unit
            ([0xD8, 0x3D, 0xDE], true, [0xED, 0xA0, 0xBD, 0xDE]),
            ([0x0D, 0x00, 0x0A], false, [0x0D, 0x0A]),
            ([], false, []),
        ]
        for c in cases {
            for chunk in innerChunks {
                for bufferSize in callerBuffers {
                    #expect(try transcode(c.bytes, bigEndian: c.bigEndian, skipsBOM: true, chunk: chunk, bufferSize: bufferSize) == c.expected,
                            "\(c.bytes) chunk \(chunk) buffer \(bufferSize)")
                }
            }
        }
    }

    @Test func bytesConsumedIsTheInnerSourcesCount() throws {
        let bytes = serialise(Array("ab\ncd".utf16), bigEndian: false, bom: true)
        let inner = MemoryByteSource(bytes, chunkLimit: 3)
        let source = UTF16ByteSource(inner, bigEndian: false, skipsBOM: true)
        #expect(source.bytesConsumed == 0)
        _ = try readAll(source, bufferSize: 4096)
        #expect(source.bytesConsumed == Int64(bytes.count))
        #expect(source.bytesConsumed == inner.bytesConsumed)
    }

    /// Walks the UTF-16 units of `text`: every line start, and every offset in the all-ASCII
    /// beginning of a line, as (UTF-8 output offset, UTF-16 input byte offset).
    private func referenceOffsets(_ text: String, bom: Bool) -> (lineStarts: [(Int64, Int64)], asciiPrefixes: [(Int64, Int64)]) {
        let units = Array(text.utf16)
        var u8: Int64 = 0
        var u16: Int64 = bom ? 2 : 0
        var lineStarts = [(u8, u16)]
        var ascii: [(Int64, Int64)] = []
        var lineIsASCII = true
        var i = 0
        while i < units.count {
            let u = units[i]
            if lineIsASCII && u < 0x80 { ascii.append((u8, u16)) }
            var width = 1
            switch u {
            case 0..<0x80: u8 += 1
            case 0x80..<0x800: u8 += 2; lineIsASCII = false
            case 0xD800..<0xDC00: u8 += 4; width = 2; lineIsASCII = false // texts here are valid UTF-16
            default: u8 += 3; lineIsASCII = false
            }
            u16 += Int64(2 * width)
            let endsLine = u == 0x0A || (u == 0x0D && (i + 1 == units.count || units[i + 1] != 0x0A))
            if endsLine {
                lineStarts.append((u8, u16))
                lineIsASCII = true
            }
            i += width
        }
        return (lineStarts, ascii)
    }

    @Test func originalOffsetIsExactAtEveryLineStart() throws {
        var rng = UTF16TestRNG(seed: 0x0FF5E7)
        var texts = ["", "a\r\nb\rc\nd", "\r\r\n\n\r", "é\n中\r😀\r\nx", "ab\r"]
        for _ in 0..<10 { texts.append(randomText(&rng, pieces: 20 + Int(rng.next() % 120))) }
        for text in texts {
            for bom in [false, true] {
                let reference = referenceOffsets(text, bom: bom)
                for bigEndian in [false, true] {
                    let bytes = serialise(Array(text.utf16), bigEndian: bigEndian, bom: bom)
                    for chunk in [1, 2, 3, 7, 4096] {
                        for bufferSize in callerBuffers {
                            let source = UTF16ByteSource(MemoryByteSource(bytes, chunkLimit: chunk), bigEndian: bigEndian, skipsBOM: bom)
                            #expect(try readAll(source, bufferSize: bufferSize) == Array(text.utf8))
                            let label = "BOM \(bom) BE \(bigEndian) chunk \(chunk) buffer \(bufferSize): \(text.debugDescription)"
                            #expect(source.recordedLineStarts == reference.lineStarts.count, "\(label)")
                            for (out, input) in reference.lineStarts {
                                #expect(source.originalOffset(ofOutputOffset: out) == input, "line start \(out) \(label)")
                            }
                            for (out, input) in reference.asciiPrefixes {
                                #expect(source.originalOffset(ofOutputOffset: out) == input, "ASCII offset \(out) \(label)")
                            }
                        }
                    }
                }
            }
        }
    }

    /// A CR that ends one inner read must wait for the next unit: CR LF is one line end.
    /// ASCII runs of 7, 15, 16 and 31 units put that CR at the end of a fast-path step.
    @Test func carriageReturnAtTheEndOfAnInnerRead() throws {
        for n in [3, 7, 8, 15, 16, 31] {
            let run = { (c: Character) in String(repeating: c, count: n) }
            let text = run("x") + "\r\n" + run("y") + "\r" + run("z") + "\r\r\n" + run("w") + "\r"
            let reference = referenceOffsets(text, bom: false)
            for bigEndian in [false, true] {
                let bytes = serialise(Array(text.utf16), bigEndian: bigEndian, bom: false)
                for chunk in 1...72 {
                    let source = UTF16ByteSource(MemoryByteSource(bytes, chunkLimit: chunk), bigEndian: bigEndian, skipsBOM: false)
                    #expect(try readAll(source, bufferSize: 4096) == Array(text.utf8))
                    #expect(source.recordedLineStarts == reference.lineStarts.count, "n \(n) chunk \(chunk)")
                    for (out, input) in reference.lineStarts {
                        #expect(source.originalOffset(ofOutputOffset: out) == input, "n \(n) chunk \(chunk) line start \(out)")
                    }
                }
            }
        }
        for (text, starts) in [("a\r\nb", [(0, 0), (3, 6)]), ("a\rb", [(0, 0), (2, 4)]), ("a\r", [(0, 0), (2, 4)])] as [(String, [(Int64, Int64)])] {
            let bytes = serialise(Array(text.utf16), bigEndian: false, bom: false)
            for chunk in [2, 4] {
                let source = UTF16ByteSource(MemoryByteSource(bytes, chunkLimit: chunk), bigEndian: false, skipsBOM: false)
                #expect(try readAll(source, bufferSize: 4096) == Array(text.utf8))
                #expect(source.recordedLineStarts == starts.count, "\(text.debugDescription) chunk \(chunk)")
                for (out, input) in starts { #expect(source.originalOffset(ofOutputOffset: out) == input) }
            }
        }
    }

    @Test func originalOffsetInsideANonASCIILineIsItsFirstNonASCIICharacter() throws {
        // With BOM, "x中y\nz": x out 0/in 2, 中 out 1-3/in 4, y out 4/in 6, z out 6/in 10.
        let bytes = serialise(Array("x中y\nz".utf16), bigEndian: false, bom: true)
        let source = UTF16ByteSource(MemoryByteSource(bytes), bigEndian: false, skipsBOM: true)
        _ = try readAll(source, bufferSize: 4096)
        #expect(source.originalOffset(ofOutputOffset: 0) == 2)
        #expect(source.originalOffset(ofOutputOffset: 1) == 4)
        #expect(source.originalOffset(ofOutputOffset: 4) == 4) // lower bound: where '中' starts
        #expect(source.originalOffset(ofOutputOffset: 6) == 10) // "z" line start: 2 + 4 units × 2
    }

    @Test func ringKeepsTheNewest65536LineStarts() throws {
        // Every line is "é1\n": 4 output bytes, 6 input bytes.
        let lines = 70_000
        let text = String(repeating: "é1\n", count: lines)
        let bytes = serialise(Array(text.utf16), bigEndian: true, bom: false)
        let source = UTF16ByteSource(MemoryByteSource(bytes, chunkLimit: 4096), bigEndian: true, skipsBOM: false)
        #expect(try readAll(source, bufferSize: 1000) == Array(text.utf8))
        #expect(source.recordedLineStarts == lines + 1)
        // Line starts k = 0...lines: output 4k, input 6k. The newest 65,536 and the one pushed
        // out last are exact; older ones give a later line start (an upper bound).
        let oldestExact = lines + 1 - 65_536 - 1
        for k in oldestExact...lines {
            #expect(source.originalOffset(ofOutputOffset: Int64(4 * k)) == Int64(6 * k))
        }
        for k in [0, 1, oldestExact - 1] {
            #expect(source.originalOffset(ofOutputOffset: Int64(4 * k)) >= Int64(6 * k))
        }
    }

    @Test func scannerSeesALoneSurrogateAsInvalidUTF8AndKeepsTheRecord() throws {
        var units = Array("a,b\nc,".utf16)
        units += [0xD800]
        units += Array("d\ne,f\n".utf16)
        let bytes = serialise(units, bigEndian: false, bom: true)
        let scanner = RecordScanner(source: UTF16ByteSource(MemoryByteSource(bytes, chunkLimit: 3), bigEndian: false, skipsBOM: true))
        scanner.expectedFieldCount = 2
        var records: [[String]] = []
        var issues: [ScanIssue.Kind] = []
        loop: while true {
            switch try scanner.next() {
            case .record: records.append((0..<scanner.fieldCount).map { scanner.field($0).string })
            case .issue(let issue): issues.append(issue.kind)
            case .directive: continue
            case .end: break loop
            }
        }
        #expect(issues == [.invalidUTF8])
        #expect(records.count == 3)
        #expect(records.first == ["a", "b"])
        #expect(records.last == ["e", "f"])
    }
}
