import Foundation
import MailflowCore
import Testing

/// A small authored message tracking log (documentation domains only).
let smallLog = """
\u{FEFF}#Software: Microsoft Exchange Server\r
#Version: 15.02.1544.004\r
#Log-type: Message Tracking Log\r
#Fields: date-time,connector-id,source,event-id,message-id,recipient-address,recipient-status,sender-address\r
2026-11-16T10:00:00.000Z,EX\\Default,SMTP,RECEIVE,<m1@example.com>,a@contoso.test;b@fabrikam.test,To;Cc,s@example.com\r
2026-11-16T10:00:05.000Z,Out,SMTP,DEFER,<m1@example.com>,a@contoso.test,'[{LED=451 4.4.0 DNS query failed};{MSG=};{FQDN=mx.contoso.test};{IP=};{LRT=}]',s@example.com\r
2026-11-16T10:00:06.000Z,Out,SMTP,SEND,<m1@example.com>,b@fabrikam.test,250 2.1.5 Recipient OK,s@example.com\r
2026-11-17T23:59:59.999Z,Out,SMTP,DEFER,<m1@example.com>,a@contoso.test,'[{LED=441 4.4.1 Failed to connect. Winsock error code: 10061};{MSG=};{FQDN=mx.contoso.test};{IP=192.0.2.9};{LRT=}]',s@example.com\r
2026-11-18T10:00:05.000Z,Out,QUEUE,FAIL,<m1@example.com>,a@contoso.test,'550 4.4.7 QUEUE.Expired; message expired',s@example.com\r
2026-11-18T11:00:00.000Z,Out,SMTP,FAIL,<m2@example.com>,c@contoso.test,[{LED=550 5.1.1 User unknown};{MSG=};{FQDN=mx.contoso.test};{IP=192.0.2.9};{LRT=}],s@example.com\r

"""

func writeSmallLog(_ dir: String, name: String = "MSGTRK20261116-1.LOG", text: String = smallLog) -> String {
    let path = dir + "/" + name
    FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    return path
}

/// Every view, fully, for comparing two databases.
func snapshot(_ db: String) throws -> [String: [[String]]] {
    var out: [String: [[String]]] = [:]
    for view in ["v_events", "v_expired", "v_connector_daily", "v_top_causes", "v_parse_issues"] {
        out[view] = try rows(db, "SELECT * FROM \(view) ORDER BY 1, 2, 3, 4")
    }
    out["v_files"] = try rows(db, "SELECT file, format, encoding, compression, bytes, records, events, issues, first_utc, last_utc FROM v_files ORDER BY 1")
    return out
}

@Suite("store")
struct StoreTests {
    @Test func smallLogCounts() throws {
        let dir = temporaryDirectory()
        let log = writeSmallLog(dir)
        let db = dir + "/m.db"
        let summary = try Ingestor(databasePath: db).ingest(paths: [log])
        #expect(summary.records == 6)
        #expect(summary.events == 7)  // the RECEIVE has two recipients
        let expired = try rows(db, "SELECT message_id, recipient, recipient_domain, connector, queue_seconds, attempts, root_cause FROM v_expired")
        // Root cause of the expiry = the latest earlier deferral (Winsock 10061 inside 4.4.1 -> 4.4.1).
        #expect(expired == [["<m1@example.com>", "a@contoso.test", "contoso.test", "Out", "172805", "2", "4.4.1"]])
        let causes = try rows(db, "SELECT root_cause, category, events, messages FROM v_top_causes")
        #expect(causes == [["4.4.1", "connection", "2", "1"], ["4.4.0", "transient-other", "1", "1"], ["5.1.1", "recipient", "1", "1"]])
        let hosts = try rows(db, "SELECT remote_host, remote_ip FROM v_events WHERE raw_event = 'FAIL' AND message_id = '<m2@example.com>'")
        #expect(hosts == [["mx.contoso.test", "192.0.2.9"]])
    }

    @Test func secondIngestAddsNothing() throws {
        let dir = temporaryDirectory()
        let log = writeSmallLog(dir)
        let db = dir + "/m.db"
        _ = try Ingestor(databasePath: db).ingest(paths: [log])
        let before = try snapshot(db)
        let again = try Ingestor(databasePath: db).ingest(paths: [log, dir])
        #expect(again.ingestedFiles == 0)
        #expect(again.skippedFiles == 2)
        #expect(try snapshot(db) == before)
    }

