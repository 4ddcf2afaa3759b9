import Foundation
import MailflowCore
import MailflowScanner
import Testing

/// One decoded event, copied out of the decoder's borrowed views (empty view -> nil).
struct PostfixEvent {
    var line: Int
    var time: String
    var kind: EventKind
    var daemon: String?
    var source: String?
    var connector: String?
    var queueID: String?
    var messageID: String?
    var sender: String?
    var recipient: String?
    var reply: Int?
    var enhanced: String?
    var rootCause: String?
    var statusText: String?
    var remoteHost: String?
    var remoteIP: String?
    var expiresMessage: Bool
}

/// Keeps copies of every event written to it.
final class CapturingSink: EventSink {
    var events: [PostfixEvent] = []

    func write(_ e: inout DeliveryEvent) throws {
        func text(_ b: UnsafeRawBufferPointer?) -> String? {
            guard let b, !b.isEmpty else { return nil }
            return String(decoding: b, as: UTF8.self)
        }
        events.append(PostfixEvent(
            line: e.line, time: Timestamp.isoString(e.timeMs), kind: e.kind, daemon: text(e.rawEvent),
            source: text(e.source), connector: text(e.connector), queueID: text(e.queueID),
            messageID: text(e.messageID), sender: text(e.sender), recipient: text(e.recipient),
            reply: e.replyCode, enhanced: e.enhancedCode?.description, rootCause: e.rootCause,
            statusText: text(e.statusText), remoteHost: text(e.remoteHost), remoteIP: text(e.remoteIP),
            expiresMessage: e.expiresMessage))
    }
}

/// What one run of ``PostfixLog`` over a text gave.
struct PostfixRun {
    var events: [PostfixEvent] = []
    /// Decoder outcome per record, in order.
    var outcomes: [DecodeOutcome] = []
    /// Scanner issues and rejected records, in order.
    var issues: [ScanIssue] = []
    var decoder: PostfixLog
}

/// Scans and decodes `text` with a new ``PostfixLog``, as the ingest pipeline does.
/// - Parameters:
///   - mtime: the file's modification time (ISO 8601, UTC).
///   - state: a ``PostfixLog/resumeState`` to restore first.
func decodePostfix(
    _ text: String, year: Int? = nil, mtime: String? = nil, zone: String = "UTC", state: String? = nil,
    chunkLimit: Int = .max
) throws -> PostfixRun {
    let mtimeMs = mtime.map { Array($0.utf8).withUnsafeBytes { Timestamp.parseISO8601($0)! } }
    let decoder = PostfixLog(year: year, modificationMs: mtimeMs, clock: try LocalClock(zone: zone))
    if let state { _ = decoder.restore(state) }
    let scanner = RecordScanner(source: MemoryByteSource(Array(text.utf8), chunkLimit: chunkLimit), options: decoder.scannerOptions)
    let sink = CapturingSink()
    var run = PostfixRun(decoder: decoder)
    loop: while true {
        switch try scanner.next() {
        case .record:
            let outcome = try decoder.decode(scanner, into: sink)
            run.outcomes.append(outcome)
            if case .rejected(let issue) = outcome { run.issues.append(issue) }
        case .issue(let issue):
            run.issues.append(issue)
        case .directive:
            Issue.record("Postfix logs have no directives")
        case .end:
            break loop
        }
    }
    run.events = sink.events
    return run
}

@Suite("Postfix maillog decoder")
struct PostfixLogTests {
    static let delivery = "to=<ann@contoso.test>, relay=mx.contoso.test[198.51.100.7]:25, delay=1.2, delays=0.1/0/0.6/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4Fq2Lk0ZbXz9sWv)"

    // MARK: Time

