import Foundation
import Testing

/// Delivery lifecycles across sources: overdue is judged by each source's retry window, and
/// drops end a lifecycle. Values worked out by hand from the files below.
@Suite("delivery lifecycle and overdue", .serialized)
struct LifecycleTests {
    /// Three deliveries deferred 30 hours before the end of the data (an Exchange Online
    /// detail export, an Exchange tracking log, a Postfix maillog), one dropped by an agent.
    static func ingest(_ dir: URL) throws -> URL {
        let db = dir.appendingPathComponent("l.db")
        try """
            "Date","Event","Action","Detail","Data","MessageId","MessageTraceId","RecipientAddress"\r
            "11/2/2026 6:00:00 AM","Defer","","Reason: [{LED=450 4.4.316 Connection refused};{MSG=};{FQDN=mail.contoso.test};{IP=192.0.2.25};{LRT=}]","","<exo1@example.com>","t1","ann@contoso.test"\r

            """.write(to: dir.appendingPathComponent("detail.csv"), atomically: true, encoding: .utf8)
        try """
            #Fields: date-time,connector-id,source,event-id,message-id,recipient-address,recipient-status,sender-address\r
            2026-11-02T06:00:00.000Z,Outbound to Contoso,SMTP,DEFER,<ex1@example.com>,ben@contoso.test,451 4.4.0 DNS query failed,alice@example.com\r
            2026-11-02T07:00:00.000Z,,AGENT,DEFER,<ex2@example.com>,cy@contoso.test,,alice@example.com\r
            2026-11-02T07:00:01.000Z,Outbound to Contoso,SMTP,DEFER,<ex2@example.com>,cy@contoso.test,451 4.4.0 DNS query failed,alice@example.com\r
            2026-11-02T07:30:00.000Z,,AGENT,DROP,<ex2@example.com>,cy@contoso.test,550 4.3.2 QUEUE.TransportAgent; message deleted by transport agent,alice@example.com\r
            2026-11-03T12:00:00.000Z,Outbound to Contoso,SMTP,SEND,<ex3@example.com>,dee@contoso.test,250 2.1.5 Recipient OK,alice@example.com\r

            """.write(to: dir.appendingPathComponent("MSGTRK.LOG"), atomically: true, encoding: .utf8)
        try """
            Nov  2 06:00:00 relay1 postfix/smtp[5]: 5A1B2C3D4E: to=<eve@contoso.test>, relay=none, delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred (connect to mx.contoso.test[198.51.100.7]:25: Connection timed out)

            """.write(to: dir.appendingPathComponent("maillog"), atomically: true, encoding: .utf8)
        let r = try Mailflow.run(["ingest", "--db", db.path, "--year", "2026", dir.path])
        #expect(r.status == 0, "\(r)")
        return db
    }

    @Test func overdueByEachSourcesWindow() throws {
        let dir = scratchFolder("mailflow-lifecycle")
        let db = try Self.ingest(dir)
        let outcomes = try Mailflow.sql(db, "SELECT recipient, outcome, source, last_status FROM v_deliveries ORDER BY recipient")
        #expect(outcomes.map { r in ["recipient", "outcome", "source", "last_status"].map { text(r[$0]) } } == [
            ["ann@contoso.test", "pending", "exo", "450 4.4.316 Connection refused"],
            ["ben@contoso.test", "pending", "exchange", "451 4.4.0 DNS query failed"],
            ["cy@contoso.test", "dropped", "exchange", "451 4.4.0 DNS query failed"],
            ["eve@contoso.test", "pending", "postfix", "connect to mx.contoso.test[198.51.100.7]:25: Connection timed out"],
        ])
        // End of the data: 2026-11-03T12:00Z, 30 hours after the deferrals. Exchange Online
        // retries 24 h: overdue; Exchange Server 2 days and Postfix 5 days: not yet.
        func overdue(_ extra: [String]) throws -> [String: Bool] {
            let out = dir.appendingPathComponent("r\(extra.count)")
            let r = try Mailflow.run(["report", "--db", db.path, "--since", "all", "--out", out.path] + extra)
            #expect(r.status == 0, "\(r)")
            let json = try reportJSON(out)
            let pending = try #require(json["pending"] as? [String: Any])
            var got: [String: Bool] = [:]
            for p in pending["list"] as? [[String: Any]] ?? [] { got[text(p["recipient"])] = p["overdue"] as? Bool }
            return got
        }
        #expect(try overdue([]) == ["ann@contoso.test": true, "ben@contoso.test": false, "eve@contoso.test": false])
        #expect(try overdue(["--expiry-window", "exchange=1d", "--expiry-window", "postfix=24h"]) == [
            "ann@contoso.test": true, "ben@contoso.test": true, "eve@contoso.test": true])
        #expect(try Mailflow.run(["report", "--db", db.path, "--expiry-window", "imap=1d"]).status == 64)
    }

    @Test func postfixExpiryInALaterRunCountsUnderTheDeferralsConnector() throws {
        let dir = scratchFolder("mailflow-lifecycle-pf")
        let db = dir.appendingPathComponent("p.db")
        let day1 = dir.appendingPathComponent("maillog.1"), day2 = dir.appendingPathComponent("maillog")
        try """
            Nov  2 06:00:00 relay1 postfix/cleanup[4]: 7A1B2C3D4E: message-id=<pf1@example.com>
            Nov  2 06:00:05 relay1 postfix/smtp[5]: 7A1B2C3D4E: to=<ann@contoso.test>, relay=none, delay=5, delays=0/0/5/0, dsn=4.4.1, status=deferred (connect to mx.contoso.test[198.51.100.7]:25: Connection timed out)
            Nov  2 06:00:05 relay1 postfix/smtp[5]: 7A1B2C3D4E: to=<bob@contoso.test>, relay=none, delay=5, delays=0/0/5/0, dsn=4.4.1, status=deferred (connect to mx.contoso.test[198.51.100.7]:25: Connection timed out)
            Nov  2 09:00:00 relay1 postfix/smtp[6]: 7A1B2C3D4E: to=<bob@contoso.test>, relay=mx.contoso.test[198.51.100.7]:25, delay=10800, delays=10795/0/0.1/0.1, dsn=2.0.0, status=sent (250 2.0.0 Ok)

            """.write(to: day1, atomically: true, encoding: .utf8)
        try """
            Nov  7 06:00:06 relay1 postfix/qmgr[3]: 7A1B2C3D4E: from=<kim@example.com>, status=expired, returned to sender

            """.write(to: day2, atomically: true, encoding: .utf8)
        #expect(try Mailflow.run(["ingest", "--db", db.path, "--year", "2026", day1.path]).status == 0)
        #expect(try Mailflow.run(["ingest", "--db", db.path, "--year", "2026", day2.path]).status == 0)
        let expired = try Mailflow.sql(db, "SELECT message_id, recipient, connector, root_cause FROM v_expired")
        #expect(expired.map { r in ["message_id", "recipient", "connector", "root_cause"].map { text(r[$0]) } } == [
            ["<pf1@example.com>", "ann@contoso.test", "smtp:[mx.contoso.test]", "4.4.1"]])
        #expect(try Mailflow.sql(db, "SELECT connector, root_cause FROM v_events WHERE kind = 'expired'").map { [text($0["connector"]), text($0["root_cause"])] }
            == [["smtp:[mx.contoso.test]", "4.4.1"]])
        #expect(try Mailflow.int(db, "SELECT events FROM v_connector_daily WHERE kind = 'expired' AND connector = 'smtp:[mx.contoso.test]'") == 1)
    }
}
