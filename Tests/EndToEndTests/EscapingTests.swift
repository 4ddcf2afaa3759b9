import Foundation
import Testing

/// Hostile text in a log must come out of every report file as data, never as markup.
@Suite("end to end: escaping of log text in the report")
struct EscapingTests {
    static let payload = "<script>alert(1)</script>"
    static let connector = "Evil <script>alert(1)</script> \"Q\" & 'A'"
    static let recipient = "o'brien&\"x\"<script>alert(1)</script>@evil.test"
    static let messageID = "<m1&\"'<script>alert(1)</script>@evil.test>"
    static let subject = "<script>alert(1)</script> \"quoted\" & 'single'"
    static let nextHop = "<script>alert(1)</script>.evil.test"

    /// A 30-field tracking log (header block copied from a sample file): a message received,
    /// one recipient sent through the hostile connector, the hostile recipient deferred
    /// (connection refused) and expired two days later.
    static func hostileLog() throws -> String {
        let b = try TrackingLogBuilder(copyingHeaderOf: try #require(try sampleLogFiles().first))
        #expect(b.fields.count == 30)
        let common = [
            "server-hostname": "EX19-01", "message-id": messageID, "internal-message-id": "4242",
            "message-subject": subject, "sender-address": "mallory@example.com", "return-path": "mallory@example.com",
            "directionality": "Originating", "total-bytes": "2048", "recipient-count": "2",
            "schema-version": "15.02.1544.004",
        ]
        func rec(_ extra: [String: String]) -> String { b.record(common.merging(extra) { $1 }) }
        let refused = "[{LED=441 4.4.1 Error encountered while communicating with primary target IP address: \"Failed to connect. Winsock error code: 10061, Win32 error code: 10061.\"};{MSG=};{FQDN=\(nextHop)};{IP=192.0.2.66};{LRT=}]"
        return b.header
            + rec(["date-time": "2026-11-20T10:00:00.000Z", "connector-id": "EX19-01\\Default EX19-01", "source": "SMTP",
                   "event-id": "RECEIVE", "recipient-address": "\(recipient);ok@evil.test", "client-ip": "192.0.2.1"])
            + rec(["date-time": "2026-11-20T10:00:05.000Z", "connector-id": connector, "source": "SMTP", "event-id": "SEND",
                   "recipient-address": "ok@evil.test", "recipient-status": "250 2.1.5 Recipient OK",
                   "server-hostname": nextHop, "server-ip": "192.0.2.66", "client-hostname": "EX19-01"])
            + rec(["date-time": "2026-11-20T10:05:00.000Z", "connector-id": connector, "source": "SMTP", "event-id": "DEFER",
                   "recipient-address": recipient, "recipient-status": refused])
            + rec(["date-time": "2026-11-21T10:05:00.000Z", "connector-id": connector, "source": "SMTP", "event-id": "DEFER",
                   "recipient-address": recipient, "recipient-status": refused])
            + rec(["date-time": "2026-11-22T10:00:01.000Z", "connector-id": connector, "source": "QUEUE", "event-id": "FAIL",
                   "recipient-address": recipient, "recipient-status": "'550 4.4.7 QUEUE.Expired; message expired'"])
    }

    /// Ingests the hostile log in `dir` and writes its report; returns (database, report folder).
    static func ingestAndReport(in dir: URL) throws -> (db: URL, out: URL) {
        let log = dir.appendingPathComponent("MSGTRK20261120-1.LOG")
        try Data(try hostileLog().utf8).write(to: log)
        let db = dir.appendingPathComponent("m.db"), out = dir.appendingPathComponent("report")
        let ingest = try Mailflow.run(["ingest", log.path, "--db", db.path])
        #expect(ingest.status == 0, "\(ingest)")
        let report = try Mailflow.run(["report", "--db", db.path, "--since", "all", "--out", out.path])
        #expect(report.status == 0, "\(report)")
        return (db, out)
    }

    @Test func htmlNeverContainsMarkupFromTheLog() throws {
        let dir = scratchFolder("mailflow-e2e-escape")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (_, out) = try Self.ingestAndReport(in: dir)
        let html = try readText(out.appendingPathComponent("report.html"))
        #expect(!html.lowercased().contains("<script"))
        #expect(selfContainedProblems(html) == [])
        // The escaped form is there: in the connector table, the chart legend, the expired list.
        let escaped = html.components(separatedBy: "&lt;script&gt;alert(1)&lt;/script&gt;").count - 1
        #expect(escaped >= 4, "escaped payload found \(escaped) times")
        // Every '&' starts a character reference (a raw '&' from the log would not).
        let bareAmpersand = html.range(of: #"&(?![A-Za-z][A-Za-z0-9]*;|#[0-9]+;|#[xX][0-9A-Fa-f]+;)"#, options: .regularExpression)
        #expect(bareAmpersand == nil, "bare & at \(bareAmpersand.map { String(html[$0.lowerBound...].prefix(60)) } ?? "")")
        // No raw quote from the log inside the markup: " and ' only appear as the renderer's own.
        #expect(!html.contains("\"Q\""), "raw double quotes of the connector name")
        #expect(!html.contains("'A'"), "raw single quotes of the connector name")
        // Log text never lands inside a tag.
        #expect(html.range(of: #"<[^>]*alert\(1\)"#, options: .regularExpression) == nil)
        // Names the hostile values (in some escaped form).
        let decoded = decodeEntities(html)
        for (what, value) in [("next hop", Self.nextHop), ("recipient domain", "evil.test")] {
            let found = decoded.contains(value)
            #expect(found, "\(what) \(value) in report.html")
        }
    }

    /// Quoted fields of the log (RFC 4180 `""`) must be stored and reported as one `"`.
    @Test func hostileTextRoundTripsThroughStoreJSONAndCSV() throws {
        let dir = scratchFolder("mailflow-e2e-escape")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (db, out) = try Self.ingestAndReport(in: dir)
        let want = ["\(Self.connector)|\(Self.recipient)|\(Self.messageID)"]
        let html = decodeEntities(try readText(out.appendingPathComponent("report.html")))
        let stored = try Mailflow.sql(db, "SELECT DISTINCT connector, recipient, message_id FROM v_events WHERE kind = 'expired'")
        let json = try reportJSON(out)
        let list = try #require((json["expired"] as? [String: Any])?["list"] as? [[String: Any]])
        let csv = parseCSV(try readText(out.appendingPathComponent("expired.csv")))
        #expect(csv.count == 2)
        let row = csv.count == 2 ? Dictionary(csv[0].indices.map { (csv[0][$0], csv[1].indices.contains($0) ? csv[1][$0] : "") }) { a, _ in a } : [:]
        let daily = parseCSV(try readText(out.appendingPathComponent("connector_daily.csv")))

        #expect(stored.map { key($0, ["connector", "recipient", "message_id"]) } == want, "v_events")
        #expect(list.map { key($0, ["connector", "recipient", "message_id"]) } == want, "report.json")
        #expect([row["connector"] ?? "", row["recipient"] ?? "", row["message_id"] ?? ""].joined(separator: "|") == want[0], "expired.csv")
        #expect(daily.dropFirst().contains { $0.count > 1 && $0[1] == Self.connector }, "connector_daily.csv")
        for (what, value) in [("connector", Self.connector), ("recipient", Self.recipient), ("message id", Self.messageID)] {
            let found = html.contains(value)
            #expect(found, "\(what) in report.html")
        }
    }
}
