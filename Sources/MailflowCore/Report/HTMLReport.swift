import Foundation

/// The weekly report as one self-contained HTML file: inline CSS and SVG, no script, no
/// network. Everything taken from the logs is escaped.
public struct HTMLReport {
    /// Okabe-Ito colours (safe for the common colour-vision deficiencies), then greys.
    /// Okabe-Ito first, then Paul Tol's muted scheme, then greys: 17 colours before any repeats.
    static let palette = [
        "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000",
        "#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255", "#AA4499",
        "#999999",
    ]

    /// Escapes text for HTML element content and attribute values.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                if ch.value < 0x20 && ch != "\n" && ch != "\t" { out += "\u{FFFD}" } else { out.unicodeScalars.append(ch) }
            }
        }
        return out
    }

    public static func render(_ m: ReportModel) -> String {
        HTMLReport(previousHasData: m.previous.events > 0, colours: colourMap(m)).page(m)
    }

    func page(_ m: ReportModel) -> String {
        var h = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>mailflow report \(escape(String(m.fromUTC.prefix(10)))) to \(escape(m.lastDay))</title>
        <style>
        \(css)
        </style>
        </head>
        <body>
        <header>
        <h1>Mail flow report</h1>
        <p class="sub">\(escape(String(m.fromUTC.prefix(10)))) to \(escape(m.lastDay)) (UTC days) &middot; generated \(escape(m.generatedUTC)) by mailflow</p>
        </header>

        """
        h += headline(m)
        h += connectorSection(m)
        h += expiredSection(m)
        h += pendingSection(m)
        h += causesSection(m)
        h += healthSection(m)
        h += "<footer>Counts follow the SQL contract in schema.sql (views v_connector_daily, v_expired, v_top_causes, v_files). Previous period: the same length just before this one.</footer>\n</body>\n</html>\n"
        return h
    }

    static let css = """
    :root { --fg:#1b1b1b; --muted:#5a5a5a; --rule:#d0d0d0; --bg:#ffffff; --band:#f4f6f8; }
    * { box-sizing: border-box; }
    body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: var(--bg); margin: 0 auto; max-width: 1100px; padding: 24px; }
    h1 { font-size: 26px; margin: 0 0 4px; } h2 { font-size: 20px; margin: 32px 0 8px; border-bottom: 2px solid var(--fg); padding-bottom: 4px; }
    h3 { font-size: 16px; margin: 20px 0 6px; } .sub, .muted { color: var(--muted); } footer { margin-top: 40px; color: var(--muted); font-size: 13px; }
    .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 12px; margin: 16px 0; }
    .card { background: var(--band); border-radius: 6px; padding: 12px; } .card .v { font-size: 24px; font-weight: 650; } .card .l { color: var(--muted); font-size: 13px; }
    .up { color: #B35900; } .down { color: #00695C; }
    table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 14px; }
    th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--rule); vertical-align: top; }
    th { background: var(--band); font-weight: 600; } td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
    code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 13px; overflow-wrap: anywhere; }
    .small { font-size: 12px; color: #333; overflow-wrap: anywhere; min-width: 16em; max-width: 30em; }
    .nowrap { white-space: nowrap; } .example { color: var(--muted); font-size: 12px; }
    .legend { display: flex; flex-wrap: wrap; gap: 6px 14px; font-size: 13px; margin: 4px 0 12px; }
    .sw { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -1px; border: 1px solid #0003; }
    .conn { break-inside: avoid; page-break-inside: avoid; }
    svg text { font: 11px system-ui, sans-serif; fill: var(--muted); }
    @media print { body { max-width: none; padding: 0; } h2 { break-after: avoid; } .card { border: 1px solid var(--rule); } }
    """

    /// Whether the previous period of the report holds any data.
    let previousHasData: Bool
    /// Colour of each series ("kind code"), the same in every chart of the page.
    let colours: [String: String]

    func change(_ now: Int, _ before: Int, higherIsWorse: Bool = true) -> String {
        if !previousHasData { return "<span class=\"muted\">no earlier data</span>" }
        if before == 0 && now == 0 { return "<span class=\"muted\">no change</span>" }
        if before == 0 { return "<span class=\"\(higherIsWorse ? "up" : "down")\">new (none before)</span>" }
        let pct = (Double(now) - Double(before)) / Double(before) * 100
        let arrow = pct > 0 ? "&#9650;" : pct < 0 ? "&#9660;" : "&#9654;"
        let cls = (pct > 0) == higherIsWorse ? "up" : "down"
        return "<span class=\"\(pct == 0 ? "muted" : cls)\">\(arrow) \(String(format: "%+.0f%%", pct)) vs \(before)</span>"
    }

    func headline(_ m: ReportModel) -> String {
        let h = m.headline, p = m.previous
        func card(_ value: String, _ label: String, _ delta: String) -> String {
            "<div class=\"card\"><div class=\"v\">\(value)</div><div class=\"l\">\(label)</div><div class=\"l\">\(delta)</div></div>\n"
        }
        var s = "<section><h2>Headline</h2><div class=\"cards\">\n"
        s += card("\(h.messages)", "messages seen", change(h.messages, p.messages, higherIsWorse: false))
        s += card("\(h.deliveries)", "delivered / sent events", change(h.deliveries, p.deliveries, higherIsWorse: false))
        s += card(percent(h.deferralRate), "of delivery attempts deferred (\(h.deferred) deferrals)", change(h.deferred, p.deferred))
        s += card(percent(h.failureRate), "of delivery attempts failed (\(h.failed) failed, \(h.expired) expired)", change(h.failed + h.expired, p.failed + p.expired))
        s += card("\(h.expiredMessages)", "expired messages", change(h.expiredMessages, p.expiredMessages))
        s += "</div></section>\n"
        return s
    }

    func connectorSection(_ m: ReportModel) -> String {
        var s = "<section><h2>Connectors</h2>\n"
        if m.connectors.isEmpty { return s + "<p class=\"muted\">No events in this period.</p></section>\n" }
        s += "<table><tr><th>connector</th><th class=\"n\">received</th><th class=\"n\">delivered/sent</th><th class=\"n\">deferred</th><th class=\"n\">failed</th><th class=\"n\">expired</th><th class=\"n\">attempts with errors</th><th>errors vs previous</th><th>first / last error</th><th>next hop</th></tr>\n"
        for c in m.connectors.prefix(100) {
            s += "<tr><td>\(escape(c.name))</td><td class=\"n\">\(c.received)</td><td class=\"n\">\(c.delivered)</td><td class=\"n\">\(c.deferred)</td><td class=\"n\">\(c.failed)</td><td class=\"n\">\(c.expired)</td><td class=\"n\">\(percent(c.errorRate))</td><td>\(change(c.deferred + c.failed + c.expired, c.previousErrorEvents))</td><td class=\"nowrap\">\(shortTime(c.firstErrorUTC))<br>\(shortTime(c.lastErrorUTC))</td><td class=\"mono\">\(escape(c.nextHop ?? "-"))</td></tr>\n"
        }
        s += "</table>\n"
        if m.connectors.count > 100 {
            s += "<p class=\"muted\">The 100 connectors with the most errors of \(m.connectors.count); all are in connector_daily.csv.</p>\n"
        }
        for c in m.connectors.prefix(20) where !c.days.isEmpty {
            s += "<div class=\"conn\"><h3>\(escape(c.name))</h3><p class=\"muted\">Deferred, failed and expired events per day, stacked by enhanced status code.</p>\n"
            s += stackedChart(days: m.days, bars: c.days.map { (day: $0.day, series: "\($0.kind) \($0.code ?? "no code")", value: $0.events) })
            s += "</div>\n"
        }
        return s + "</section>\n"
    }

    /// Series ranked by their events over the whole report, each with its colour.
    static func colourMap(_ m: ReportModel) -> [String: String] {
        var totals: [String: Int] = [:]
        for c in m.connectors { for d in c.days { totals["\(d.kind) \(d.code ?? "no code")", default: 0] += d.events } }
        let ranked = totals.keys.sorted { (totals[$0]!, $1) > (totals[$1]!, $0) }
        return Dictionary(uniqueKeysWithValues: ranked.enumerated().map { ($1, palette[$0 % palette.count]) })
    }

    /// An SVG stacked bar chart: one bar per day, one colour per series, with a legend.
    func stackedChart(days: [String], bars: [(day: String, series: String, value: Int)], title: String = "events") -> String {
        var totalsBySeries: [String: Int] = [:]
        for b in bars { totalsBySeries[b.series, default: 0] += b.value }
        let series = totalsBySeries.keys.sorted { (totalsBySeries[$0]!, $1) > (totalsBySeries[$1]!, $0) }
        var color: [String: String] = [:]
        for (i, name) in series.enumerated() { color[name] = colours[name] ?? palette[i % palette.count] }
        var perDay: [String: [(String, Int)]] = [:]
        for b in bars { perDay[b.day, default: []].append((b.series, b.value)) }
        let maxTotal = max(1, days.map { d in perDay[d]?.reduce(0) { $0 + $1.1 } ?? 0 }.max() ?? 1)
        let width = 760, height = 200, left = 44, bottom = 28, top = 10
        let plotH = height - bottom - top
        let slot = Double(width - left - 10) / Double(max(days.count, 1))
        let barW = max(2, slot * 0.7)
        var svg = "<svg role=\"img\" aria-label=\"\(escape(title)) per day\" viewBox=\"0 0 \(width) \(height)\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\" xmlns=\"http://www.w3.org/2000/svg\">\n"
        let step = niceStep(maxTotal)
        var tick = 0
        while tick <= maxTotal {
            let y = Double(top) + Double(plotH) * (1 - Double(tick) / Double(maxTotal))
            svg += "<line x1=\"\(left)\" x2=\"\(width - 5)\" y1=\"\(fmt(y))\" y2=\"\(fmt(y))\" stroke=\"#e3e3e3\"/><text x=\"\(left - 4)\" y=\"\(fmt(y + 4))\" text-anchor=\"end\">\(tick)</text>\n"
            tick += step
        }
        for (i, day) in days.enumerated() {
            let x = Double(left) + slot * Double(i) + (slot - barW) / 2
            var y = Double(top + plotH)
            let parts = (perDay[day] ?? []).sorted { series.firstIndex(of: $0.0)! < series.firstIndex(of: $1.0)! }
            for (name, value) in parts {
                let hgt = Double(plotH) * Double(value) / Double(maxTotal)
                y -= hgt
                svg += "<rect x=\"\(fmt(x))\" y=\"\(fmt(y))\" width=\"\(fmt(barW))\" height=\"\(fmt(hgt))\" fill=\"\(color[name]!)\"><title>\(escape(day)) \(escape(name)): \(value)</title></rect>\n"
            }
            if days.count <= 16 || i % max(1, days.count / 12) == 0 {
                svg += "<text x=\"\(fmt(x + barW / 2))\" y=\"\(height - 10)\" text-anchor=\"middle\">\(escape(String(day.dropFirst(5))))</text>\n"
            }
        }
        svg += "</svg>\n<div class=\"legend\">"
        for name in series {
            svg += "<span><span class=\"sw\" style=\"background:\(color[name]!)\"></span>\(escape(name)) (\(totalsBySeries[name]!))</span>"
        }
        return svg + "</div>\n"
    }

    static func niceStep(_ maxValue: Int) -> Int {
        let raw = max(1, maxValue / 4)
        var p = 1
        while p * 10 <= raw { p *= 10 }
        for m in [1, 2, 5, 10] where p * m >= raw { return p * m }
        return p * 10
    }

    static func fmt(_ v: Double) -> String { String(format: "%.1f", v) }

    static func duration(_ seconds: Int) -> String {
        if seconds < 3600 { return "\(seconds / 60) min" }
        if seconds < 86_400 * 2 { return String(format: "%.1f h", Double(seconds) / 3600) }
        return String(format: "%.1f d", Double(seconds) / 86_400)
    }

    func expiredSection(_ m: ReportModel) -> String {
        var s = "<section><h2>Expired messages</h2>\n"
        if m.expired.isEmpty { return s + "<p>No message expired in this period.</p></section>\n" }
        let messages = Set(m.expired.map { $0.messageID ?? "" }).count
        s += "<p>\(m.expired.count) recipient(s) of \(messages) message(s) expired after the retry window"
        if let t = m.timeToExpiry {
            s += "; time from first sight to expiry: median \(duration(t.median)), 95th percentile \(duration(t.p95)), max \(duration(t.max))"
        }
        s += ".</p>\n"
        s += stackedChart(days: m.days, bars: m.expired.map { (day: String($0.expiredUTC.prefix(10)), series: $0.connector ?? "(no connector)", value: 1) }, title: "expired recipients")
        func group(_ key: (ReportModel.Expired) -> String, _ title: String) -> String {
            var counts: [String: Int] = [:]
            for e in m.expired { counts[key(e), default: 0] += 1 }
            var t = "<table><tr><th>\(title)</th><th class=\"n\">expired recipients</th></tr>\n"
            for (k, v) in counts.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
                t += "<tr><td>\(escape(k))</td><td class=\"n\">\(v)</td></tr>\n"
            }
            return t + "</table>\n"
        }
        s += "<h3>By connector</h3>" + group({ $0.connector ?? "(no connector)" }, "connector")
        s += "<h3>By recipient domain</h3>" + group({ $0.domain ?? "(none)" }, "recipient domain")
        s += "<h3>Each expired recipient</h3><table><tr><th>expired (UTC)</th><th>recipient</th><th>connector</th><th class=\"n\">queued</th><th class=\"n\">attempts</th><th>root cause</th><th>last error before expiry</th><th>message id</th></tr>\n"
        for e in m.expired.prefix(500) {
            s += "<tr><td class=\"nowrap\">\(shortTime(e.expiredUTC))</td><td>\(escape(e.recipient ?? "-"))</td><td>\(escape(e.connector ?? "-"))</td><td class=\"n\">\(e.queueSeconds.map(duration) ?? "-")</td><td class=\"n\">\(e.attempts)</td><td><code>\(escape(e.rootCause ?? "unknown"))</code></td>\(errorCell(e.lastError))<td class=\"mono\">\(escape(e.messageID ?? "-"))</td></tr>\n"
        }
        s += "</table>\n"
        if m.expired.count > 500 { s += "<p class=\"muted\">First 500 of \(m.expired.count); all are in expired.csv.</p>\n" }
        return s + "</section>\n"
    }

    /// A table cell with a status text, cut to 140 characters (the whole text in its title).
    func errorCell(_ text: String?) -> String {
        guard let text, !text.isEmpty else { return "<td class=\"small\">-</td>" }
        let short = text.count > 140 ? String(text.prefix(140)) + "\u{2026}" : text
        return "<td class=\"small\" title=\"\(escape(text))\">\(escape(short))</td>"
    }

    func pendingSection(_ m: ReportModel) -> String {
        var s = "<section><h2>Still queued at the end of the data</h2>\n"
        if m.pending.isEmpty { return s + "<p>No delivery was still being retried when the logs end.</p></section>\n" }
        let overdue = m.pending.filter(\.overdue).count
        let w = m.expiryWindows
        s += "<p>\(m.pending.count) recipient(s) were still deferred at \(escape(shortTime(m.dataEndUTC))) UTC, the last event of the logs; they expire unless a retry succeeds"
        s += overdue > 0 ? ". <strong>\(overdue) overdue</strong>: queued longer than their source keeps retrying (Exchange Online \(duration(Int(w.window(for: "exo") / 1000))), Exchange Server \(duration(Int(w.window(for: "exchange") / 1000))), Postfix \(duration(Int(w.window(for: "postfix") / 1000)))); they should have expired or been delivered, so later events are probably missing from the logs read. They are not counted as expired.</p>\n" : ".</p>\n"
        s += "<table><tr><th>first seen (UTC)</th><th>recipient</th><th>connector</th><th>source</th><th class=\"n\">queued</th><th class=\"n\">attempts</th><th>last cause</th><th>last error</th><th>message id</th></tr>\n"
        for p in m.pending.sorted(by: { ($0.overdue ? 0 : 1, $0.firstSeenUTC) < ($1.overdue ? 0 : 1, $1.firstSeenUTC) }).prefix(200) {
            s += "<tr><td class=\"nowrap\">\(shortTime(p.firstSeenUTC))</td><td>\(escape(p.recipient ?? "-"))</td><td>\(escape(p.connector ?? "-"))</td><td>\(escape(p.source ?? "-"))</td><td class=\"n\">\(duration(p.queuedSeconds))\(p.overdue ? " <strong>(overdue)</strong>" : "")</td><td class=\"n\">\(p.attempts)</td><td><code>\(escape(p.lastCause ?? "unknown"))</code></td>\(errorCell(p.lastError))<td class=\"mono\">\(escape(p.messageID ?? "-"))</td></tr>\n"
        }
        return s + "</table></section>\n"
    }

    func causesSection(_ m: ReportModel) -> String {
        var s = "<section><h2>Top causes</h2>\n<p class=\"muted\">Root causes of deferred, failed and expired events, ranked by distinct affected messages.</p>\n"
        if m.causes.isEmpty { return s + "<p>No delivery errors in this period.</p></section>\n" }
        s += "<table><tr><th>cause</th><th>category</th><th class=\"n\">messages</th><th class=\"n\">events</th><th class=\"n\">connectors</th><th>trend</th><th>first / last seen</th><th>what to do</th></tr>\n"
        for c in m.causes.prefix(25) {
            let example = c.example.map { "<br><span class=\"example\">e.g. \(escape(String($0.prefix(160))))</span>" } ?? ""
            s += "<tr><td><code>\(escape(c.rootCause))</code><br>\(escape(c.title))\(example)</td><td>\(escape(c.category))\(c.textCategory.map { "<br><span class=\"example\">text says: \(escape($0))</span>" } ?? "")</td><td class=\"n\">\(c.messages)</td><td class=\"n\">\(c.events)</td><td class=\"n\">\(c.connectors)</td><td>\(change(c.messages, c.previousMessages))</td><td class=\"nowrap\">\(shortTime(c.firstSeenUTC))<br>\(shortTime(c.lastSeenUTC))</td><td>\(escape(c.fix ?? "Read the status text of the events (mailflow sql)."))</td></tr>\n"
        }
        return s + "</table></section>\n"
    }

    func healthSection(_ m: ReportModel) -> String {
        var s = "<section><h2>Parse health</h2>\n<table><tr><th>file</th><th>format</th><th>encoding</th><th>compression</th><th class=\"n\">records</th><th class=\"n\">events</th><th class=\"n\">issues</th></tr>\n"
        for f in m.files {
            s += "<tr><td class=\"mono\">\(escape(f.file))</td><td>\(escape(f.format))</td><td>\(escape(f.encoding))</td><td>\(escape(f.compression))</td><td class=\"n\">\(f.records)</td><td class=\"n\">\(f.events)</td><td class=\"n\">\(f.issues)</td></tr>\n"
        }
        s += "</table>\n"
        if m.issueCounts.isEmpty { return s + "<p>No rejected or damaged records.</p></section>\n" }
        s += "<p>" + m.issueCounts.map { "\($0.count) \(escape($0.kind))" }.joined(separator: ", ") + "</p>\n"
        s += "<table><tr><th>file</th><th class=\"n\">line</th><th class=\"n\">byte offset</th><th>issue</th><th>sample</th></tr>\n"
        for i in m.issueSamples {
            s += "<tr><td class=\"mono\">\(escape(i.file))</td><td class=\"n\">\(i.line)</td><td class=\"n\">\(i.byteOffset)</td><td>\(escape(i.kind))</td><td class=\"mono\">\(escape(i.sample))</td></tr>\n"
        }
        return s + "</table></section>\n"
    }
}

extension HTMLReport {
    /// `2026-11-16T14:22:52.373Z` -> `2026-11-16 14:22` (UTC), for table cells.
    func shortTime(_ iso: String?) -> String {
        guard let iso, iso.count >= 16 else { return "-" }
        return escape(String(iso.prefix(10)) + " " + String(iso.dropFirst(11).prefix(5)))
    }

    func escape(_ s: String) -> String { Self.escape(s) }
    var css: String { Self.css }
    var palette: [String] { Self.palette }
    func niceStep(_ v: Int) -> Int { Self.niceStep(v) }
    func fmt(_ v: Double) -> String { Self.fmt(v) }
    func duration(_ s: Int) -> String { Self.duration(s) }
}
