import Foundation

/// Writes the report files into a folder.
public enum ReportWriter {
    /// What was written.
    public struct Written {
        public var directory: String
        public var files: [String]
        public var model: ReportModel

        /// A few lines for the terminal.
        public var summaryText: String {
            let h = model.headline
            var out = "mailflow report \(model.fromUTC.prefix(10)) .. \(model.lastDay) (UTC)\n"
            out += "  \(h.events) events, \(h.messages) messages; deferred \(h.deferred), failed \(h.failed), expired \(h.expired) (\(h.expiredMessages) messages)\n"
            for c in model.connectors.prefix(5) where c.deferred + c.failed + c.expired > 0 {
                out += "  connector \(c.name): \(c.deferred) deferred, \(c.failed) failed, \(c.expired) expired (\(percent(c.errorRate)) of attempts with errors)\n"
            }
            for cause in model.causes.prefix(3) {
                out += "  cause \(cause.rootCause) \(cause.title): \(cause.messages) messages, \(cause.events) events\n"
            }
            out += "  written: \(files.map { (directory as NSString).appendingPathComponent($0) }.joined(separator: ", "))\n"
            return out
        }
    }

    /// Builds the model and writes `report.html`, `connector_daily.csv`, `expired.csv`,
    /// `top_causes.csv` and `report.json` into `outputDirectory` (created if needed).
    /// - Throws: ``SQLiteError``, file-system errors.
    public static func write(
        databasePath: String, window: ReportWindow, expiry: ExpiryWindows = ExpiryWindows(), outputDirectory: String
    ) throws -> Written {
        let model = try ReportModel.build(databasePath: databasePath, window: window, expiry: expiry)
        try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        let outputs: [(String, String)] = [
            ("report.html", HTMLReport.render(model)),
            ("connector_daily.csv", CSVReport.connectorDaily(model)),
            ("expired.csv", CSVReport.expired(model)),
            ("top_causes.csv", CSVReport.topCauses(model)),
            ("report.json", JSONReport.render(model)),
        ]
        for (name, text) in outputs {
            let path = (outputDirectory as NSString).appendingPathComponent(name)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        }
        return Written(directory: outputDirectory, files: outputs.map(\.0), model: model)
    }
}

func percent(_ v: Double) -> String { String(format: "%.1f%%", v * 100) }

/// CSV sections (RFC 4180, CRLF, formula-safe); column names are documented in README.md.
public enum CSVReport {
    public static func connectorDaily(_ m: ReportModel) -> String {
        var out = CSVWriter.row(["day", "connector", "kind", "enhanced_code", "events", "messages"])
        for (name, d) in m.connectorDaily {
            out += CSVWriter.row([d.day, name, d.kind, d.code ?? "", String(d.events), String(d.messages)])
        }
        return out
    }

    public static func expired(_ m: ReportModel) -> String {
        var out = CSVWriter.row(["expired_utc", "message_id", "recipient", "recipient_domain", "connector", "first_seen_utc", "queue_seconds", "attempts", "root_cause", "last_error"])
        for e in m.expired {
            out += CSVWriter.row([e.expiredUTC, e.messageID ?? "", e.recipient ?? "", e.domain ?? "", e.connector ?? "", e.firstSeenUTC ?? "",
                                  e.queueSeconds.map(String.init) ?? "", String(e.attempts), e.rootCause ?? "", e.lastError ?? ""])
        }
        return out
    }

    public static func topCauses(_ m: ReportModel) -> String {
        var out = CSVWriter.row(["root_cause", "category", "title", "messages", "events", "connectors", "first_seen_utc", "last_seen_utc", "previous_messages", "fix"])
        for c in m.causes {
            out += CSVWriter.row([c.rootCause, c.category, c.title, String(c.messages), String(c.events), String(c.connectors),
                                  c.firstSeenUTC, c.lastSeenUTC, String(c.previousMessages), c.fix ?? ""])
        }
        return out
    }
}

