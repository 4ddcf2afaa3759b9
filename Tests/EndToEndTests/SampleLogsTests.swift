import Foundation
import Testing

/// `sample-logs/` (seven logs, README.md, EXPECTED.json) ingested once with `--report`,
/// then a `report --since all`.
struct SampleRun: Sendable {
    let dir: URL
    let db: URL
    /// `ingest sample-logs --db db --report report-7d` (default window, 7 days).
    let ingest: RunResult
    let report7d: URL
    /// `report --db db --since all --out report-all`.
    let report: RunResult
    let reportAll: URL

    static let shared: Result<SampleRun, E2EError> = {
        do {
            let dir = scratchFolder("mailflow-e2e-sample")
            atexit { if case .success(let run) = SampleRun.shared { try? FileManager.default.removeItem(at: run.dir) } }
            let db = dir.appendingPathComponent("mailflow.db")
            let report7d = dir.appendingPathComponent("report-7d"), reportAll = dir.appendingPathComponent("report-all")
            let ingest = try Mailflow.run(["ingest", sampleLogs.path, "--db", db.path, "--report", report7d.path], in: dir)
            let report = try Mailflow.run(["report", "--db", db.path, "--since", "all", "--out", reportAll.path], in: dir)
            return .success(SampleRun(dir: dir, db: db, ingest: ingest, report7d: report7d, report: report, reportAll: reportAll))
        } catch let e as E2EError {
            return .failure(e)
        } catch {
            return .failure(E2EError("\(error)"))
        }
    }()

    static func get() throws -> SampleRun { try shared.get() }
}

@Suite("end to end: sample-logs against EXPECTED.json")
struct SampleLogsTests {
    @Test func ingestWithReportSucceeds() throws {
        let run = try SampleRun.get()
        #expect(run.ingest.status == 0, "\(run.ingest)")
        #expect(run.ingest.stdout.contains("ingested 7 file"), "\(run.ingest)")
        // --report prints the report summary with the window of the sample (16th to 22nd).
        #expect(run.ingest.stdout.contains("2026-11-16"), "\(run.ingest)")
        #expect(run.ingest.stdout.contains("2026-11-22"), "\(run.ingest)")
        #expect(run.report.status == 0, "\(run.report)")
    }

    @Test func recordsEventsKindsAndTimeRange() throws {
        let run = try SampleRun.get(), x = try expectedSample()
        let records = try Mailflow.int(run.db, "SELECT count(*) FROM (SELECT DISTINCT file, line FROM v_events)")
        #expect(records == asInt(x["records"]))
        #expect(try Mailflow.int(run.db, "SELECT count(*) FROM v_events") == asInt(x["events"]))

        var kinds: [String: Int] = [:]
        for r in try Mailflow.sql(run.db, "SELECT kind, count(*) AS n FROM v_events GROUP BY kind") {
            kinds[text(r["kind"])] = asInt(r["n"])
        }
        let expectedKinds = (x["kinds"] as? [String: Any] ?? [:]).compactMapValues(asInt)
        #expect(!expectedKinds.isEmpty)
        #expect(kinds == expectedKinds)

        let range = try Mailflow.sql(run.db, "SELECT min(time_utc) AS first, max(time_utc) AS last FROM v_events")
        let xr = try #require(x["time_range"] as? [String: String])
        #expect(text(range.first?["first"]) == xr["first"])
        #expect(text(range.first?["last"]) == xr["last"])

        // Nothing rejected, no issues.
        #expect(asInt(x["rejected"]) == 0)
        #expect(try Mailflow.int(run.db, "SELECT count(*) FROM v_parse_issues") == (x["issues"] as? [Any])?.count)
    }

    @Test func filesMatchExpected() throws {
        let run = try SampleRun.get(), x = try expectedSample()
        let rows = try Mailflow.sql(run.db, "SELECT * FROM v_files")
        let got = tally(rows.map { r in
            [URL(fileURLWithPath: text(r["file"])).lastPathComponent, text(r["format"]), text(r["encoding"]), text(r["compression"]),
             text(r["bytes"]), text(r["records"]), text(r["events"]), text(r["first_utc"]), text(r["last_utc"])].joined(separator: "|")
        })
        let files = try #require(x["files"] as? [[String: Any]])
        let want = tally(files.map { f in
            [text(f["file"]), text(x["format"]), text(x["encoding"]), text(x["compression"]), text(f["bytes"]),
             text(f["records"]), text(f["events"]), text(f["first_utc"]), text(f["last_utc"])].joined(separator: "|")
        })
        #expect(files.count == 7)
        #expect(got == want)
    }

