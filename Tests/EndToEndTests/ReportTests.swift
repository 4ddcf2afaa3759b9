import Foundation
import Testing

/// Header rows of the CSV files, as written by Sources/MailflowCore/Report/ReportWriter.swift.
let documentedCSVHeaders: [String: [String]] = [
    "connector_daily.csv": ["day", "connector", "kind", "enhanced_code", "events", "messages"],
    "expired.csv": ["expired_utc", "message_id", "recipient", "recipient_domain", "connector", "first_seen_utc", "queue_seconds", "attempts", "root_cause", "last_error"],
    "top_causes.csv": ["root_cause", "category", "title", "messages", "events", "connectors", "first_seen_utc", "last_seen_utc", "previous_messages", "fix"],
]

let reportFiles = ["report.html", "connector_daily.csv", "expired.csv", "top_causes.csv", "report.json"]

func readText(_ url: URL) throws -> String { String(decoding: try Data(contentsOf: url), as: UTF8.self) }

func reportJSON(_ folder: URL) throws -> [String: Any] {
    let data = try Data(contentsOf: folder.appendingPathComponent("report.json"))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "report.json is not an object")
}

/// Problems that make an HTML page unsafe or not self-contained: script, active embeds,
/// resource loads from the network.
func selfContainedProblems(_ html: String) -> [String] {
    var problems: [String] = []
    let lower = html.lowercased()
    if lower.contains("<script") { problems.append("contains <script") }
    for tag in ["<iframe", "<object", "<embed", "<link", "<base", "<meta http-equiv=\"refresh\""] where lower.contains(tag) {
        problems.append("contains \(tag)")
    }
    if lower.contains("@import") { problems.append("CSS @import") }
    if lower.contains("javascript:") { problems.append("javascript: URL") }
    if lower.range(of: #"\bon[a-z]+\s*=\s*["']"#, options: .regularExpression) != nil { problems.append("inline event handler") }
    // src=, href=, xlink:href=, srcset=, poster=, action=, data= pointing at http(s):// or //host.
    if let r = lower.range(of: #"\b(src|href|xlink:href|srcset|poster|action|data)\s*=\s*["']?\s*(https?:|//)"#, options: .regularExpression) {
        problems.append("network resource: \(lower[r])")
    }
    if let r = lower.range(of: #"url\(\s*["']?\s*(https?:|//)"#, options: .regularExpression) {
        problems.append("network resource in CSS: \(lower[r])")
    }
    return problems
}

@Suite("end to end: report folder")
struct ReportTests {
    @Test func folderHoldsAllFiles() throws {
        let run = try SampleRun.get()
        for folder in [run.report7d, run.reportAll] {
            for name in reportFiles {
                let path = folder.appendingPathComponent(name).path
                #expect(FileManager.default.fileExists(atPath: path), "\(path)")
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                #expect(size > 0, "\(path) is empty")
            }
        }
    }

    @Test func jsonHeadlineEqualsViews() throws {
        let run = try SampleRun.get(), x = try expectedSample()
        let json = try reportJSON(run.reportAll)
        let window = try #require(json["window"] as? [String: Any])
        let from = text(window["from_utc"]), to = text(window["to_utc"])
        #expect(from <= "2026-11-16T03:54:51.881Z" && to > "2026-11-22T23:25:08.935Z", "--since all covers the sample: \(from) .. \(to)")
        let w = "time_utc >= '\(from)' AND time_utc < '\(to)'"

        let h = try #require(json["headline"] as? [String: Any])
        let counts = try #require(try Mailflow.sql(run.db, """
            SELECT count(*) AS events, count(DISTINCT message_id) AS messages,
                   sum(kind IN ('sent', 'delivered')) AS deliveries, sum(kind = 'deferred') AS deferred,
                   sum(kind = 'failed') AS failed, sum(kind = 'expired') AS expired
            FROM v_events WHERE \(w)
            """).first)
        for name in ["events", "messages", "deliveries", "deferred", "failed", "expired"] {
            #expect(asInt(h[name]) == asInt(counts[name]), "headline.\(name)")
        }
        let ew = "expired_utc >= '\(from)' AND expired_utc < '\(to)'"
        #expect(asInt(h["expired_messages"]) == (try Mailflow.int(run.db, "SELECT count(DISTINCT message_id) FROM v_expired WHERE \(ew)")))

        // and the same numbers from the ground truth
        let kinds = (x["kinds"] as? [String: Any] ?? [:]).compactMapValues(asInt)
        #expect(asInt(h["events"]) == asInt(x["events"]))
        #expect(asInt(h["deferred"]) == kinds["deferred"])
        #expect(asInt(h["failed"]) == kinds["failed"])
        #expect(asInt(h["expired"]) == kinds["expired"])
        #expect(asInt(h["expired_messages"]) == asInt((x["expired"] as? [String: Any])?["messages"]))

        // expired list = v_expired in the window
        let expired = try #require(json["expired"] as? [String: Any])
        let list = try #require(expired["list"] as? [[String: Any]])
        let viewRows = try Mailflow.sql(run.db, "SELECT * FROM v_expired WHERE \(ew)")
        #expect(asInt(expired["count"]) == viewRows.count)
        let cols = ["message_id", "recipient", "recipient_domain", "connector", "first_seen_utc", "expired_utc", "queue_seconds", "attempts", "root_cause"]
        #expect(tally(list.map { key($0, cols) }) == tally(viewRows.map { key($0, cols) }))

        // top causes = v_top_causes (whole database = the window here)
        let causes = try #require(json["top_causes"] as? [[String: Any]])
        let causeCols = ["root_cause", "category", "messages", "events", "connectors", "first_seen_utc", "last_seen_utc"]
        #expect(causes.map { key($0, causeCols) } == (try Mailflow.sql(run.db, "SELECT * FROM v_top_causes")).map { key($0, causeCols) })
    }

    @Test func jsonConnectorsEqualViews() throws {
        let run = try SampleRun.get()
        let json = try reportJSON(run.reportAll)
        let connectors = try #require(json["connectors"] as? [[String: Any]])
        let perConnector = try Mailflow.sql(run.db, """
            SELECT connector, sum(kind = 'received') AS received, sum(kind IN ('sent', 'delivered')) AS delivered,
                   sum(kind = 'deferred') AS deferred, sum(kind = 'failed') AS failed, sum(kind = 'expired') AS expired
            FROM v_events WHERE connector IS NOT NULL GROUP BY connector
            HAVING sum(kind IN ('received', 'sent', 'delivered', 'deferred', 'failed', 'expired')) > 0
            """)
        let cols = ["received", "delivered", "deferred", "failed", "expired"]
        let named = connectors.filter { text($0["connector"]) != "(no connector)" }
        #expect(tally(named.map { text($0["connector"]) + "|" + key($0, cols) })
            == tally(perConnector.map { text($0["connector"]) + "|" + key($0, cols) }))
        // daily_errors = the deferred/failed/expired rows of v_connector_daily
        let daily = named.flatMap { c in
            (c["daily_errors"] as? [[String: Any]] ?? []).map { text(c["connector"]) + "|" + key($0, ["day", "kind", "enhanced_code", "events", "messages"]) }
        }
        let view = try Mailflow.sql(run.db, "SELECT * FROM v_connector_daily WHERE connector IS NOT NULL AND kind IN ('deferred', 'failed', 'expired')")
        #expect(tally(daily) == tally(view.map { key($0, ["connector", "day", "kind", "enhanced_code", "events", "messages"]) }))
    }

    @Test func defaultWindowReportEqualsAllForTheSevenDaySample() throws {
        let run = try SampleRun.get()
        let a = try reportJSON(run.report7d), b = try reportJSON(run.reportAll)
        let ha = try #require(a["headline"] as? [String: Any]), hb = try #require(b["headline"] as? [String: Any])
        for name in ["events", "messages", "deliveries", "deferred", "failed", "expired", "expired_messages"] {
            #expect(asInt(ha[name]) == asInt(hb[name]), "headline.\(name)")
        }
        #expect(asInt((a["expired"] as? [String: Any])?["count"]) == asInt((b["expired"] as? [String: Any])?["count"]))
        #expect(((a["window"] as? [String: Any])?["days"] as? [String])?.count == 7)
    }

    @Test func htmlIsSelfContainedAndNamesTheSendConnectors() throws {
        let run = try SampleRun.get(), x = try expectedSample()
        let html = try readText(run.reportAll.appendingPathComponent("report.html"))
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("</html>"))
        #expect(selfContainedProblems(html) == [])
        let sendConnectors = Set((x["status"] as? [[String: Any]] ?? []).map { text($0["connector"]) })
        #expect(sendConnectors.count == 4)
        let decoded = decodeEntities(html)
        for name in sendConnectors { #expect(decoded.contains(name), "report.html lacks connector \(name)") }
        for section in ["Headline", "Connectors", "Expired messages", "Top causes", "Parse health"] {
            #expect(html.contains(section), "section \(section)")
        }
    }

    /// Every connector of the sample, the receive connector `EX19-01\Default EX19-01` (RECEIVE
    /// events only) included, is named in report.html.
    @Test func htmlNamesEveryConnectorOfTheSample() throws {
        let run = try SampleRun.get()
        let decoded = decodeEntities(try readText(run.reportAll.appendingPathComponent("report.html")))
        let all = try Mailflow.sql(run.db, "SELECT DISTINCT connector FROM v_events WHERE connector IS NOT NULL").map { text($0["connector"]) }
        #expect(all.count == 5)
        let missing = all.filter { !decoded.contains($0) }
        #expect(missing == [], "report.html lacks \(missing)")
    }

    @Test func csvHeadersAsDocumented() throws {
        let run = try SampleRun.get()
        for folder in [run.report7d, run.reportAll] {
            for (name, header) in documentedCSVHeaders {
                let text = try readText(folder.appendingPathComponent(name))
                #expect(text.hasPrefix(header.joined(separator: ",") + "\r\n"), "\(name) header")
                let rows = parseCSV(text)
                #expect(rows.allSatisfy { $0.count == header.count }, "\(name): every row has \(header.count) cells")
            }
        }
    }

    @Test func csvRowsEqualViews() throws {
        let run = try SampleRun.get()
        func body(_ name: String) throws -> [[String]] { Array(parseCSV(try readText(run.reportAll.appendingPathComponent(name))).dropFirst()) }

        let daily = try body("connector_daily.csv").map { $0.joined(separator: "|") }
        let dailyView = try Mailflow.sql(run.db, "SELECT * FROM v_connector_daily").map { r in
            [text(r["day"]), r["connector"] is NSNull ? "(no connector)" : text(r["connector"]), text(r["kind"]),
             r["enhanced_code"] is NSNull ? "" : text(r["enhanced_code"]), text(r["events"]), text(r["messages"])].joined(separator: "|")
        }
        #expect(tally(daily) == tally(dailyView), "connector_daily.csv")

        let expired = try body("expired.csv").map { $0.joined(separator: "|") }
        let expiredView = try Mailflow.sql(run.db, "SELECT * FROM v_expired").map {
            key($0, ["expired_utc", "message_id", "recipient", "recipient_domain", "connector", "first_seen_utc", "queue_seconds", "attempts", "root_cause", "last_error"])
        }
        #expect(expired.count == 18)
        #expect(tally(expired) == tally(expiredView), "expired.csv")

        let causes = try body("top_causes.csv").map { [$0[0], $0[1], $0[3], $0[4], $0[5]].joined(separator: "|") }
        let causesView = try Mailflow.sql(run.db, "SELECT * FROM v_top_causes").map { key($0, ["root_cause", "category", "messages", "events", "connectors"]) }
        #expect(causes == causesView, "top_causes.csv")
    }
}