    /// v_connector_daily (kept as rollups) must equal a GROUP BY over v_events, also when
    /// one day's events arrive in two files in separate runs.
    @Test func rollupsEqualEventsAcrossFiles() throws {
        let dir = temporaryDirectory()
        let lines = smallLog.components(separatedBy: "\r\n")
        let header = lines[0..<4].joined(separator: "\r\n") + "\r\n"
        let first = header + lines[4..<6].joined(separator: "\r\n") + "\r\n"
        let second = header + lines[6..<10].joined(separator: "\r\n") + "\r\n"
        let a = writeSmallLog(dir, name: "a.log", text: first)
        let b = writeSmallLog(dir, name: "b.log", text: second)
        let split = dir + "/split.db"
        _ = try Ingestor(databasePath: split).ingest(paths: [a])
        _ = try Ingestor(databasePath: split).ingest(paths: [b])
        let grouped = """
            SELECT substr(time_utc, 1, 10), connector, kind, enhanced_code, count(*), count(DISTINCT message_id)
            FROM v_events GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
            """
        let fromView = "SELECT day, connector, kind, enhanced_code, events, messages FROM v_connector_daily ORDER BY 1, 2, 3, 4"
        #expect(try rows(split, fromView) == rows(split, grouped))
        let whole = dir + "/whole.db"
        _ = try Ingestor(databasePath: whole).ingest(paths: [writeSmallLog(dir)])
        #expect(try rows(split, fromView) == rows(whole, fromView))
        #expect(try rows(split, "SELECT * FROM v_expired") == rows(whole, "SELECT * FROM v_expired"))
    }

    @Test func unrecognisedFileFailsAloneAndOthersAreKept() throws {
        let dir = temporaryDirectory()
        let log = writeSmallLog(dir)
        let junk = dir + "/notes.txt"
        FileManager.default.createFile(atPath: junk, contents: Data("hello, world\n".utf8))
        let summary = try Ingestor(databasePath: dir + "/m.db").ingest(paths: [junk, log])
        #expect(summary.failedFiles == 1)
        #expect(summary.ingestedFiles == 1)
        #expect(summary.events == 7)
    }

    @Test func schemaFileIsEmbedded() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let onDisk = try String(contentsOf: root.appendingPathComponent("schema.sql"), encoding: .utf8)
        #expect(Schema.sql == onDisk)
    }
}

