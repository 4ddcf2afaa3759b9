import Foundation
import Testing

/// One folder holding a small file of every supported format (`Fixtures/every-format/`,
/// hand-written: documentation domains and addresses) goes in with one command, and the
/// report shows all of them. The expected values below were counted by hand from the files
/// and the counting rules in the README.
@Suite("every format in one folder", .serialized)
struct EveryFormatTests {
    static let folder = packageRoot.appendingPathComponent("Tests/EndToEndTests/Fixtures/every-format")

    /// file -> format, encoding, compression, records, events
    static let files: [String: [String]] = [
        "MSGTRK20261102-1.LOG": ["exchange-message-tracking", "utf-8-bom", "none", "3", "3"],
        "tracking-export.csv": ["exchange-message-tracking-csv", "utf-8", "none", "2", "2"],
        "SEND20261102-1.LOG": ["exchange-smtp-protocol", "utf-8", "none", "4", "4"],
        "rotated.2": ["exchange-connectivity", "utf-8", "gzip", "4", "4"],
        "trace.json": ["exo-message-trace", "utf-8", "none", "2", "2"],
        "trace-detail.csv": ["exo-message-trace-detail", "utf-8", "none", "3", "3"],
        "extended.csv": ["exo-historical-extended", "utf-16le-bom", "none", "2", "2"],
        "enhanced.csv": ["exo-historical-enhanced-summary", "utf-16le", "none", "1", "2"],
        "maillog": ["postfix", "utf-8", "none", "5", "5"],
    ]

    struct Run {
        var db: URL
        var report: URL
        var ingest: RunResult
        var reportRun: RunResult
    }

    static let run: Result<Run, Error> = Result {
        let dir = scratchFolder("mailflow-every-format")
        let db = dir.appendingPathComponent("m.db")
        let report = dir.appendingPathComponent("report")
        let ingest = try Mailflow.run(["ingest", folder.path, "--db", db.path, "--year", "2026", "--timezone", "UTC"])
        let reportRun = try Mailflow.run(["report", "--db", db.path, "--since", "all", "--out", report.path])
        return Run(db: db, report: report, ingest: ingest, reportRun: reportRun)
    }

    @Test func oneCommandIngestsEveryFormat() throws {
        let run = try Self.run.get()
        #expect(run.ingest.status == 0, "\(run.ingest)")
        #expect(run.ingest.stdout.contains("ingested 9 file(s)"), "\(run.ingest)")
        var got: [String: [String]] = [:]
        for r in try Mailflow.sql(run.db, "SELECT file, format, encoding, compression, records, events FROM v_files") {
            got[URL(fileURLWithPath: text(r["file"])).lastPathComponent] = ["format", "encoding", "compression", "records", "events"].map { text(r[$0]) }
        }
        #expect(got == Self.files)
        // The Postfix file's dovecot line is skipped, not an issue.
        #expect(try Mailflow.int(run.db, "SELECT skipped FROM v_files WHERE file LIKE '%/maillog'") == 1)
        // How zone-less and yearless times were read is recorded per file.
        let rules = try Mailflow.sql(run.db, "SELECT file, time_rule FROM v_files WHERE time_rule IS NOT NULL")
        var byFile: [String: String] = [:]
        for r in rules { byFile[URL(fileURLWithPath: text(r["file"])).lastPathComponent] = text(r["time_rule"]) }
        #expect(Set(byFile.keys) == ["tracking-export.csv", "trace-detail.csv", "maillog"], "\(byFile)")
        #expect(byFile["trace-detail.csv"]?.contains("read as UTC") == true, "\(byFile)")
        #expect(byFile["tracking-export.csv"]?.contains("UTC") == true)
        #expect(byFile["maillog"]?.contains("2026") == true, "\(byFile)")
        #expect(try Mailflow.int(run.db, "SELECT count(*) FROM v_parse_issues") == 0)
    }

