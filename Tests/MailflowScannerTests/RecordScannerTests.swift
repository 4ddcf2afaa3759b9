import Foundation
import MailflowScanner
import Testing

/// Chunk sizes every input is fed in (DESIGN section 10); `.max` is the whole input.
let chunkSizes = [1, 2, 3, 7, 64, Int.max]

@Suite("RecordScanner table cases")
struct RecordScannerTableTests {
    @Test func plainLinesLFAndCRLF() throws {
        let input = "a,b,c\nd,e,f\r\ng,h,i".bytes
        #expect(try trace(input) == [
            .record(line: 1, offset: 0, fields: ["a", "b", "c"]),
            .record(line: 2, offset: 6, fields: ["d", "e", "f"]),
            .record(line: 3, offset: 13, fields: ["g", "h", "i"]),
        ])
    }

    @Test func loneCarriageReturnEndsALine() throws {
        #expect(try trace("a,b\rc,d\r\n\re,f".bytes) == [
            .record(line: 1, offset: 0, fields: ["a", "b"]),
            .record(line: 2, offset: 4, fields: ["c", "d"]),
            .record(line: 4, offset: 10, fields: ["e", "f"]),
        ])
    }

    @Test func quotedFieldsWithSeparatorsAndDoubledQuotes() throws {
        let input = #"x,"a, b","say ""hi""",,"""#.bytes + "\n".bytes
        #expect(try trace(input) == [.record(line: 1, offset: 0, fields: ["x", "a, b", #"say "hi""#, "", ""])])
    }

    @Test func emptyTrailingFieldAndEmptyLinesVanish() throws {
        #expect(try trace("a,\n\n\r\nb,c\n".bytes) == [
            .record(line: 1, offset: 0, fields: ["a", ""]),
            .record(line: 4, offset: 6, fields: ["b", "c"]),
        ])
    }

    @Test func byteOrderMarkIsNotContentButCountsInOffsets() throws {
        let input: [UInt8] = [0xEF, 0xBB, 0xBF] + "#Fields: a,b\r\n1,2\r\n".bytes + [0xEF, 0xBB, 0xBF] + "3,4\r\n".bytes
        let scanner = RecordScanner(source: MemoryByteSource(input))
        _ = try scanner.next()
        #expect(scanner.hadByteOrderMark)
        #expect(try trace(input) == [
            .directive(line: 1, text: "Fields: a,b"),
            .record(line: 2, offset: 17, fields: ["1", "2"]),
            .record(line: 3, offset: 22, fields: ["3", "4"]),
        ])
    }

    @Test func directiveRemapsFieldCount() throws {
        let input = "#Fields: a,b\n1,2\n1,2,3\n#Fields: a,b,c\n1,2,3\n".bytes
        #expect(try trace(input) == [
            .directive(line: 1, text: "Fields: a,b"),
            .record(line: 2, offset: 13, fields: ["1", "2"]),
            .issue(line: 3, offset: 17, kind: .raggedRow),
            .directive(line: 4, text: "Fields: a,b,c"),
            .record(line: 5, offset: 38, fields: ["1", "2", "3"]),
        ])
    }

    @Test func unterminatedQuoteRejectsOnlyItsLine() throws {
        let input = "#Fields: a,b\n1,\"open\n3,4\n".bytes
        #expect(try trace(input) == [
            .directive(line: 1, text: "Fields: a,b"),
            .issue(line: 2, offset: 13, kind: .unterminatedQuote),
            .record(line: 3, offset: 21, fields: ["3", "4"]),
        ])
    }

    @Test func nulRunSplitsALineIntoCandidates() throws {
        // "1,2" NUL NUL "3,4" on one line: one nul-bytes issue, then two complete records.
        let input = "#Fields: a,b\n".bytes + "1,2".bytes + [0, 0] + "3,4\n5".bytes
        #expect(try trace(input) == [
            .directive(line: 1, text: "Fields: a,b"),
            .issue(line: 2, offset: 13, kind: .nulBytes),
            .record(line: 2, offset: 13, fields: ["1", "2"]),
            .record(line: 2, offset: 13, fields: ["3", "4"]),
            .issue(line: 3, offset: 22, kind: .truncatedRecord),
        ])
    }

    @Test func completeLastLineWithoutLineEndIsARecord() throws {
        #expect(try trace("#Fields: a,b\n1,2".bytes) == [
            .directive(line: 1, text: "Fields: a,b"),
            .record(line: 2, offset: 13, fields: ["1", "2"]),
        ])
    }

    @Test func overLongRecordIsSkippedWithBoundedBuffer() throws {
        var options = RecordScanner.Options()
        options.maxRecordBytes = 16
        options.readSize = 8
        let input = "a,b\n".bytes + Array(repeating: UInt8(ascii: "x"), count: 100) + "\nc,d\n".bytes
        for chunk in chunkSizes {
            #expect(try trace(input, chunk: chunk, options: options) == [
                .record(line: 1, offset: 0, fields: ["a", "b"]),
                .issue(line: 2, offset: 4, kind: .recordTooLong),
                .record(line: 3, offset: 105, fields: ["c", "d"]),
            ])
        }
    }

    /// Regression: a NUL run longer than the scanner's buffer (a log NUL-padded after a
    /// crash) trapped with "scanner buffer full".
    @Test func nulRunLongerThanTheBuffer() throws {
        var options = RecordScanner.Options()
        options.maxRecordBytes = 16
        options.readSize = 8
        let input = "#Fields: a,b\n1,2\n".bytes + [UInt8](repeating: 0, count: 1000) + "\n3,4\n".bytes
        for chunk in chunkSizes {
            #expect(try trace(input, chunk: chunk, options: options) == [
                .directive(line: 1, text: "Fields: a,b"),
                .record(line: 2, offset: 13, fields: ["1", "2"]),
                .issue(line: 3, offset: 17, kind: .nulBytes),
                .record(line: 4, offset: 1018, fields: ["3", "4"]),
            ])
        }
    }

    @Test func invalidUTF8KeepsTheRecordAndWarns() throws {
        let input = "a,".bytes + [0xE9, 0xFF] + ",c\n".bytes
        let t = try trace(input)
        #expect(t.count == 2)
        if case .record(1, 0, let fields) = t[0] { #expect(fields.count == 3) } else { Issue.record("no record: \(t)") }
        #expect(t[1] == .issue(line: 1, offset: 0, kind: .invalidUTF8))
    }

    @Test func quotedLineBreaksModeSpansLines() throws {
        var options = RecordScanner.Options()
        options.quotedLineBreaks = true
        options.directives = false
        let input = "h1,h2\r\n\"multi\r\nline\",x\r\ny,z\r\n".bytes
        for chunk in chunkSizes {
            #expect(try trace(input, chunk: chunk, options: options) == [
                .record(line: 1, offset: 0, fields: ["h1", "h2"]),
                .record(line: 2, offset: 7, fields: ["multi\r\nline", "x"]),
                .record(line: 4, offset: 24, fields: ["y", "z"]),
            ])
        }
    }
}