/// `report.json`: the same content as the HTML, for tools. Keys are sorted.
public enum JSONReport {
    public static func render(_ m: ReportModel) -> String {
        func headline(_ h: ReportModel.Headline) -> [String: Any] {
            ["events": h.events, "messages": h.messages, "deliveries": h.deliveries, "deferred": h.deferred, "failed": h.failed,
             "expired": h.expired, "expired_messages": h.expiredMessages, "deferral_rate": h.deferralRate, "failure_rate": h.failureRate]
        }
        let tte = m.timeToExpiry
        let object: [String: Any] = [
            "window": ["from_utc": m.fromUTC, "to_utc": m.toUTC, "days": m.days],
            "generated_utc": m.generatedUTC,
            "headline": headline(m.headline),
            "previous_period": headline(m.previous),
            "kinds": m.kinds.map { ["kind": $0.kind, "events": $0.events, "messages": $0.messages] },
            "connectors": m.connectors.map { c in
                [
                    "connector": c.name, "received": c.received, "delivered": c.delivered, "deferred": c.deferred, "failed": c.failed, "expired": c.expired,
                    "error_rate": c.errorRate, "previous_error_events": c.previousErrorEvents,
                    "first_error_utc": c.firstErrorUTC as Any? ?? NSNull(), "last_error_utc": c.lastErrorUTC as Any? ?? NSNull(),
                    "next_hop": c.nextHop as Any? ?? NSNull(),
                    "daily_errors": c.days.map { ["day": $0.day, "kind": $0.kind, "enhanced_code": $0.code as Any? ?? NSNull(), "events": $0.events, "messages": $0.messages] },
                ] as [String: Any]
            },
            "expired": [
                "count": m.expired.count,
                "time_to_expiry_seconds": tte.map { ["median": $0.median, "p95": $0.p95, "max": $0.max] } as Any? ?? NSNull(),
                "list": m.expired.map { e in
                    ["message_id": e.messageID as Any? ?? NSNull(), "recipient": e.recipient as Any? ?? NSNull(),
                     "recipient_domain": e.domain as Any? ?? NSNull(), "connector": e.connector as Any? ?? NSNull(),
                     "first_seen_utc": e.firstSeenUTC as Any? ?? NSNull(), "expired_utc": e.expiredUTC,
                     "queue_seconds": e.queueSeconds as Any? ?? NSNull(), "attempts": e.attempts, "root_cause": e.rootCause as Any? ?? NSNull(),
                     "last_error": e.lastError as Any? ?? NSNull()] as [String: Any]
                },
            ] as [String: Any],
            "pending": [
                "data_end_utc": m.dataEndUTC as Any? ?? NSNull(),
                "count": m.pending.count,
                "overdue": m.pending.filter(\.overdue).count,
                "expiry_window_seconds": Dictionary(uniqueKeysWithValues: m.expiryWindows.ms.map { ($0.key, Int($0.value / 1000)) }),
                "list": m.pending.map { p in
                    ["message_id": p.messageID as Any? ?? NSNull(), "recipient": p.recipient as Any? ?? NSNull(),
                     "connector": p.connector as Any? ?? NSNull(), "first_seen_utc": p.firstSeenUTC, "attempts": p.attempts,
                     "last_cause": p.lastCause as Any? ?? NSNull(), "last_error": p.lastError as Any? ?? NSNull(),
                     "source": p.source as Any? ?? NSNull(), "queued_seconds": p.queuedSeconds, "overdue": p.overdue] as [String: Any]
                },
            ] as [String: Any],
            "top_causes": m.causes.map { c in
                ["root_cause": c.rootCause, "category": c.category, "category_from_text": c.textCategory as Any? ?? NSNull(),
                 "title": c.title, "messages": c.messages, "events": c.events,
                 "connectors": c.connectors, "first_seen_utc": c.firstSeenUTC, "last_seen_utc": c.lastSeenUTC,
                 "previous_messages": c.previousMessages, "fix": c.fix as Any? ?? NSNull(),
                 "example_status": c.example as Any? ?? NSNull()] as [String: Any]
            },
            "parse_health": [
                "files": m.files.map { ["file": $0.file, "format": $0.format, "encoding": $0.encoding, "compression": $0.compression,
                                        "records": $0.records, "events": $0.events, "issues": $0.issues] as [String: Any] },
                "issues_by_kind": Dictionary(uniqueKeysWithValues: m.issueCounts.map { ($0.kind, $0.count) }),
                "samples": m.issueSamples.map { ["file": $0.file, "line": $0.line, "byte_offset": $0.byteOffset, "kind": $0.kind, "sample": $0.sample] as [String: Any] },
            ] as [String: Any],
        ]
        return JSONText.serialize(object)
    }
}
