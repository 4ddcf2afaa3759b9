import Foundation
import Testing

/// Issue 5's lifecycle promise: a log split at day boundaries and ingested part by part in
/// separate runs gives every view the single run gives (a message deferred on Monday and
/// expired on Tuesday is one expired message with one cause).
@Suite("split at day boundaries", .serialized)
struct DaySplitTests {
    static let views = ["v_events", "v_expired", "v_deliveries", "v_connector_daily", "v_top_causes"]

    /// Every row of the views, as sorted canonical JSON, without the columns that name the
    /// input (`file`, `line`: the parts are other files).
    func snapshot(_ db: URL) throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        for view in Self.views {
            out[view] = try Mailflow.sql(db, "SELECT * FROM \(view)").map { row in
                var r = row
                r["file"] = nil
                r["line"] = nil
                let data = (try? JSONSerialization.data(withJSONObject: r, options: [.sortedKeys])) ?? Data()
                return String(decoding: data, as: UTF8.self)
            }.sorted()
        }
        return out
    }

    /// Splits an Exchange W3C-style log into one file per UTC day of its records; each part
    /// starts with the header lines and the `#Fields:` line in force.
    func splitW3C(_ text: String) -> [(day: String, text: String)] {
        var header: [Substring] = []
        var fields: Substring?
        var parts: [(String, [Substring])] = []
        for line in text.split(separator: "\r\n", omittingEmptySubsequences: true).flatMap({ $0.split(separator: "\n") }) {
            if line.hasPrefix("#") || line.hasPrefix("\u{FEFF}#") {
                if line.contains("#Fields:") { fields = line }
                if parts.isEmpty { header.append(line) } else { parts[parts.count - 1].1.append(line) }
                continue
            }
            let day = String(line.prefix(10))
            if parts.last?.0 != day {
                parts.append((day, parts.isEmpty ? header : header.filter { !$0.contains("#Fields:") } + [fields].compactMap { $0 }))
            }
            parts[parts.count - 1].1.append(line)
        }
        return parts.map { ($0.0, $0.1.joined(separator: "\r\n") + "\r\n") }
    }

    @Test func sampleLogsDayByDayEqualOneRun() throws {
        let dir = scratchFolder("mailflow-split")
        let once = dir.appendingPathComponent("once.db"), daily = dir.appendingPathComponent("daily.db")
        let files = try sampleLogFiles()
        #expect(files.count == 7)
        #expect(try Mailflow.run(["ingest", "--db", once.path] + files.map(\.path)).status == 0)
        for f in files { #expect(try Mailflow.run(["ingest", "--db", daily.path, f.path]).status == 0) }
        let a = try snapshot(once), b = try snapshot(daily)
        for view in Self.views { #expect(a[view] == b[view], "\(view) differs") }
        #expect(try Mailflow.int(once, "SELECT count(*) FROM v_expired") == 18)
    }

    @Test func deferralAndExpiryOnDifferentDaysInSeparateRuns() throws {
        // A deferral on day 1, another on day 2, the expiry on day 3 (each day its own run):
        // one expired recipient whose cause is the last deferral's, with 2 attempts.
        let header = "#Software: Microsoft Exchange Server\r\n#Log-type: Message Tracking Log\r\n#Fields: date-time,connector-id,source,event-id,message-id,recipient-address,recipient-status,sender-address\r\n"
        let lines = [
            "2026-11-02T22:00:00.000Z,Outbound to Contoso,SMTP,DEFER,<d1@example.com>,bob@contoso.test,451 4.4.0 DNS query failed,alice@example.com",
            "2026-11-03T23:59:59.999Z,Outbound to Contoso,SMTP,DEFER,<d1@example.com>,bob@contoso.test,450 4.4.316 Connection refused [Message=Socket error code 10061],alice@example.com",
            "2026-11-04T00:00:00.000Z,Outbound to Contoso,QUEUE,FAIL,<d1@example.com>,bob@contoso.test,550 4.4.7 QUEUE.Expired; message expired,alice@example.com",
        ]
        let dir = scratchFolder("mailflow-split-3")
        let whole = dir.appendingPathComponent("whole.log")
        try (header + lines.joined(separator: "\r\n") + "\r\n").write(to: whole, atomically: true, encoding: .utf8)
        let once = dir.appendingPathComponent("once.db"), daily = dir.appendingPathComponent("daily.db")
        #expect(try Mailflow.run(["ingest", "--db", once.path, whole.path]).status == 0)
        for (i, line) in lines.enumerated() {
            let part = dir.appendingPathComponent("day\(i).log")
            try (header + line + "\r\n").write(to: part, atomically: true, encoding: .utf8)
            #expect(try Mailflow.run(["ingest", "--db", daily.path, part.path]).status == 0)
        }
        let a = try snapshot(once), b = try snapshot(daily)
        for view in Self.views { #expect(a[view] == b[view], "\(view) differs") }
        let rows = try Mailflow.sql(daily, "SELECT recipient, attempts, root_cause, last_error, queue_seconds FROM v_expired")
        #expect(rows.map { row in ["recipient", "attempts", "root_cause", "last_error", "queue_seconds"].map { text(row[$0]) } } == [
            ["bob@contoso.test", "2", "4.4.316", "450 4.4.316 Connection refused [Message=Socket error code 10061]", "93600"]])
    }

    @Test func corpusDeferExpireLogSplitByDay() throws {
        let corpus = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus/cases/exchange2019-defer-expire.log")
        guard let text = try? String(contentsOf: corpus, encoding: .utf8) else {
            print("note: ../shared/corpus not found; corpusDeferExpireLogSplitByDay skipped")
            return
        }
        let parts = splitW3C(text)
        #expect(parts.count >= 3, "the case spans at least three days")
        let dir = scratchFolder("mailflow-split-corpus")
        let once = dir.appendingPathComponent("once.db"), daily = dir.appendingPathComponent("daily.db")
        let whole = dir.appendingPathComponent("whole.log")
        try text.write(to: whole, atomically: true, encoding: .utf8)
        _ = try Mailflow.run(["ingest", "--db", once.path, whole.path])
        for (i, p) in parts.enumerated() {
            let f = dir.appendingPathComponent("part\(i)-\(p.day).log")
            try p.text.write(to: f, atomically: true, encoding: .utf8)
            _ = try Mailflow.run(["ingest", "--db", daily.path, f.path])
        }
        let a = try snapshot(once), b = try snapshot(daily)
        for view in Self.views { #expect(a[view] == b[view], "\(view) differs") }
        #expect(try Mailflow.int(daily, "SELECT count(*) FROM v_expired") > 0)
    }

    @Test func corpusPostfixLogSplitByDayAcrossTheYearEnd() throws {
        let corpus = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus/cases/postfix-deferred-expired.log")
        guard let text = try? String(contentsOf: corpus, encoding: .utf8) else {
            print("note: ../shared/corpus not found; corpusPostfixLogSplitByDayAcrossTheYearEnd skipped")
            return
        }
        // Parts by the classic stamp's "Mmm dd"; each run gets the year of its part.
        var parts: [(day: String, lines: [Substring])] = []
        for line in text.split(separator: "\n") {
            let day = String(line.prefix(6))
            if parts.last?.day != day { parts.append((day, [])) }
            parts[parts.count - 1].lines.append(line)
        }
        #expect(parts.count >= 4)
        let dir = scratchFolder("mailflow-split-postfix")
        let once = dir.appendingPathComponent("once.db"), daily = dir.appendingPathComponent("daily.db")
        _ = try Mailflow.run(["ingest", "--db", once.path, "--year", "2026", corpus.path])
        for (i, p) in parts.enumerated() {
            let f = dir.appendingPathComponent("maillog.part\(i)")
            try (p.lines.joined(separator: "\n") + "\n").write(to: f, atomically: true, encoding: .utf8)
            _ = try Mailflow.run(["ingest", "--db", daily.path, "--year", p.day.hasPrefix("Jan") ? "2027" : "2026", f.path])
        }
        let a = try snapshot(once), b = try snapshot(daily)
        for view in Self.views { #expect(a[view] == b[view], "\(view) differs") }
        #expect(try Mailflow.int(daily, "SELECT count(*) FROM v_expired") == 2)
    }
}