@Suite("knowledge base")
struct KnowledgeBaseTests {
    @Test func everyReferenceRowIsLoaded() throws {
        let kb = KnowledgeBase.shared
        // 197 rows of status-codes.md section 11, plus dns, tls and unknown.
        #expect(kb.rows.count == 200)
        let reference = Corpus.root + "/../reference/status-codes.md"
        if let text = try? String(contentsOfFile: reference, encoding: .utf8),
           let start = text.range(of: "```tsv\n"), let end = text.range(of: "```", range: start.upperBound..<text.endIndex)
        {
            let codes = text[start.upperBound..<end.lowerBound].split(separator: "\n").dropFirst().map { String($0.split(separator: "\t")[0]) }
            #expect(codes.count == 197)
            for code in codes { #expect(kb.rows.contains { $0.code == code }, "\(code)") }
        } else {
            print("note: ../shared/reference/status-codes.md not found; row-by-row check skipped")
        }
        #expect(kb.info(for: "4.7.555")?.listedAs == "4.7.500-699")
        #expect(kb.info(for: "5.7.708")?.listedAs == "5.7.708")
        #expect(kb.info(for: "dns:nxdomain")?.code == "dns")
    }

    @Test func mailFlowIntelligenceCodesAreExplained() {
        let e = Explanation("4.4.316")
        #expect(e.entries.first?.title == "Connection refused")
        #expect(e.render().contains("Microsoft 365 IP ranges on port 25"))
        let line = Explanation("450 4.4.316 Connection refused [Message=Socket error code 10061]")
        #expect(line.replyCode == 450)
        #expect(line.rootCause == "4.4.316")
        #expect(Explanation("5.9.999").known == true)
        #expect(Explanation("nothing to see").known == false)
    }
}

@Suite("report")
struct ReportTests {
    @Test func reportFilesAgreeWithTheViews() throws {
        let dir = temporaryDirectory()
        let db = dir + "/m.db"
        _ = try Ingestor(databasePath: db).ingest(paths: [writeSmallLog(dir)])
        let out = dir + "/report"
        let written = try ReportWriter.write(databasePath: db, window: ReportWindow(spec: .all), outputDirectory: out)
        for name in ["report.html", "connector_daily.csv", "expired.csv", "top_causes.csv", "report.json"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + name), "\(name)")
        }
        let m = written.model
        #expect(m.days == ["2026-11-16", "2026-11-17", "2026-11-18"])
        #expect(m.headline.events == 7)
        #expect(m.headline.deferred == 2)
        #expect(m.headline.expired == 1)
        #expect(m.expired.map { $0.recipient ?? "" } == ["a@contoso.test"])
        #expect(m.causes.map { $0.rootCause } == ["4.4.1", "4.4.0", "5.1.1"])
        #expect(m.connectors.first?.name == "Out")
        #expect(m.connectors.first?.nextHop == "mx.contoso.test")
        let csv = try String(contentsOfFile: out + "/connector_daily.csv", encoding: .utf8)
        let lines = csv.split(separator: "\r\n")
        #expect(lines.first == "day,connector,kind,enhanced_code,events,messages")
        #expect(lines.count - 1 == (try rows(db, "SELECT count(*) FROM v_connector_daily"))[0].first.flatMap { Int($0) })
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(!html.contains("<script"))
        #expect(html.contains("<svg"))
    }

    /// A record with a wrong far-future date neither moves the window nor empties it.
    @Test func farFutureRecordDoesNotMoveTheWindow() throws {
        let dir = temporaryDirectory()
        let db = dir + "/m.db"
        let header = smallLog.components(separatedBy: "\r\n")[0..<4].joined(separator: "\r\n") + "\r\n"
        let future = writeSmallLog(dir, name: "future.log", text: header + "2099-01-01T00:00:00.000Z,Out,SMTP,DEFER,<f@example.com>,z@contoso.test,451 4.4.0 DNS,s@example.com\r\n")
        _ = try Ingestor(databasePath: db).ingest(paths: [writeSmallLog(dir), future])
        let written = try ReportWriter.write(databasePath: db, window: try ReportWindow.parse(since: "7d", from: nil, to: nil), outputDirectory: dir + "/r")
        #expect(written.model.lastDay == "2026-11-18")
        #expect(written.model.headline.events == 7)
    }

    @Test func htmlEscapesLogText() {
        #expect(HTMLReport.escape("<script>alert('x') & \"y\"</script>") == "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;")
        #expect(CSVWriter.cell("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(CSVWriter.cell("-5") == "-5")
    }
}

/// A log that grows between two runs is continued where the first run stopped: the second
/// run adds only the new records, whether the first run ended on a line end or inside a
/// partly written line.
@Suite("growing files")
struct GrowingFileTests {
    func check(cutInsideLine: Bool) throws {
        let dir = temporaryDirectory()
        let full = Array(smallLog.utf8)
        // Cut after the 6th line end (header + 2 records), or 20 bytes into the next line.
        var ends: [Int] = []
        for i in 0..<(full.count - 1) where full[i] == 13 && full[i + 1] == 10 { ends.append(i + 2) }
        let cut = ends[5] + (cutInsideLine ? 20 : 0)
        let path = dir + "/MSGTRK20261116-1.LOG"
        FileManager.default.createFile(atPath: path, contents: Data(full[0..<cut]))
        let db = dir + "/grow.db"
        let first = try Ingestor(databasePath: db).ingest(paths: [path])
        #expect(first.records == 2)
        #expect(first.issues == (cutInsideLine ? 1 : 0))
        FileManager.default.createFile(atPath: path, contents: Data(full))
        let second = try Ingestor(databasePath: db).ingest(paths: [path])
        #expect(second.ingestedFiles == 1)
        #expect(second.records == 4, "only the records after the first run's stopping point")
        let third = try Ingestor(databasePath: db).ingest(paths: [path])
        #expect(third.skippedFiles == 1)

        let whole = dir + "/whole.db"
        let copy = dir + "/copy/MSGTRK20261116-1.LOG"
        try FileManager.default.createDirectory(atPath: dir + "/copy", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: copy, contents: Data(full))
        _ = try Ingestor(databasePath: whole).ingest(paths: [copy])
        let columns = "time_utc, kind, raw_event, connector, message_id, recipient, reply_code, enhanced_code, root_cause, line"
        #expect(try rows(db, "SELECT \(columns) FROM v_events ORDER BY time_ms, recipient") == rows(whole, "SELECT \(columns) FROM v_events ORDER BY time_ms, recipient"))
        #expect(try rows(db, "SELECT * FROM v_expired") == rows(whole, "SELECT * FROM v_expired"))
        #expect(try rows(db, "SELECT * FROM v_connector_daily ORDER BY 1, 2, 3, 4") == rows(whole, "SELECT * FROM v_connector_daily ORDER BY 1, 2, 3, 4"))
        #expect(try rows(db, "SELECT count(*) FROM v_parse_issues") == [["0"]])
        #expect(try rows(db, "SELECT records, events, issues FROM v_files") == [["6", "7", "0"]])
    }