    @Test func statusGroupsMatchExpected() throws {
        let run = try SampleRun.get(), x = try expectedSample()
        let rows = try Mailflow.sql(run.db, """
            SELECT kind, connector, reply_code, enhanced_code, count(*) AS n FROM v_events
            WHERE kind IN ('deferred', 'failed', 'expired', 'dropped') GROUP BY 1, 2, 3, 4
            """)
        var got: [String: Int] = [:]
        for r in rows { got[key(r, ["kind", "connector", "reply_code", "enhanced_code"]), default: 0] += asInt(r["n"]) ?? -1 }
        var want: [String: Int] = [:]
        for g in try #require(x["status"] as? [[String: Any]]) {
            want["\(text(g["kind"]))|\(text(g["connector"]))|\(text(g["reply"]))|\(text(g["enhanced"]))", default: 0] += asInt(g["count"]) ?? -1
        }
        #expect(want.count >= 10)
        #expect(got == want)
    }

    @Test func connectorDailyMatchesExpected() throws {
        let run = try SampleRun.get(), x = try expectedSample()
        let columns = ["day", "connector", "kind", "enhanced_code", "events", "messages"]
        let rows = try Mailflow.sql(run.db, "SELECT * FROM v_connector_daily WHERE kind IN ('deferred', 'failed', 'expired', 'dropped')")
        let want = try #require(x["connector_daily"] as? [[String: Any]])
        #expect(want.count > 30)
        #expect(tally(rows.map { key($0, columns) }) == tally(want.map { key($0, columns) }))
    }

    @Test func rootCausesMatchExpected() throws {
        let run = try SampleRun.get(), x = try expectedSample()
        let want = (x["root_causes"] as? [String: Any] ?? [:]).compactMapValues(asInt)
        #expect(want.count >= 5)
        var perEvent: [String: Int] = [:]
        for r in try Mailflow.sql(run.db, "SELECT root_cause, count(*) AS n FROM v_events WHERE kind IN ('deferred', 'failed', 'expired') GROUP BY 1") {
            perEvent[text(r["root_cause"])] = asInt(r["n"])
        }
        #expect(perEvent == want, "v_events")
        var top: [String: Int] = [:]
        for r in try Mailflow.sql(run.db, "SELECT root_cause, events FROM v_top_causes") { top[text(r["root_cause"])] = asInt(r["events"]) }
        #expect(top == want, "v_top_causes")
        // Ranked by distinct messages, as documented.
        let messages = try Mailflow.sql(run.db, "SELECT messages FROM v_top_causes").compactMap { asInt($0["messages"]) }
        #expect(messages == messages.sorted(by: >))
    }

    @Test func expiredMatchesExpected() throws {
        let run = try SampleRun.get(), x = try expectedSample()
        let exp = try #require(x["expired"] as? [String: Any])
        let list = try #require(exp["list"] as? [[String: Any]])
        let rows = try Mailflow.sql(run.db, "SELECT * FROM v_expired")
        #expect(Set(rows.map { text($0["message_id"]) }).count == asInt(exp["messages"]))
        #expect(rows.count == list.count)
        let columns = ["message_id", "recipient", "recipient_domain", "connector", "root_cause", "first_seen_utc", "expired_utc"]
        #expect(tally(rows.map { key($0, columns) }) == tally(list.map { key($0, columns) }))
        // attempts (deferred + failed before expiry) = the generator's deferrals here (no FAIL precedes an expiry).
        #expect(tally(rows.map { key($0, ["message_id", "recipient", "attempts"]) })
            == tally(list.map { "\(text($0["message_id"]))|\(text($0["recipient"]))|\(text($0["deferrals"]))" }))
        // queue_seconds is the span between first sight and expiry.
        for r in rows {
            let f = try #require(isoMs(text(r["first_seen_utc"]))), e = try #require(isoMs(text(r["expired_utc"])))
            #expect(asInt(r["queue_seconds"]) == (e - f) / 1000, "\(r)")
        }
    }
}

/// Milliseconds since the epoch of `YYYY-MM-DDTHH:MM:SS.mmmZ`.
func isoMs(_ s: String) -> Int? {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    guard let d = f.date(from: s) else { return nil }
    return Int((d.timeIntervalSince1970 * 1000).rounded())
}
