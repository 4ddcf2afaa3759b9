import Foundation
import Testing

@Suite("end to end: ingest, exit codes, read-only sql")
struct IngestTests {
    @Test func reingestSkipsFilesAndChangesNothing() throws {
        let dir = scratchFolder("mailflow-e2e-again")
        defer { try? FileManager.default.removeItem(at: dir) }
        let logs = sampleLogs
        let db = dir.appendingPathComponent("m.db")
        let first = try Mailflow.run(["ingest", logs.path, "--db", db.path])
        #expect(first.status == 0, "\(first)")
        let before = try snapshotViews(db)
        #expect(before["v_events"]?.count == asInt(try expectedSample()["events"]))

        let again = try Mailflow.run(["ingest", logs.path, "--db", db.path])
        #expect(again.status == 0, "\(again)")
        #expect(again.stdout.lowercased().contains("skipped"), "\(again)")
        #expect(again.stdout.range(of: #"\b7\b"#, options: .regularExpression) != nil, "says 7 files: \(again)")
        #expect(try snapshotViews(db) == before)

        // The same content under another name is recognised too (content fingerprint).
        let copy = dir.appendingPathComponent("renamed.log")
        try FileManager.default.copyItem(at: try #require(try sampleLogFiles().last), to: copy)
        let renamed = try Mailflow.run(["ingest", copy.path, "--db", db.path, "--json"])
        #expect(renamed.status == 0, "\(renamed)")
        let summary = try JSONSerialization.jsonObject(with: Data(renamed.stdout.utf8)) as? [String: Any]
        #expect(asInt(summary?["skipped"]) == 1, "\(renamed)")
        #expect(asInt(summary?["events"]) == 0, "\(renamed)")
        #expect(try snapshotViews(db) == before)
    }

    @Test func missingPathIsNamedAndFails() throws {
        let dir = scratchFolder("mailflow-e2e-missing")
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = try #require(try sampleLogFiles().first)
        let missing = dir.appendingPathComponent("no-such-file.log").path
        let r = try Mailflow.run(["ingest", good.path, missing, "--db", dir.appendingPathComponent("m.db").path])
        #expect(r.status != 0, "\(r)")
        #expect(r.status != 3, "\(r)")
        #expect(r.stderr.contains("no-such-file.log"), "\(r)")
    }

    @Test func junkFileAmongGoodOnesExitsOneAndKeepsTheGoodOnes() throws {
        let dir = scratchFolder("mailflow-e2e-junk")
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = try sampleLogFiles()
        let a = try #require(files.first), b = try #require(files.last)
        let junk = dir.appendingPathComponent("notes.txt")
        try Data("shopping list\r\neggs, milk\r\nthis is not a message tracking log\r\n".utf8).write(to: junk)
        let db = dir.appendingPathComponent("m.db")
        let r = try Mailflow.run(["ingest", a.path, junk.path, b.path, "--db", db.path])
        #expect(r.status == 1, "\(r)")
        #expect(r.stderr.contains("notes.txt"), "\(r)")

        let x = try expectedSample()
        let perFile = Dictionary(uniqueKeysWithValues: (x["files"] as? [[String: Any]] ?? []).map { (text($0["file"]), $0) })
        let rows = try Mailflow.sql(db, "SELECT file, records, events FROM v_files")
        #expect(Set(rows.map { URL(fileURLWithPath: text($0["file"])).lastPathComponent }) == [a.lastPathComponent, b.lastPathComponent])
        let wantEvents = [a, b].compactMap { asInt(perFile[$0.lastPathComponent]?["events"]) }.reduce(0, +)
        #expect(wantEvents > 0)
        #expect(try Mailflow.int(db, "SELECT count(*) FROM v_events") == wantEvents)
    }

    /// A folder walk ignores files that are not logs (sample-logs/ also holds README.md and
    /// EXPECTED.json); only inputs named on the command line count as failures.
    @Test func folderWalkIgnoresNonLogFiles() throws {
        let dir = scratchFolder("mailflow-e2e-folder")
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("m.db")
        let r = try Mailflow.run(["ingest", sampleLogs.path, "--db", db.path, "--json"])
        #expect(r.status == 0, "\(r)")
        let summary = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect(asInt(summary?["ingested"]) == 7, "\(r)")
        #expect(asInt(summary?["failed"]) == 0, "\(r)")
        #expect(asInt(summary?["ignored"]) == 2, "\(r)")
        #expect(try Mailflow.int(db, "SELECT count(*) FROM v_files") == 7)
        #expect(try Mailflow.int(db, "SELECT count(*) FROM v_events") == asInt(try expectedSample()["events"]))
    }

    @Test func rejectedLineExitsThreeAndIsLocated() throws {
        let b = try TrackingLogBuilder(copyingHeaderOf: try #require(try sampleLogFiles().first))
        let good1 = b.record(["date-time": "2026-11-16T10:00:00.000Z", "connector-id": "Out", "source": "SMTP", "event-id": "SEND",
                              "message-id": "<a@example.com>", "recipient-address": "a@contoso.test", "recipient-status": "250 2.1.5 OK"])
        // 12 fields instead of 30: a ragged row.
        let ragged = "2026-11-16T10:00:01.000Z,,,,EX19-01,,Out,SMTP,SEND,1,<b@example.com>,b@contoso.test\r\n"
        let good2 = b.record(["date-time": "2026-11-16T10:00:02.000Z", "connector-id": "Out", "source": "SMTP", "event-id": "SEND",
                              "message-id": "<c@example.com>", "recipient-address": "c@contoso.test", "recipient-status": "250 2.1.5 OK"])
        let text = b.header + good1 + ragged + good2
        let raggedLine = b.header.utf8.filter { $0 == 0x0A }.count + 2
        let raggedOffset = (b.header + good1).utf8.count

        let dir = scratchFolder("mailflow-e2e-ragged")

        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("MSGTRK20261116-9.LOG")
        try Data(text.utf8).write(to: log)
        let db = dir.appendingPathComponent("m.db")
        let r = try Mailflow.run(["ingest", log.path, "--db", db.path])
        #expect(r.status == 3, "\(r)")

        let issues = try Mailflow.sql(db, "SELECT file, line, byte_offset, kind FROM v_parse_issues")
        #expect(issues.map { key($0, ["file", "line", "byte_offset", "kind"]) } == ["\(log.path)|\(raggedLine)|\(raggedOffset)|ragged-row"])
        #expect(try Mailflow.int(db, "SELECT count(*) FROM v_events") == 2)
        #expect(try Mailflow.int(db, "SELECT count(*) FROM v_events WHERE line = \(raggedLine)") == 0)
    }

    @Test func sqlRefusesWrites() throws {
        let run = try SampleRun.get()
        // A copy, so that a failure here cannot disturb the other tests.
        let dir = scratchFolder("mailflow-e2e-ro")
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("copy.db")
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: run.db.path + suffix) {
            try FileManager.default.copyItem(atPath: run.db.path + suffix, toPath: db.path + suffix)
        }
        let before = try snapshotViews(db)
        let events = try Mailflow.int(db, "SELECT count(*) FROM event")
        #expect(events == asInt(try expectedSample()["events"]))
        let vacuumTarget = dir.appendingPathComponent("vacuum.db")
        for statement in [
            "DELETE FROM event", "UPDATE event SET line = 0", "INSERT INTO connector(name) VALUES ('x')",
            "DROP VIEW v_events", "CREATE TABLE t(x)", "PRAGMA user_version = 99", "WITH x AS (SELECT 1) DELETE FROM event",
            "VACUUM INTO '\(vacuumTarget.path)'", "BEGIN IMMEDIATE",
        ] {
            let r = try Mailflow.run(["sql", "--db", db.path, statement])
            #expect(r.status != 0, "\(r)")
            #expect(!r.stderr.isEmpty, "says why: \(r)")
        }
        #expect(!FileManager.default.fileExists(atPath: vacuumTarget.path))
        #expect(try Mailflow.int(db, "SELECT count(*) FROM event") == events)
        #expect(try Mailflow.int(db, "SELECT user_version FROM pragma_user_version") == 2)
        #expect(try snapshotViews(db) == before)
    }

    @Test func usageErrorsExit64() throws {
        let dir = scratchFolder("mailflow-e2e-usage")
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("m.db").path
        for args in [
            ["ingest", "--no-such-option", "x.log", "--db", db],
            ["report", "--db", db, "--bogus"],
            ["sql", "--db", db, "--format", "xml", "SELECT 1"],
            ["status", "--db", db, "--frobnicate"],
            ["ingest", "--db", db],
            ["no-such-command"],
        ] {
            let r = try Mailflow.run(args, in: dir)
            #expect(r.status == 64, "\(r)")
            #expect(!r.stderr.isEmpty, "\(r)")
        }
        // A usage error writes no database.
        #expect(!FileManager.default.fileExists(atPath: db))
    }

    @Test func schemaAndStatus() throws {
        let run = try SampleRun.get()
        let schema = try Mailflow.run(["sql", "--schema"])
        #expect(schema.status == 0)
        for view in ["v_events", "v_expired", "v_connector_daily", "v_top_causes", "v_parse_issues", "v_files"] {
            #expect(schema.stdout.contains("VIEW IF NOT EXISTS \(view) "), "sql --schema documents \(view)")
        }
        let status = try Mailflow.run(["status", "--db", run.db.path])
        #expect(status.status == 0, "\(status)")
        #expect(status.stdout.contains("2873"), "\(status)")
        #expect(status.stdout.contains("2026-11-16T03:54:51.881Z"), "\(status)")
    }
}