    @Test func oneVocabularyAcrossFormats() throws {
        let run = try Self.run.get()
        let rows = try Mailflow.sql(run.db, """
            SELECT kind, coalesce(connector, '-') AS connector, coalesce(reply_code, '-') AS reply,
                   coalesce(enhanced_code, '-') AS enhanced, root_cause, count(*) AS n
            FROM v_events WHERE kind IN ('deferred', 'failed', 'expired') GROUP BY 1, 2, 3, 4, 5
            """)
        let got = Set(rows.map { r in ["kind", "connector", "reply", "enhanced", "root_cause", "n"].map { text(r[$0]) }.joined(separator: "|") })
        #expect(got == [
            "deferred|Outbound to Contoso|451|4.4.0|4.4.0|1",          // tracking log DEFER
            "deferred|To Partner Fabrikam|450|4.4.316|4.4.316|1",     // Export-Csv DEFER
            "expired|To Partner Fabrikam|550|4.4.7|4.4.316|1",        // Export-Csv FAIL, cause of the DEFER before it
            "deferred|Outbound to Contoso|451|4.7.0|4.7.0|1",         // protocol log '<' 451
            "deferred|-|-|-|socket:10060|1",                          // connectivity '(Retry', TimedOut:0000274C
            "deferred|-|-|-|unknown|1",                               // message trace Pending
            "deferred|-|450|4.4.316|4.4.316|1",                       // detail Defer
            "deferred|Outbound to OnPrem|450|4.4.317|4.4.317|1",      // Extended DEFER
            "failed|-|-|-|unknown|1",                                 // Enhanced summary 'Receive, Fail'
            "deferred|smtp:[mx1.contoso.test]|-|4.4.1|4.4.1|1",       // Postfix status=deferred
        ])
        #expect(try Mailflow.int(run.db, "SELECT count(*) FROM v_events") == 27)
        let expired = try Mailflow.sql(run.db, "SELECT message_id, recipient, root_cause FROM v_expired")
        #expect(expired.map { [text($0["message_id"]), text($0["recipient"]), text($0["root_cause"])] } == [["<e1@example.com>", "dan@fabrikam.test", "4.4.316"]])
        // Postfix: the deferral then the delivery of the same queue id end the lifecycle as delivered.
        #expect(try Mailflow.int(run.db, """
            SELECT count(*) FROM delivery x JOIN message m ON m.id = x.message_ref
            WHERE m.queue_id = '7C1A2B3D4E' AND m.message_id = '<p1@example.com>' AND x.outcome = 'delivered'
            """) == 1)
    }

    @Test func reportShowsEveryFile() throws {
        let run = try Self.run.get()
        #expect(run.reportRun.status == 0, "\(run.reportRun)")
        let json = try reportJSON(run.report)
        let health = try #require(json["parse_health"] as? [String: Any])
        let files = try #require(health["files"] as? [[String: Any]])
        var formats: [String: String] = [:]
        for f in files { formats[URL(fileURLWithPath: text(f["file"])).lastPathComponent] = text(f["format"]) }
        #expect(formats == Self.files.mapValues { $0[0] })
        let html = try readText(run.report.appendingPathComponent("report.html"))
        for (name, values) in Self.files {
            #expect(html.contains(name), "report.html names \(name)")
            #expect(html.contains(values[0]), "report.html names format \(values[0])")
        }
    }

    @Test func dryRunDecodesEverythingAndStoresNothing() throws {
        let dir = scratchFolder("mailflow-dry-run")
        let db = dir.appendingPathComponent("never.db")
        let r = try Mailflow.run(["ingest", "--dry-run", Self.folder.path, "--db", db.path, "--year", "2026"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("dry run (nothing stored): read 9 file(s)") && r.stdout.contains("26 records, 27 events, 0 rejected"), "\(r)")
        #expect(!FileManager.default.fileExists(atPath: db.path))
        // Each file's detection is on standard error.
        #expect(r.stderr.contains("rotated.2: exchange-connectivity, utf-8, gzip: 4 records, 4 events"), "\(r)")
    }
}
