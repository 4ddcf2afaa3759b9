import Foundation
import MailflowCore
import Testing

/// Every data file of `../shared/corpus` (public/ and cases/, gzip copies included, all
/// formats) against its `.expected.json`, read back through the SQL views. Detection runs
/// without `--format`; the `assume` key gives `--year`, `--timezone` and the file's
/// modification time (rule N5).
@Suite("corpus: every format")
struct CorpusConformanceTests {
    nonisolated(unsafe) static let cases = Corpus.files(format: nil)

    @Test func corpusIsPresentOrSkipped() {
        if !Corpus.exists {
            print("note: ../shared/corpus not found; corpus conformance tests skipped")
            return
        }
        #expect(Self.cases.count >= 23, "expected files found: \(Self.cases.map(\.path))")
        // Every format of the corpus is present.
        let formats = Set(Self.cases.compactMap { $0.expected["format"] as? String })
        #expect(formats.count == 8, "\(formats)")
    }

    @Test(arguments: cases.map(\.path))
    func viewsEqualExpected(path original: String) throws {
        let expected = Self.cases.first { $0.path == original }!.expected
        let dir = temporaryDirectory()
        let db = dir + "/corpus.db"
        let assume = expected["assume"] as? [String: Any] ?? [:]
        var path = original
        if let mtime = assume["mtime"] as? String {
            // A copy whose modification time is the one the expected file names.
            path = dir + "/" + URL(fileURLWithPath: original).lastPathComponent
            try FileManager.default.copyItem(atPath: original, toPath: path)
            let ms = Array(mtime.utf8).withUnsafeBytes { Timestamp.parseISO8601($0) }!
            try FileManager.default.setAttributes(
                [.modificationDate: Date(timeIntervalSince1970: Double(ms) / 1000)], ofItemAtPath: path)
        }
        let options = DecodeOptions(year: assume["year"] as? Int, timeZone: assume["timezone"] as? String ?? "UTC")
        let summary = try Ingestor(databasePath: db, options: options).ingest(paths: [path])
        #expect(summary.failedFiles == 0, "\(summary.files.map(\.status))")
        let f = sqlQuote(path)

        // detection
        let format = try rows(db, "SELECT format FROM v_files WHERE file = \(f)")
        #expect(format.first?.first == expected["format"] as? String, "format")
        #expect(summary.files.first?.stats.skipped == expected["skipped"] as? Int ?? 0, "skipped")

        // records, events, rejected
        let counts = try rows(db, "SELECT count(DISTINCT line), count(*) FROM v_events WHERE file = \(f)")[0]
        #expect(Int(counts[0]) == expected["records"] as? Int, "records")
        #expect(Int(counts[1]) == expected["events"] as? Int, "events")
        let rejected = try rows(db, "SELECT count(*) FROM v_parse_issues WHERE file = \(f) AND kind NOT IN ('nul-bytes', 'invalid-utf8')")[0][0]
        #expect(Int(rejected) == expected["rejected"] as? Int, "rejected")

        // encoding and compression
        guard let fileRow = try rows(db, "SELECT encoding, compression FROM v_files WHERE file = \(f)").first else {
            Issue.record("\(path) was not ingested: \(summary.files.map(\.status))")
            return
        }
        #expect(fileRow[0] == expected["encoding"] as? String)
        #expect(fileRow[1] == expected["compression"] as? String)

        // kinds
        var kinds: [String: Int] = [:]
        for r in try rows(db, "SELECT kind, count(*) FROM v_events WHERE file = \(f) GROUP BY kind") { kinds[r[0]] = Int(r[1]) }
        #expect(kinds == (expected["kinds"] as? [String: Int] ?? [:]), "kinds")

        // status groups (outer codes), as a multiset
        // (Postfix: the connector is not compared, rule N1.)
        let isPostfix = expected["format"] as? String == "postfix"
        var status: [String: Int] = [:]
        for r in try rows(db, """
            SELECT kind, connector, reply_code, enhanced_code, count(*) FROM v_events WHERE file = \(f)
            AND kind IN ('deferred', 'failed', 'expired', 'dropped') GROUP BY 1, 2, 3, 4
            """) { status["\(r[0])|\(isPostfix ? "-" : r[1])|\(r[2])|\(r[3])", default: 0] += Int(r[4])! }
        var expectedStatus: [String: Int] = [:]
        for g in expected["status"] as? [[String: Any]] ?? [] {
            let connector = isPostfix ? "-" : g["connector"] as? String ?? "NULL"
            let key = "\(g["kind"]!)|\(connector)|\((g["reply"] as? Int).map(String.init) ?? "NULL")|\(g["enhanced"] as? String ?? "NULL")"
            expectedStatus[key, default: 0] += g["count"] as! Int
        }
        #expect(status == expectedStatus, "status")

        // root causes per event (dns:... counts as dns, tls:... as tls)
        var causes: [String: Int] = [:]
        for r in try rows(db, "SELECT root_cause, count(*) FROM v_events WHERE file = \(f) AND kind IN ('deferred', 'failed', 'expired') GROUP BY 1") {
            var key = r[0]
            if key.hasPrefix("dns:") { key = "dns" }
            if key.hasPrefix("tls:") { key = "tls" }
            causes[key, default: 0] += Int(r[1])!
        }
        #expect(causes == (expected["root_causes"] as? [String: Int] ?? [:]), "root causes")

        // expired messages
        let exp = expected["expired"] as? [String: Any] ?? [:]
        let expiredRows = try rows(db, "SELECT message_id, recipient, root_cause FROM v_expired ORDER BY 1, 2")
        // Distinct messages: by Message-ID, or by queue id for Postfix (its Message-ID may be unknown).
        let expiredMessages = try rows(db, "SELECT count(DISTINCT coalesce(queue_id, message_id)) FROM v_expired")[0][0]
        #expect(Int(expiredMessages) == exp["messages"] as? Int, "expired messages")
        let expectedList = (exp["list"] as? [[String: Any]] ?? []).map {
            [$0["message_id"] as? String ?? "NULL", $0["recipient"] as? String ?? "NULL", $0["root_cause"] as? String ?? "NULL"]
        }.sorted { $0.lexicographicallyPrecedes($1) }
        #expect(expiredRows.sorted { $0.lexicographicallyPrecedes($1) } == expectedList, "expired list")

        // issues: each expected (line, offset, kind) reported at least as often
        var found: [String: Int] = [:]
        for r in try rows(db, "SELECT line, byte_offset, kind FROM v_parse_issues WHERE file = \(f)") { found[r.joined(separator: "|"), default: 0] += 1 }
        var wanted: [String: Int] = [:]
        for i in expected["issues"] as? [[String: Any]] ?? [] { wanted["\(i["line"]!)|\(i["line_offset"]!)|\(i["kind"]!)", default: 0] += 1 }
        for (key, n) in wanted { #expect(found[key, default: 0] >= n, "issue \(key)") }

        // time range
        if let range = expected["time_range"] as? [String: String] {
            let r = try rows(db, "SELECT min(time_utc), max(time_utc) FROM v_events WHERE file = \(f)")[0]
            #expect(r[0] == range["first"], "first time")
            #expect(r[1] == range["last"], "last time")
        }
    }
}