    @Test func givenYearStepsAtEachDecemberToJanuary() throws {
        let run = try decodePostfix("""
            Dec 31 23:59:59 mx postfix/qmgr[1]: 4B7D2C0E51: removed
            Jan  1 00:00:01 mx postfix/qmgr[1]: 4B7D2C0E52: removed
            Jan  1 00:00:01 mx postfix/qmgr[1]: 4B7D2C0E53: removed
            Feb 28 10:00:00 mx postfix/qmgr[1]: 4B7D2C0E54: removed

            """, year: 2026)
        #expect(run.events.map(\.time) == [
            "2026-12-31T23:59:59.000Z", "2027-01-01T00:00:01.000Z", "2027-01-01T00:00:01.000Z", "2027-02-28T10:00:00.000Z",
        ])
        #expect(run.decoder.lastTimeMs == Array("2027-02-28T10:00:00Z".utf8).withUnsafeBytes { Timestamp.parseISO8601($0) })
        let rule = try #require(run.decoder.timeRule)
        #expect(rule.contains("year 2026 from --year"), "\(rule)")
        #expect(rule.contains("2027 at the end"), "\(rule)")
        #expect(rule.hasSuffix("zone UTC"), "\(rule)")
    }

    @Test func foreignLinesCountForTheYearStep() throws {
        // The dovecot line carries the December-to-January step; the Postfix line after it
        // stays in January (no second step).
        let run = try decodePostfix("""
            Dec 31 23:59:59 mx postfix/qmgr[1]: 4B7D2C0E51: removed
            Jan  1 00:00:01 mx dovecot: imap-login: Login: user=<amy@example.com>
            Jan  1 00:00:02 mx postfix/qmgr[1]: 4B7D2C0E52: removed

            """, year: 2026)
        #expect(run.outcomes == [.events(1), .skipped, .events(1)])
        #expect(run.events.map(\.time) == ["2026-12-31T23:59:59.000Z", "2027-01-01T00:00:02.000Z"])
    }

    @Test func modificationTimeGivesTheLatestYearAtMostOneDayBefore() throws {
        // mtime 2027-01-01T00:00:00Z, limit one day later (2027-01-02T00:00:00Z):
        // Dec 31 in 2027 is far after it -> 2026; Jan 1 23:00 and Jan 2 00:00:00 (exactly
        // one day) are within it -> 2027; Jan 2 00:00:01 is past it -> 2026.
        let run = try decodePostfix("""
            Dec 31 12:00:00 mx postfix/qmgr[1]: 4B7D2C0E51: removed
            Jan  1 23:00:00 mx postfix/qmgr[1]: 4B7D2C0E52: removed
            Jan  2 00:00:00 mx postfix/qmgr[1]: 4B7D2C0E53: removed
            Jan  2 00:00:01 mx postfix/qmgr[1]: 4B7D2C0E54: removed

            """, mtime: "2027-01-01T00:00:00Z")
        #expect(run.events.map(\.time) == [
            "2026-12-31T12:00:00.000Z", "2027-01-01T23:00:00.000Z", "2027-01-02T00:00:00.000Z", "2026-01-02T00:00:01.000Z",
        ])
        let rule = try #require(run.decoder.timeRule)
        #expect(rule.contains("modification time 2027-01-01T00:00:00.000Z"), "\(rule)")
    }

    @Test func modificationTimeInNovemberPutsDecemberInThePreviousYear() throws {
        let run = try decodePostfix("""
            Dec  1 11:00:00 mx postfix/qmgr[1]: 4B7D2C0E51: removed
            Dec  2 11:00:00 mx postfix/qmgr[1]: 4B7D2C0E52: removed
            Feb 29 08:00:00 mx postfix/qmgr[1]: 4B7D2C0E53: removed

            """, mtime: "2026-11-30T12:00:00Z")
        // Dec 1 11:00 is 23 h after the mtime; Dec 2 11:00 is 47 h after it -> 2025.
        // Feb 29 exists only in leap years: 2024.
        #expect(run.events.map(\.time) == ["2026-12-01T11:00:00.000Z", "2025-12-02T11:00:00.000Z", "2024-02-29T08:00:00.000Z"])
    }

    @Test func classicStampsAreReadInTheGivenZone() throws {
        let run = try decodePostfix("""
            Jul  1 12:00:00 mx postfix/qmgr[1]: 4B7D2C0E51: removed
            Jul  1 12:00:00.250 mx postfix/qmgr[1]: 4B7D2C0E51: removed

            """, year: 2026, zone: "Europe/Berlin")
        #expect(run.events.map(\.time) == ["2026-07-01T10:00:00.000Z", "2026-07-01T10:00:00.250Z"])
        #expect(run.decoder.timeRule?.hasSuffix("zone Europe/Berlin") == true)
    }

    @Test func rfc3339OffsetCrossesMidnight() throws {
        let run = try decodePostfix("""
            2026-11-02T00:30:01.123456+01:00 mailhost postfix/submission/smtpd[3101]: connect from unknown[2001:db8:100::44]
            2026-11-02T23:59:59.9999-02:30 mailhost postfix/qmgr[988]: 4Fq7Yd0XqGz9sWv: removed

            """)
        #expect(run.events.map(\.time) == ["2026-11-01T23:30:01.123Z", "2026-11-03T02:29:59.999Z"])
        #expect(run.events.map(\.daemon) == ["smtpd", "qmgr"])
        #expect(run.decoder.timeRule == nil, "RFC 3339 times need no assumption")
        #expect(run.decoder.resumeState == nil)
    }

    @Test func yearStateSurvivesResume() throws {
        let first = try decodePostfix("""
            Dec 30 08:14:02 mx postfix/qmgr[1]: 4B7D2C0E51: removed
            Dec 31 23:00:00 mx postfix/qmgr[1]: 4B7D2C0E52: removed

            """, year: 2026)
        let state = try #require(first.decoder.resumeState)
        #expect(state.contains("year=2026") && state.contains("month=12"), "\(state)")
        // The next run reads the appended lines: with the same --year or without it, the
        // January line continues into 2027.
        for year in [2026, nil] as [Int?] {
            let next = try decodePostfix("""
                Dec 31 23:30:00 mx postfix/qmgr[1]: 4B7D2C0E53: removed
                Jan  1 00:00:06 mx postfix/qmgr[1]: 4B7D2C0E54: removed

                """, year: year, mtime: "2026-06-01T00:00:00Z", state: state)
            #expect(next.events.map(\.time) == ["2026-12-31T23:30:00.000Z", "2027-01-01T00:00:06.000Z"], "year \(String(describing: year))")
            #expect(next.decoder.timeRule?.contains("continued from the previous run") == true)
        }
        #expect(first.decoder.restore(state) == nil, "no field count")
    }

    @Test func grownFileContinuesWithTheRightYear() throws {
        let dir = temporaryDirectory()
        let path = dir + "/maillog"
        let db = dir + "/p.db"
        let head = "Dec 31 23:59:58 mx postfix/qmgr[1]: 4B7D2C0E51: removed\n"
        try head.write(toFile: path, atomically: false, encoding: .utf8)
        _ = try Ingestor(databasePath: db, options: DecodeOptions(year: 2026)).ingest(paths: [path])
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data("Jan  1 00:00:06 mx postfix/qmgr[1]: 4B7D2C0E52: removed\n".utf8))
        handle.closeFile()
        // Read alone, the new line would get 2030 from this modification time; continued
        // from the stored year state it is the January after December 2026.
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSince1970: 1_906_502_400)], ofItemAtPath: path)  // 2030-06-01
        let second = try Ingestor(databasePath: db).ingest(paths: [path])
        #expect(second.records == 1)
        #expect(try rows(db, "SELECT line, time_utc FROM v_events ORDER BY line") == [
            ["1", "2026-12-31T23:59:58.000Z"], ["2", "2027-01-01T00:00:06.000Z"],
        ])
        #expect(try rows(db, "SELECT time_rule FROM source_file ORDER BY id").last?.first?.contains("continued") == true)
    }

    // MARK: Records

    @Test func multiInstanceTagIsPostfix() throws {
        let run = try decodePostfix("Nov  4 07:41:08 mx postfix-out/smtp[20502]: 4E74613FE76: \(Self.delivery)\n", year: 2026)
        let e = try #require(run.events.first)
        #expect(e.kind == .sent)
        #expect(e.daemon == "smtp")
        #expect(e.source == "sent")
        #expect(e.queueID == "4E74613FE76")
        #expect(e.recipient == "ann@contoso.test")
        #expect(e.connector == "smtp:[mx.contoso.test]")
        #expect(e.remoteHost == "mx.contoso.test" && e.remoteIP == "198.51.100.7")
        #expect(e.reply == 250 && e.enhanced == "2.0.0" && e.rootCause == nil)
        #expect(e.statusText == "250 2.0.0 Ok: queued as 4Fq2Lk0ZbXz9sWv")
    }

    @Test(arguments: [
        ("Mar 22 08:00:01 mailhost postfix/smtpd[12345]: connect from a[192.0.2.1]", true),
        ("Mar 22 08:00:01 mailhost postfix-out/smtp[1]: connect to b[192.0.2.2]:25: Connection refused", true),
        ("Mar 22 08:00:01 mailhost postfix/submission/smtpd: connect from a[192.0.2.1]", true),
        ("Mar 22 08:00:01 mailhost postfix[77]: starting the Postfix mail system", true),
        ("Mar 22 08:00:01 postfix/smtpd[12345]: connect from a[192.0.2.1] (no host)", true),
        ("2024-03-22T08:00:01.000+00:00 mailhost postfix/smtpd[12345]: connect from a[192.0.2.1]", true),
        ("Mar 22 08:00:01 mailhost postfixadmin[1]: login", false),
        ("Mar 22 08:00:01 mailhost postfix-out[1]: no component after the instance", false),
        ("Mar 22 08:00:01 mailhost dovecot: imap-login: Login", false),
        ("postfix/smtpd[12345]: connect from a[192.0.2.1]", false),
        ("22 Mar 08:00:01 mailhost postfix/smtpd[12345]: connect", false),
    ])
    func recognisesPostfixLines(line: String, isPostfix: Bool) {
        #expect(PostfixLog.isPostfixLine(Array(line.utf8)) == isPostfix)
    }

    @Test func noqueueRejectIsDroppedWithCodes() throws {
        let run = try decodePostfix("""
            Dec 30 09:40:12 mailhost postfix/smtpd[21602]: NOQUEUE: reject: RCPT from unknown[203.0.113.99]: 554 5.7.1 <victim@contoso.test>: Relay access denied; from=<bulk@fabrikam.test> to=<victim@contoso.test> proto=ESMTP helo=<fabrikam.test>
            2026-11-02T09:41:12.000000+01:00 mailhost postfix/postscreen[3450]: NOQUEUE: reject: RCPT from [2001:db8:bad::1]:50122: 450 4.7.1 Service unavailable; client [2001:db8:bad::1] blocked using rbl.example.com; from=<x@fabrikam.test>, to=<amy@example.com>, proto=ESMTP, helo=<bad.fabrikam.test>
            Dec 30 09:40:13 mailhost postfix/smtpd[21602]: NOQUEUE: reject_warning: RCPT from unknown[203.0.113.99]: 554 5.7.1 <v@contoso.test>: Relay access denied; from=<b@fabrikam.test> to=<v@contoso.test>

            """, year: 2026)
        let (a, b, c) = (run.events[0], run.events[1], run.events[2])
        #expect(a.kind == .dropped && a.reply == 554 && a.enhanced == "5.7.1" && a.rootCause == nil)
        #expect(a.queueID == nil && a.source == "reject")
        #expect(a.statusText == "554 5.7.1 <victim@contoso.test>: Relay access denied")
        #expect(a.sender == "bulk@fabrikam.test" && a.recipient == "victim@contoso.test")
        #expect(a.remoteHost == nil && a.remoteIP == "203.0.113.99")
        #expect(b.kind == .dropped && b.reply == 450 && b.enhanced == "4.7.1" && b.daemon == "postscreen")
        #expect(b.remoteIP == "2001:db8:bad::1" && b.recipient == "amy@example.com")
        #expect(c.kind == .other && c.reply == nil && c.enhanced == nil, "reject_warning refuses nothing (K2)")
    }

    @Test func foreignProgramLinesAreSkipped() throws {
        let run = try decodePostfix("""
            Dec 31 09:12:01 mailhost opendkim[812]: 9C3E7A4D21: DKIM-Signature field added (s=mail, d=example.com)
            Dec 31 09:12:01 mailhost dovecot: imap-login: Login: user=<amy@example.com>
            Dec 31 09:12:02 mailhost last message repeated 3 times
            Dec 31 09:12:03 mailhost postfix/qmgr[1187]: 9C3E7A4D21: removed

            """, year: 2026)
        #expect(run.outcomes == [.skipped, .skipped, .skipped, .events(1)])
        #expect(run.issues.isEmpty)
        #expect(run.events.count == 1)
        #expect(run.decoder.lastTimeMs == Array("2026-12-31T09:12:03Z".utf8).withUnsafeBytes { Timestamp.parseISO8601($0) })
    }

    @Test func fragmentsAreRaggedAndATruncatedTailIsTruncated() throws {
        let text = "Dec 30 08:14:33 mailhost postfix/smtp[21550]: 4B7D2C0E51: to=<ann@con\0\0toso.test>, relay=none\n"
            + "Dec 30 08:14:34 mailhost postfix/qmgr[1187]: 4B7D2C0E51: removed\n"
            + "  wrapped continuation text\n"
            + "Dec 30 08:14:3"
        for chunk in [Int.max, 7] {
            let run = try decodePostfix(text, year: 2026, chunkLimit: chunk)
            #expect(run.outcomes.count == 5)
            #expect(run.events.count == 2, "the head of the split line and the qmgr line are records")
            #expect(run.issues.map(\.kind) == [.nulBytes, .raggedRow, .raggedRow, .truncatedRecord])
            #expect(run.issues.map(\.line) == [1, 1, 3, 4])
            #expect(run.issues.map(\.lineOffset) == [0, 0, 159, 187])
            #expect(run.events.first?.recipient == "ann@con", "a cut line is still a record")
        }
    }

    @Test func multiLineReplyKeepsTheFirstCode() throws {
        let run = try decodePostfix("""
            2026-11-02T08:15:01.900000+01:00 mailhost postfix/smtp[3310]: 4Fq8Bc3MnPz9sWy: to=<gil@contoso.test>, relay=mx.contoso.test[2001:db8:7::7]:25, delay=1.8, delays=0.08/0/0.6/1.1, dsn=5.7.26, status=bounced (host mx.contoso.test[2001:db8:7::7] said: 550-5.7.26 This mail has been blocked because the sender is unauthenticated. 550-5.7.26 Senders must authenticate with SPF or DKIM. 550 5.7.26 Please fix (in reply to end of DATA command)) trailing

            """)
        let e = try #require(run.events.first)
        #expect(e.kind == .failed)
        #expect(e.reply == 550 && e.enhanced == "5.7.26" && e.rootCause == "5.7.26")
        #expect(e.statusText?.hasSuffix("(in reply to end of DATA command)") == true, "nested parentheses kept, trailing text dropped")
        #expect(e.connector == "smtp:[mx.contoso.test]" && e.remoteIP == "2001:db8:7::7")
    }

    @Test func deferralsTakeTheirDSNAsRootCause() throws {
        let run = try decodePostfix("""
            Dec 30 08:14:33 mailhost postfix/smtp[21550]: 4B7D2C0E51: to=<ann@contoso.test>, relay=none, delay=31, delays=0.02/0.01/30/0, dsn=4.4.1, status=deferred (connect to mx.contoso.test[198.51.100.7]:25: Connection timed out)
            Dec 30 14:30:09 mailhost postfix/error[22011]: 4B7D2C0E51: to=<ann@contoso.test>, relay=none, delay=22567, delays=22537/30/0/0, dsn=4.4.1, status=deferred (delivery temporarily suspended: connect to mx.contoso.test[198.51.100.7]:25: Connection refused)
            Dec 31 09:12:02 mailhost postfix/smtp[23415]: 9C3E7A4D21: to=<list@lists.fabrikam.test>, relay=none, delay=1.1, delays=0.04/0.01/1/0, dsn=4.4.3, status=deferred (Host or domain name not found. Name service error for name=lists.fabrikam.test type=MX: Host not found, try again)
            Mar 22 08:03:01 mailhost postfix/smtp[12370]: PQRST22222: to=<bounced@example.com>, relay=mx.example.com[10.0.0.3]:25, delay=5.0, delays=0.1/0.2/0.3/4.4, dsn=5.1.1, status=bounced (550 User unknown)
            Dec 30 11:02:46 mailhost postfix/smtp[21610]: 6E19A3F7C2: to=<carl@fabrikam.test>, relay=mx.fabrikam.test[203.0.113.25]:25, delay=1.2, delays=0.05/0.01/0.6/0.54, dsn=4.2.0, status=deferred (host mx.fabrikam.test[203.0.113.25] said: 450 4.7.1 <carl@fabrikam.test>: Recipient address rejected: Greylisted (in reply to RCPT TO command))

            """, year: 2026)
        #expect(run.events.map(\.kind) == [.deferred, .deferred, .deferred, .failed, .deferred])
        #expect(run.events.map(\.reply) == [nil, nil, nil, 550, 450])
        #expect(run.events.map(\.enhanced) == ["4.4.1", "4.4.1", "4.4.3", "5.1.1", "4.2.0"])
        #expect(run.events.map(\.rootCause) == ["4.4.1", "4.4.1", "4.4.3", "5.1.1", "4.2.0"], "RC5: dsn= whatever the text says")
        #expect(run.events.map(\.connector) == [
            "smtp:[mx.contoso.test]", "smtp:[mx.contoso.test]", nil, "smtp:[mx.example.com]", "smtp:[mx.fabrikam.test]",
        ])
        #expect(run.events[1].daemon == "error" && run.events[1].remoteIP == "198.51.100.7")
    }

    @Test func expiryIsOneEventForTheWholeMessage() throws {
        let run = try decodePostfix("""
            Jan  2 08:14:35 mailhost postfix/qmgr[1187]: 4B7D2C0E51: from=<amy@example.com>, status=expired, returned to sender
            Jan  2 08:14:36 mailhost postfix/qmgr[1187]: 66C15648577B: from=<>, status=force-expired, returned to sender

            """, year: 2027)
        let (expired, forced) = (run.events[0], run.events[1])
        #expect(expired.kind == .expired && expired.expiresMessage)
        #expect(expired.recipient == nil && expired.reply == nil && expired.enhanced == nil && expired.rootCause == nil)
        #expect(expired.sender == "amy@example.com" && expired.queueID == "4B7D2C0E51")
        #expect(forced.kind == .dropped && !forced.expiresMessage)
        #expect(forced.reply == nil && forced.enhanced == nil && forced.rootCause == nil && forced.sender == nil)
    }

    @Test func kindsOfBookkeepingLines() throws {
        let run = try decodePostfix("""
            Mar 22 08:00:02 mailhost postfix/smtpd[12345]: FGHIJ67890: client=sender.example.com[192.168.1.1]
            Mar 22 08:00:03 mailhost postfix/cleanup[12346]: FGHIJ67890: message-id=<msg001@example.com>
            Mar 22 08:02:01 mailhost postfix/pickup[12360]: KLMNO11111: uid=1000 from=<localuser>
            Mar 22 08:02:04 mailhost postfix/local[22999]: FGHIJ67890: to=<dora@example.com>, relay=local, delay=0.02, delays=0/0/0/0.02, dsn=2.0.0, status=sent (delivered to mailbox)
            Mar 22 08:02:05 mailhost postfix/bounce[22997]: FGHIJ67890: sender non-delivery notification: C3FA07B524
            Mar 22 08:02:06 mailhost postfix/smtpd[12385]: warning: hostname verification failed
            Mar 22 08:02:07 mailhost postfix/anvil[23001]: statistics: max connection rate 2/60s for (smtp:203.0.113.99) at Mar 22 08:00:11
            Mar 22 08:02:08 mailhost postfix/qmgr[12347]: FGHIJ67890: removed
            Mar 22 08:02:09 mailhost postfix/smtp[20533]: FGHIJ67890: host mail2.example.com[1.74.253.23] said: 450 4.7.1 <user@example.com>: Recipient address rejected (in reply to RCPT TO command)

            """, year: 2024)
        #expect(run.events.map(\.kind) == [.received, .other, .submitted, .delivered, .dsn, .other, .other, .other, .other])
        #expect(run.events.map(\.queueID) == [
            "FGHIJ67890", "FGHIJ67890", "KLMNO11111", "FGHIJ67890", "FGHIJ67890", nil, nil, "FGHIJ67890", "FGHIJ67890",
        ])
        // The Message-ID follows its queue id from the cleanup line on, until qmgr's "removed".
        #expect(run.events.map(\.messageID) == [
            nil, "<msg001@example.com>", nil, "<msg001@example.com>", "<msg001@example.com>", nil, nil, "<msg001@example.com>", nil,
        ])
        #expect(run.events[0].remoteHost == "sender.example.com" && run.events[0].remoteIP == "192.168.1.1")
        #expect(run.events[2].sender == "localuser")
        #expect(run.events[3].connector == "local" && run.events[3].remoteHost == nil)
    }

    @Test func corpusPostfixFilesEndToEnd() throws {
        // One file through the whole pipeline: the expired message's recipients and causes.
        guard Corpus.exists else {
            print("note: ../shared/corpus not found; corpusPostfixFilesEndToEnd skipped")
            return
        }
        let dir = temporaryDirectory()
        let db = dir + "/p.db"
        let path = Corpus.root + "/cases/postfix-deferred-expired.log"
        let summary = try Ingestor(databasePath: db, options: DecodeOptions(year: 2026)).ingest(paths: [path])
        #expect(summary.files.first?.stats.skipped == 2)
        #expect(try rows(db, "SELECT recipient, root_cause, connector FROM v_expired ORDER BY 1") == [
            ["ann@contoso.test", "4.4.1", "smtp:[mx.contoso.test]"], ["ben@contoso.test", "4.4.1", "smtp:[mx.contoso.test]"],
        ])
        #expect(try rows(db, "SELECT root_cause FROM v_events WHERE kind = 'expired'") == [["4.4.1"]])
        #expect(try rows(db, "SELECT time_rule FROM source_file")[0][0].contains("2027 at the end"))
    }
}
