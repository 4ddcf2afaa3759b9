import Foundation
import MailflowCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Regressions found by trying mailflow as a new user would and attacking it with bad input.
@Suite("regressions from the bad-input trial")
struct RegressionTests {
    @Test func damagedGzipKeepsEveryRecordBeforeTheDamage() throws {
        let dir = temporaryDirectory()
        let log = writeSmallLog(dir)
        let gz = Process()
        gz.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gz.arguments = ["gzip", "-k", log]
        try gz.run()
        gz.waitUntilExit()
        try #require(gz.terminationStatus == 0, "gzip is needed for this test")
        let whole = try #require(FileManager.default.contents(atPath: log + ".gz"))
        let cut = dir + "/cut.gz"
        FileManager.default.createFile(atPath: cut, contents: whole.prefix(whole.count - 4))  // CRC and size missing
        let db = dir + "/g.db"
        let summary = try Ingestor(databasePath: db).ingest(paths: [cut])
        #expect(summary.failedFiles == 1)
        #expect(summary.records == 6, "all six records decompressed before the damage are kept")
        #expect(try rows(db, "SELECT kind FROM v_parse_issues") == [["damaged-input"]])
    }

    @Test func specialFilesInAFolderAreSkipped() throws {
        let dir = temporaryDirectory()
        _ = writeSmallLog(dir)
        #expect(mkfifo(dir + "/zz.LOG", 0o644) == 0)
        let inputs = Ingestor.discover([dir])
        #expect(inputs.map { ($0.path as NSString).lastPathComponent } == ["MSGTRK20261116-1.LOG"])
    }

    @Test func storedIssuesAreCappedButAllCounted() throws {
        let dir = temporaryDirectory()
        let header = smallLog.components(separatedBy: "\r\n")[0..<4].joined(separator: "\r\n") + "\r\n"
        let path = writeSmallLog(dir, name: "junk.log", text: header + String(repeating: "x,y\r\n", count: 10_005))
        let db = dir + "/j.db"
        let summary = try Ingestor(databasePath: db).ingest(paths: [path])
        #expect(summary.rejected == 10_005)
        #expect(try rows(db, "SELECT count(*) FROM v_parse_issues") == [["10000"]])
        #expect(try rows(db, "SELECT issues FROM v_files") == [["10005"]])
    }

    @Test func sqlTakesOneReadOnlyStatement() throws {
        let dir = temporaryDirectory()
        let db = dir + "/s.db"
        _ = try Ingestor(databasePath: db).ingest(paths: [writeSmallLog(dir)])
        #expect(throws: QueryRunner.Failure.self) { _ = try QueryRunner.run(databasePath: db, sql: "SELECT 1; DELETE FROM event") }
        #expect(throws: QueryRunner.Failure.self) { _ = try QueryRunner.run(databasePath: db, sql: "  ") }
        #expect(throws: QueryRunner.Failure.self) { _ = try QueryRunner.run(databasePath: db, sql: "DELETE FROM event") }
        #expect(try rows(db, "SELECT count(*) FROM event") == [["7"]])
        let table = try QueryRunner.run(databasePath: db, sql: "SELECT NULL AS a, 'x' AS b UNION ALL SELECT 'long', 'y' UNION ALL SELECT 'e' || char(27) || '[31m', 'z'").alignedTable()
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines[2].firstIndex(of: "x").map { lines[2].distance(from: lines[2].startIndex, to: $0) }
            == lines[0].firstIndex(of: "b").map { lines[0].distance(from: lines[0].startIndex, to: $0) },
            "a NULL first cell keeps its column")
        #expect(!table.contains("\u{1B}"), "no raw escape character reaches the terminal")
    }

    @Test func hugeDurationsAreRefusedNotOverflowed() {
        #expect(throws: ReportWindow.Failure.self) { _ = try ReportWindow.parse(since: "99999999999999d", from: nil, to: nil) }
        #expect(throws: ReportWindow.Failure.self) { _ = try ReportWindow.parse(since: "0d", from: nil, to: nil) }
        #expect((try? ReportWindow.parse(since: "3650d", from: nil, to: nil)) != nil)
    }
}

/// A delivery still deferred when the logs end is listed as pending, and as overdue once it
/// has been queued longer than Exchange Server's 2-day expiry window.
@Test func pendingDeliveriesAtTheEndOfTheData() throws {
    let dir = temporaryDirectory()
    let header = smallLog.components(separatedBy: "\r\n")[0..<4].joined(separator: "\r\n") + "\r\n"
    let stuck = writeSmallLog(dir, name: "stuck.log", text: header
        + "2026-11-16T09:00:00.000Z,Out,SMTP,DEFER,<m3@example.com>,q@fabrikam.test,451 4.4.0 DNS query failed,s@example.com\r\n"
        + "2026-11-18T10:30:00.000Z,Out,SMTP,DEFER,<m4@example.com>,r@fabrikam.test,451 4.4.0 DNS query failed,s@example.com\r\n")
    let db = dir + "/p.db"
    _ = try Ingestor(databasePath: db).ingest(paths: [writeSmallLog(dir), stuck])
    let m = try ReportModel.build(databasePath: db, window: ReportWindow(spec: .all))
    #expect(m.dataEndUTC == "2026-11-18T11:00:00.000Z")
    #expect(m.pending.map { $0.recipient ?? "" } == ["q@fabrikam.test", "r@fabrikam.test"])
    #expect(m.pending.map(\.overdue) == [true, false])
    #expect(m.pending.first?.queuedSeconds == 2 * 86_400 + 2 * 3600)
}