@Suite("RecordScanner chunking")
struct RecordScannerChunkingTests {
    /// Inputs: the hand-made ones above plus every Exchange log of the shared corpus.
    static func inputs() -> [(String, [UInt8])] {
        var list: [(String, [UInt8])] = [
            ("mixed", "#Fields: a,b,c\r\n1,\"x,y\",3\r\n\r\n4,5\r6,\"\"\"q\"\"\",7\n8,9,\"open\n".bytes + [0xEF, 0xBB, 0xBF] + "1,2,3".bytes),
            ("nul", "#Fields: a,b\n".bytes + "1,2".bytes + [0, 0, 0] + "3,4".bytes + [0] + "\n9,9\r".bytes),
        ]
        for path in CorpusFiles.exchangeLogs() {
            if let data = FileManager.default.contents(atPath: path) { list.append((path, Array(data))) }
        }
        return list
    }

    @Test("identical output for chunk sizes 1, 2, 3, 7, 64 and whole input")
    func everyChunking() throws {
        let inputs = Self.inputs()
        if FileManager.default.fileExists(atPath: CorpusFiles.root) {
            #expect(inputs.count >= 2 + 8, "corpus Exchange logs found: \(inputs.count - 2)")
        } else {
            print("note: ../shared/corpus not found; chunking checked on built-in inputs only")
        }
        for (name, bytes) in inputs {
            let whole = try trace(bytes)
            #expect(!whole.isEmpty, "\(name)")
            for chunk in chunkSizes.dropLast() {
                let chunked = try trace(bytes, chunk: chunk)
                #expect(chunked == whole, "\(name) chunk \(chunk)")
            }
        }
    }
}

/// Corpus paths (`../shared/corpus` beside the repository), when present.
enum CorpusFiles {
    static var root: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/corpus").path
    }

    static func exchangeLogs() -> [String] {
        let fm = FileManager.default
        var out: [String] = []
        for dir in ["public", "cases"] {
            let d = root + "/" + dir
            guard let names = try? fm.contentsOfDirectory(atPath: d) else { continue }
            for n in names.sorted() where n.hasSuffix(".log") && (n.hasPrefix("exchange")) || n == "broken-input.log" {
                out.append(d + "/" + n)
            }
        }
        return out
    }
}

/// Found by the fuzzer: in CSV export mode a record longer than the bound whose quoted
/// field spans lines must end at the same place (and report the same issues) whether or
/// not it is all in the buffer when the bound is crossed.
@Test("CSV mode: an over-long quoted record ends by the quote rule for every chunk size")
func overLongQuotedRecordIsChunkInvariant() throws {
    var options = RecordScanner.Options()
    options.quotedLineBreaks = true
    options.directives = false
    options.maxRecordBytes = 64
    options.readSize = 256  // the whole input in one read: the record's end is seen at once
    let inputs: [String] = [
        "a,b\r\n\"" + String(repeating: "x", count: 40) + "\r\n" + String(repeating: "y", count: 40) + "\",z\r\nc,d\r\n",
        "a,b\n\"" + String(repeating: "x", count: 40) + "\n" + String(repeating: "y", count: 40) + "\u{0}tail,e\nc,d\n",
        "\"" + String(repeating: "q", count: 100) + "\r" + "\"\"x\",y\rc,d",
    ]
    for input in inputs {
        let whole = try trace(Array(input.utf8), options: options)
        #expect(whole.contains { if case .issue(_, _, .recordTooLong) = $0 { return true } else { return false } }, "\(whole)")
        for chunk in [1, 2, 3, 7, 16, 64] {
            #expect(try trace(Array(input.utf8), chunk: chunk, options: options) == whole, "chunk \(chunk): \(input.debugDescription)")
        }
    }
}
