import Foundation
import MailflowCore
import MailflowScanner
import Testing

/// Formats and shapes the corpus does not hold: PowerShell `Export-Csv` of
/// Get-MessageTrackingLog (local times), the Reporting Web Service JSON, message trace CSV
/// with a multi-line subject, detail JSON, time zones across DST, the v1 -> v2 migration.
/// Expected values are worked out by hand from the rules (corpus README, formats.md).
@Suite("formats beyond the corpus")
struct FormatsTests {
    /// Writes `text` into a fresh folder and ingests it.
    private func ingest(_ text: String, name: String, options: DecodeOptions = DecodeOptions()) throws -> (db: String, file: String, summary: IngestSummary) {
        let dir = temporaryDirectory()
        let file = dir + "/" + name
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let db = dir + "/t.db"
        let summary = try Ingestor(databasePath: db, options: options).ingest(paths: [file])
        return (db, file, summary)
    }

    @Test func powershellExportCsvWithLocalTimes() throws {
        let csv = """
            #TYPE Microsoft.Exchange.Management.TransportLogSearchTasks.MessageTrackingEvent\r
            "RunspaceId","Timestamp","ClientIp","ClientHostname","ServerIp","ServerHostname","SourceContext","ConnectorId","Source","EventId","InternalMessageId","MessageId","Recipients","RecipientStatus","TotalBytes","Sender"\r
            "6f1c","11/2/2026 11:15:00 AM","","EX1","198.51.100.7","mx1.contoso.test","","Outbound to Contoso","SMTP","DEFER","123","<a1@example.com>","bob@contoso.test","451 4.4.0 DNS query failed","1200","alice@example.com"\r
            "6f1c","11/2/2026 1:15:00 PM","","EX1","198.51.100.7","mx1.contoso.test","","Outbound to Contoso","SMTP","SEND","123","<a1@example.com>","bob@contoso.test;carol@contoso.test","250 2.1.5 Recipient OK;250 2.1.5 Recipient OK","1200","alice@example.com"\r
            "6f1c","11/4/2026 11:20:00 AM","","EX1","","","","Outbound to Contoso","QUEUE","FAIL","124","<a2@example.com>","dan@fabrikam.test","550 4.4.7 QUEUE.Expired; message expired","99","alice@example.com"\r
            "6f1c","11/4/2026 11:21:00 AM","","EX1","","","","","SMTP","RECEIVE","125","<a3@example.com>","System.String[]","System.String[]","99","alice@example.com"\r

            """
        let r = try ingest(csv, name: "export.csv", options: DecodeOptions(timeZone: "Europe/Berlin"))
        #expect(r.summary.failedFiles == 0, "\(r.summary.files.map(\.status))")
        #expect(try rows(r.db, "SELECT format, time_rule FROM source_file")[0] == [
            "exchange-message-tracking-csv", "Timestamp is local time, read in Europe/Berlin (--timezone)"])
        // 11:15 CET (UTC+1 in November) is 10:15 UTC; the record's line is 3 (#TYPE, header).
        let got = try rows(r.db, "SELECT line, time_utc, kind, recipient, reply_code, enhanced_code, root_cause FROM v_events ORDER BY time_ms, recipient")
        #expect(got == [
            ["3", "2026-11-02T10:15:00.000Z", "deferred", "bob@contoso.test", "451", "4.4.0", "4.4.0"],
            ["4", "2026-11-02T12:15:00.000Z", "sent", "bob@contoso.test", "250", "2.1.5", "NULL"],
            ["4", "2026-11-02T12:15:00.000Z", "sent", "carol@contoso.test", "250", "2.1.5", "NULL"],
            ["5", "2026-11-04T10:20:00.000Z", "expired", "dan@fabrikam.test", "550", "4.4.7", "unknown"],
            ["6", "2026-11-04T10:21:00.000Z", "received", "NULL", "NULL", "NULL", "NULL"],
        ])
    }

    @Test func localClockAcrossDaylightSavingChanges() throws {
        let berlin = try LocalClock(zone: "Europe/Berlin")
        func local(_ s: String) -> Int64 { Array(s.utf8).withUnsafeBytes { Timestamp.parseISO8601($0)! } }
        func iso(_ ms: Int64) -> String { Timestamp.isoString(ms) }
        // Summer time (UTC+2), winter time (UTC+1).
        #expect(iso(berlin.utc(fromLocal: local("2026-07-01T12:00:00"))) == "2026-07-01T10:00:00.000Z")
        #expect(iso(berlin.utc(fromLocal: local("2026-12-01T12:00:00"))) == "2026-12-01T11:00:00.000Z")
        // 2026-03-29 02:30 does not exist (clocks jump 02:00 -> 03:00): read with the offset before (UTC+1).
        #expect(iso(berlin.utc(fromLocal: local("2026-03-29T02:30:00"))) == "2026-03-29T01:30:00.000Z")
        // 2026-10-25 02:30 happens twice: the first (UTC+2).
        #expect(iso(berlin.utc(fromLocal: local("2026-10-25T02:30:00"))) == "2026-10-25T00:30:00.000Z")
        #expect(iso(berlin.utc(fromLocal: local("2026-10-25T03:30:00"))) == "2026-10-25T02:30:00.000Z")
        #expect(throws: LocalClock.Failure.self) { _ = try LocalClock(zone: "Mars/Olympus_Mons") }
    }

    @Test func reportingWebServiceJSON() throws {
        let json = """
            {"d":{"results":[
            {"__metadata":{"id":"https://reports.office365.com/x(0)","uri":"https://reports.office365.com/x(0)","type":"TenantReporting.MessageTrace"},"Organization":"contoso.onmicrosoft.com","MessageId":"\\u003cr1@example.com\\u003e","Received":"/Date(1658751973240)/","SenderAddress":"a@example.com","RecipientAddress":"b@contoso.test","Subject":"Hi \\"there\\" \\u00e9 [x]","Status":"Failed","ToIP":null,"FromIP":"203.0.113.5","Size":1234,"MessageTraceId":"g1","StartDate":"/Date(1658700000000)/","EndDate":"/Date(1658800000000)/","Index":0},
            {"__metadata":{"type":"TenantReporting.MessageTrace"},"MessageId":"<r2@example.com>","Received":"/Date(1658751974000)/","SenderAddress":"a@example.com","RecipientAddress":"c@contoso.test","Subject":null,"Status":"Delivered","ToIP":"198.51.100.9","FromIP":"203.0.113.5","Size":99,"MessageTraceId":"g2","Index":1}
            ]}}
            """
        let r = try ingest(json, name: "rws.json")
        #expect(try rows(r.db, "SELECT format FROM source_file")[0] == ["exo-message-trace"])
        let got = try rows(r.db, "SELECT line, time_utc, kind, message_id, recipient, root_cause, remote_ip FROM v_events ORDER BY time_ms")
        #expect(got == [
            ["2", "2022-07-25T12:26:13.240Z", "failed", "<r1@example.com>", "b@contoso.test", "unknown", "NULL"],
            ["3", "2022-07-25T12:26:14.000Z", "delivered", "<r2@example.com>", "c@contoso.test", "NULL", "198.51.100.9"],
        ])
    }

    @Test func messageTraceCSVWithMultiLineSubject() throws {
        let csv = "\"Received\",\"SenderAddress\",\"RecipientAddress\",\"Subject\",\"Status\",\"ToIP\",\"FromIP\",\"Size\",\"MessageId\",\"MessageTraceId\"\r\n"
            + "\"11/2/2026 10:00:00 AM\",\"a@example.com\",\"b@contoso.test\",\"Multi\r\nline, \"\"quoted\"\" subject\",\"Pending\",\"\",\"203.0.113.9\",\"100\",\"<m1@example.com>\",\"g1\"\r\n"
            + "\"2026-11-02T11:00:00.1234567Z\",\"a@example.com\",\"c@contoso.test\",\"x\",\"Quarantined\",\"\",\"203.0.113.9\",\"100\",\"<m2@example.com>\",\"g2\"\r\n"
            + "\"2026-11-02T11:00:01Z\",\"a@example.com\",\"c@contoso.test\",\"ragged\"\r\n"
        let r = try ingest(csv, name: "trace.csv")
        #expect(try rows(r.db, "SELECT format FROM source_file")[0] == ["exo-message-trace"])
        #expect(try rows(r.db, "SELECT line, time_utc, kind, root_cause FROM v_events ORDER BY line") == [
            ["2", "2026-11-02T10:00:00.000Z", "deferred", "unknown"],
            ["4", "2026-11-02T11:00:00.123Z", "dropped", "NULL"],
        ])
        // The ragged row is line 5, byte offset of its line start.
        let offset = csv.utf8.count - "\"2026-11-02T11:00:01Z\",\"a@example.com\",\"c@contoso.test\",\"ragged\"\r\n".utf8.count
        #expect(try rows(r.db, "SELECT line, byte_offset, kind FROM v_parse_issues") == [["5", "\(offset)", "ragged-row"]])
    }

    @Test func detailJSONExpiryTakesTheLatestDeferral() throws {
        let json = """
            [
              {"MessageTraceId": "t1", "MessageId": "<d1@example.com>", "Date": "2026-11-03T10:05:00Z", "Event": "Fail", "Action": null,
               "Detail": "Reason: [{LED=550 4.4.7 QUEUE.Expired; message expired};{MSG=};{FQDN=};{IP=};{LRT=}]", "RecipientAddress": "b@contoso.test"},
              {"MessageTraceId": "t1", "MessageId": "<d1@example.com>", "Date": "2026-11-02T10:00:00.5Z", "Event": "Defer", "Action": null,
               "Detail": "Reason: [{LED=450 4.4.316 Connection refused [Message=Socket error code 10061]};{MSG=};{FQDN=mx.contoso.test};{IP=198.51.100.7};{LRT=}]. OutboundProxyTargetIP: 198.51.100.7", "RecipientAddress": "b@contoso.test"},
              {"MessageTraceId": "t1", "MessageId": "<d1@example.com>", "Date": "2026-11-02T14:00:00Z", "Event": "Defer", "Action": null,
               "Detail": "Reason: [{LED=450 4.4.315 Connection timed out};{MSG=};{FQDN=mx.contoso.test};{IP=198.51.100.7};{LRT=}]", "RecipientAddress": "b@contoso.test"}
            ]
            """
        let r = try ingest(json, name: "detail.json")
        #expect(try rows(r.db, "SELECT format FROM source_file")[0] == ["exo-message-trace-detail"])
        #expect(try rows(r.db, "SELECT line, kind, reply_code, enhanced_code, root_cause, remote_host FROM v_events ORDER BY time_ms") == [
            ["4", "deferred", "450", "4.4.316", "4.4.316", "mx.contoso.test"],
            ["6", "deferred", "450", "4.4.315", "4.4.315", "mx.contoso.test"],
            ["2", "expired", "550", "4.4.7", "unknown", "NULL"],
        ])
        // The expiry comes first in the file: the lifecycle still ends expired, and the
        // cause the delivery keeps is the one known when it expired.
        #expect(try rows(r.db, "SELECT message_id, recipient FROM v_expired") == [["<d1@example.com>", "b@contoso.test"]])
    }

    @Test func jsonScannerShapesAndDamage() throws {
        func records(_ text: String, max: Int = 1 << 20) throws -> [String] {
            let s = JSONRecordScanner(source: MemoryByteSource(Array(text.utf8), chunkLimit: 3), maxRecordBytes: max, readSize: 7)
            var out: [String] = []
            while true {
                switch try s.next() {
                case .record: out.append("\(s.recordLine)@\(s.recordLineOffset):" + String(decoding: s.recordBytes, as: UTF8.self))
                case .issue(let i): out.append("\(i.kind.rawValue)@\(i.line):\(i.lineOffset)")
                case .directive: break
                case .end: return out
                }
            }
        }
        #expect(try records("[{\"a\":1},\r\n {\"b\":\"}\"}]") == ["1@0:{\"a\":1}", "2@11:{\"b\":\"}\"}"])
        #expect(try records("{\"value\":[{\"a\":[1]}\n,{\"b\":2}]}") == ["1@0:{\"a\":[1]}", "2@20:{\"b\":2}"])
        #expect(try records("{\"a\":1}\n{\"b\":2}\n") == ["1@0:{\"a\":1}", "2@8:{\"b\":2}"])
        #expect(try records("[{\"a\":1},\r{\"b\":") == ["1@0:{\"a\":1}", "truncated-record@2:10"])
        #expect(try records("[{\"a\":\"0123456789012345678901234567890\"},{\"b\":2}]", max: 20) == ["record-too-long@1:0", "1@0:{\"b\":2}"])
        // Elements that are not objects, and text after the array, are issues; the objects
        // around them are kept.
        #expect(try records("[{\"a\":1},\n GARBAGE!!,\n{\"b\":2}, 42, \"s\", [[1,{\"x\":1}]], {\"c\":3}] junk {\"z\":1}") == [
            "1@0:{\"a\":1}", "undecodable@2:10", "3@22:{\"b\":2}", "undecodable@3:22", "undecodable@3:22", "undecodable@3:22",
            "3@22:{\"c\":3}", "undecodable@3:22"])
        // JSON Lines: a stray line is skipped up to its line end.
        #expect(try records("{\"a\":1}\nnot json\n{\"b\":2}\n") == ["1@0:{\"a\":1}", "undecodable@2:8", "3@17:{\"b\":2}"])
        // Wrapper members after the records array (OData paging) are not junk.
        #expect(try records("{\"d\":{\"results\":[{\"a\":1}],\"__next\":\"https://x\"}}") == ["1@0:{\"a\":1}"])
        // Two exports joined with cat: both arrays are read.
        #expect(try records("[{\"a\":1}]\n[{\"b\":2}]\n") == ["1@0:{\"a\":1}", "2@10:{\"b\":2}"])
    }

    @Test func schemaVersion1IsMigratedInPlace() throws {
        let dir = temporaryDirectory()
        let db = dir + "/old.db"
        let v1 = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/schema-v1.sql").path
        do {
            let old = try Database(path: db)
            try old.execute(String(contentsOfFile: v1, encoding: .utf8))
            try old.execute("INSERT INTO message(id, message_id, msg_key, first_ms) VALUES (7, '<old@example.com>', 42, 1000)")
        }
        let file = dir + "/m.log"
        try "#Fields: date-time,event-id,message-id,recipient-address,recipient-status\n2026-11-02T10:00:00.000Z,DEFER,<n@example.com>,b@contoso.test,451 4.4.0 DNS query failed\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let summary = try Ingestor(databasePath: db).ingest(paths: [file])
        #expect(summary.failedFiles == 0)
        #expect(try rows(db, "SELECT user_version FROM pragma_user_version") == [["2"]])
        #expect(try rows(db, "SELECT id, message_id, queue_id FROM message ORDER BY id") == [
            ["7", "<old@example.com>", "NULL"], ["8", "<n@example.com>", "NULL"]])
        #expect(try rows(db, "SELECT message_id, kind FROM v_events") == [["<n@example.com>", "deferred"]])
    }

    @Test func utf16IssueOffsetsAreFileOffsets() throws {
        let header = "\"Received\",\"SenderAddress\",\"RecipientAddress\",\"Subject\",\"Status\",\"ToIP\",\"FromIP\",\"Size\",\"MessageId\",\"MessageTraceId\"\r\n"
        let good = "\"2026-11-02T10:00:00Z\",\"a@example.com\",\"b@contoso.test\",\"Grüße 📬\",\"Delivered\",\"\",\"\",\"1\",\"<u1@example.com>\",\"g\"\r\n"
        let ragged = "\"2026-11-02T10:00:01Z\",\"ragged\"\r\n"
        let text = header + good + ragged
        let dir = temporaryDirectory()
        let file = dir + "/u16.csv"
        // UTF-16LE with BOM, as the Exchange Online historical search writes.
        var bytes: [UInt8] = [0xFF, 0xFE]
        for unit in text.utf16 { bytes.append(UInt8(unit & 0xFF)); bytes.append(UInt8(unit >> 8)) }
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let db = dir + "/t.db"
        _ = try Ingestor(databasePath: db).ingest(paths: [file])
        #expect(try rows(db, "SELECT encoding, records FROM source_file") == [["utf-16le-bom", "1"]])
        // The ragged row starts at line 3: BOM + both earlier lines, two bytes per UTF-16 unit.
        let offset = 2 + 2 * (header.utf16.count + good.utf16.count)
        #expect(try rows(db, "SELECT line, byte_offset, kind FROM v_parse_issues") == [["3", "\(offset)", "ragged-row"]])
        #expect(try rows(db, "SELECT recipient, kind FROM v_events") == [["b@contoso.test", "delivered"]])
    }

    @Test func protocolLogRepliesAnswerTheirCommandsInOrder() throws {
        // Two interleaved sessions; session A pipelines MAIL and two RCPTs (RFC 2920): the
        // third final reply answers the second RCPT. The 250- continuation answers nothing.
        let log = """
            #Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context
            2026-11-02T10:00:00.000Z,Out,A,0,192.0.2.10:1000,198.51.100.7:25,<,220 mx ready,
            2026-11-02T10:00:00.001Z,Out,B,0,192.0.2.10:1001,198.51.100.8:25,<,220 mx2 ready,
            2026-11-02T10:00:00.002Z,Out,A,1,192.0.2.10:1000,198.51.100.7:25,>,EHLO ex.example.com,
            2026-11-02T10:00:00.003Z,Out,A,2,192.0.2.10:1000,198.51.100.7:25,<,250-mx Hello,
            2026-11-02T10:00:00.004Z,Out,A,3,192.0.2.10:1000,198.51.100.7:25,<,250 PIPELINING,
            2026-11-02T10:00:00.005Z,Out,A,4,192.0.2.10:1000,198.51.100.7:25,>,MAIL FROM:<ann@example.com> SIZE=10,
            2026-11-02T10:00:00.006Z,Out,A,5,192.0.2.10:1000,198.51.100.7:25,>,RCPT TO:<bo@contoso.test>,
            2026-11-02T10:00:00.007Z,Out,A,6,192.0.2.10:1000,198.51.100.7:25,>,rcpt to: <cy@contoso.test>,
            2026-11-02T10:00:00.008Z,Out,B,1,192.0.2.10:1001,198.51.100.8:25,>,MAIL FROM:<dee@example.com>,
            2026-11-02T10:00:00.009Z,Out,A,7,192.0.2.10:1000,198.51.100.7:25,<,250 2.1.0 Sender OK,
            2026-11-02T10:00:00.010Z,Out,A,8,192.0.2.10:1000,198.51.100.7:25,<,250 2.1.5 Recipient OK,
            2026-11-02T10:00:00.011Z,Out,A,9,192.0.2.10:1000,198.51.100.7:25,<,452 4.5.3 Too many recipients,
            2026-11-02T10:00:00.012Z,Out,B,2,192.0.2.10:1001,198.51.100.8:25,<,550 5.7.1 Sender rejected,

            """
        let r = try ingest(log, name: "SEND.LOG")
        #expect(try rows(r.db, "SELECT line, kind, sender, recipient, remote_ip, enhanced_code FROM v_events WHERE kind != 'other' ORDER BY line") == [
            ["13", "deferred", "ann@example.com", "cy@contoso.test", "198.51.100.7", "4.5.3"],
            ["14", "failed", "dee@example.com", "NULL", "198.51.100.8", "5.7.1"],
        ])
    }

    @Test func strayQuoteInACSVExportDoesNotSwallowTheRest() throws {
        let header = "\"Date\",\"Event\",\"Action\",\"Detail\",\"Data\",\"MessageId\",\"MessageTraceId\",\"RecipientAddress\"\r\n"
        func row(_ time: String, _ event: String, _ to: String) -> String {
            "\"11/2/2026 \(time)\",\"\(event)\",\"\",\"x\",\"<root></root>\",\"<s1@example.com>\",\"t\",\"\(to)\"\r\n"
        }
        // Row 3 has a stray quote inside a field (odd quote count on its line); the last row
        // opens a quote that never closes (rule R1: unterminated-quote at its first line).
        let text = header + row("9:00:00 AM", "Receive", "a@contoso.test") + row("9:01:00 AM", "Def\"er", "b@contoso.test")
            + row("9:02:00 AM", "Deliver", "c@contoso.test") + row("9:03:00 AM", "Deliver", "d@contoso.test")
            + "\"11/2/2026 9:04:00 AM\",\"Deliver\",\"\",\"open quote\r\n"
        let r = try ingest(text, name: "stray.csv")
        #expect(try rows(r.db, "SELECT line, recipient FROM v_events ORDER BY line") == [
            ["2", "a@contoso.test"], ["3", "b@contoso.test"], ["4", "c@contoso.test"], ["5", "d@contoso.test"]])
        let lastLine = text.utf8.count - "\"11/2/2026 9:04:00 AM\",\"Deliver\",\"\",\"open quote\r\n".utf8.count
        #expect(try rows(r.db, "SELECT line, byte_offset, kind FROM v_parse_issues") == [["6", "\(lastLine)", "unterminated-quote"]])
    }

    @Test func detectionLooksPastOtherProgramsAndLongFirstRecords() throws {
        // 300 dovecot lines (more than the 16 KiB the detector reads) before the first Postfix line.
        var maillog = ""
        for i in 0..<300 { maillog += "Mar  1 10:00:\(String(format: "%02d", i % 60)) mh dovecot: imap(u\(i)): Logged out in=1 out=2\n" }
        maillog += "Mar  1 11:00:00 mh postfix/smtp[1]: QQ1: to=<u@contoso.test>, relay=none, delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred (connect to mx.contoso.test[198.51.100.7]:25: Connection timed out)\n"
        let a = try ingest(maillog, name: "maillog", options: DecodeOptions(year: 2026))
        #expect(try rows(a.db, "SELECT format, records, skipped FROM source_file") == [["postfix", "1", "300"]])
        #expect(try rows(a.db, "SELECT kind, root_cause FROM v_events") == [["deferred", "4.4.1"]])
        // A detail row whose Data is 20 KB: the first record does not end within the head.
        let data = String(repeating: "<MEP Name=\\\"X\\\" String=\\\"y\\\"/>", count: 800)
        let json = "[\n {\"Date\": \"2026-11-02T10:00:00Z\", \"Event\": \"Defer\", \"Data\": \"\(data)\", \"Detail\": \"Reason: [{LED=450 4.4.316 Connection refused};{MSG=}]\", \"MessageId\": \"<b1@example.com>\", \"RecipientAddress\": \"b@contoso.test\"}\n]\n"
        let b = try ingest(json, name: "detail.json")
        #expect(try rows(b.db, "SELECT format FROM source_file") == [["exo-message-trace-detail"]])
        #expect(try rows(b.db, "SELECT kind, enhanced_code FROM v_events") == [["deferred", "4.4.316"]])
    }

    @Test func syslogDatesThatDoNotExistAreRejected() throws {
        let log = """
            Feb 28 10:00:00 mh postfix/smtp[1]: Q2: to=<b@contoso.test>, relay=none, delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred (connect to x[192.0.2.1]:25: Connection timed out)
            Feb 29 10:00:00 mh postfix/smtp[1]: Q3: to=<c@contoso.test>, relay=none, delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred (connect to x[192.0.2.1]:25: Connection timed out)
            Feb 30 10:00:00 mh postfix/smtp[1]: Q1: to=<a@contoso.test>, relay=none, delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred (connect to x[192.0.2.1]:25: Connection timed out)

            """
        let common = try ingest(log, name: "maillog", options: DecodeOptions(year: 2026))
        #expect(try rows(common.db, "SELECT time_utc FROM v_events") == [["2026-02-28T10:00:00.000Z"]])
        #expect(try rows(common.db, "SELECT line, kind, detail FROM v_parse_issues ORDER BY line") == [
            ["2", "undecodable", "Feb 29 does not exist in 2026"], ["3", "undecodable", "Feb 30 does not exist in 2026"]])
        let leap = try ingest(log, name: "maillog", options: DecodeOptions(year: 2028))
        #expect(try rows(leap.db, "SELECT time_utc FROM v_events ORDER BY time_ms") == [["2028-02-28T10:00:00.000Z"], ["2028-02-29T10:00:00.000Z"]])
    }

    @Test func exchangeOnlineTimesAreUTCWhateverTheTimezoneOption() throws {
        let csv = "\"Date\",\"Event\",\"Action\",\"Detail\",\"Data\",\"MessageId\",\"MessageTraceId\",\"RecipientAddress\"\r\n"
            + "\"3/2/2026 3:04:05 AM\",\"Receive\",\"\",\"x\",\"\",\"<u1@example.com>\",\"t\",\"a@contoso.test\"\r\n"
        let r = try ingest(csv, name: "detail.csv", options: DecodeOptions(timeZone: "Europe/Berlin"))
        #expect(try rows(r.db, "SELECT time_utc FROM v_events") == [["2026-03-02T03:04:05.000Z"]])
    }
}