    @Test func grownAfterALineEnd() throws { try check(cutInsideLine: false) }
    @Test func grownInsideAPartialLine() throws { try check(cutInsideLine: true) }

    @Test func sameSizeAndHeadButDifferentContentIsNotSkipped() throws {
        let dir = temporaryDirectory()
        let path = writeSmallLog(dir)
        let db = dir + "/m.db"
        _ = try Ingestor(databasePath: db).ingest(paths: [path])
        // Same length, same first bytes, one event name changed near the end.
        let changed = smallLog.replacingOccurrences(of: "11:00:00.000Z,Out,SMTP,FAIL", with: "11:00:00.000Z,Out,SMTP,DROP")
        let other = dir + "/other/MSGTRK20261116-1.LOG"
        try FileManager.default.createDirectory(atPath: dir + "/other", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: other, contents: Data(changed.utf8))
        let again = try Ingestor(databasePath: db).ingest(paths: [other])
        #expect(again.ingestedFiles == 1)
    }
}

@Suite("inputs that are not ours")
struct ForeignInputTests {
    @Test func markdownMentioningTheHeaderIsNotALog() {
        let text = "# Index\n\n| file | header |\n| --- | --- |\n| a.log | `#Log-type: Message Tracking Log` |\n"
        #expect(FormatDetector.detect(Array(text.utf8)) == nil)
        let crlf = "#Software: Microsoft Exchange Server\r\n#Version: 15.02\r\n#Log-type: Message Tracking Log\r\n"
        #expect(FormatDetector.detect(Array(crlf.utf8))?.format == .exchangeMessageTracking)
    }

    @Test func anotherProgramsDatabaseIsRefused() throws {
        let dir = temporaryDirectory()
        let path = dir + "/other.db"
        do {
            let other = try Database(path: path)
            try other.execute("CREATE TABLE foo(x); INSERT INTO foo VALUES (1)")
        }
        let before = FileManager.default.contents(atPath: path)
        #expect(throws: Schema.Failure.self) { _ = try Ingestor(databasePath: path) }
        #expect(throws: Schema.Failure.self) { _ = try QueryRunner.run(databasePath: path, sql: "SELECT 1") }
        #expect(FileManager.default.contents(atPath: path) == before, "the other program's file is left as it was")
    }
}

/// Two ingests of one database, the second opened before the first commits: the second
/// must see the first's messages and names (ids given in memory must not clash).
@Test func secondWriterReloadsWhatTheFirstCommitted() throws {
    let dir = temporaryDirectory()
    let lines = smallLog.components(separatedBy: "\r\n")
    let header = lines[0..<4].joined(separator: "\r\n") + "\r\n"
    let a = writeSmallLog(dir, name: "a.log", text: header + lines[4..<6].joined(separator: "\r\n") + "\r\n")
    let b = writeSmallLog(dir, name: "b.log", text: header + lines[6..<10].joined(separator: "\r\n") + "\r\n")
    let db = dir + "/two.db"
    let first = try Ingestor(databasePath: db)
    let second = try Ingestor(databasePath: db)
    #expect(try first.ingest(paths: [a]).failedFiles == 0)
    #expect(try second.ingest(paths: [b]).failedFiles == 0)
    #expect(try rows(db, "SELECT count(*), count(DISTINCT message_id) FROM v_events") == [["7", "2"]])
    #expect(try rows(db, "SELECT count(*) FROM message") == [["2"]])
    #expect(try rows(db, "SELECT recipient, root_cause FROM v_expired") == [["a@contoso.test", "4.4.1"]])
}
