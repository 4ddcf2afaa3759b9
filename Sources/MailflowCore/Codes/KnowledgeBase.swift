/// One entry of the status-code knowledge base.
public struct StatusCodeInfo: Sendable, Equatable {
    /// `4.4.316`, `421`, `socket:10061`, `dns`, `tls`, `unknown`; a range row keeps its
    /// listed form in ``listedAs`` (`4.7.500-699`).
    public var code: String
    public var typicalReply: String
    public var category: String
    public var title: String
    public var cause: String
    public var fix: String
    /// Where the facts come from (RFC, Microsoft page; keys of `reference/status-codes.md`).
    public var source: String
    public var listedAs: String
}

/// The status-code knowledge base: category, title, cause and fix per code, compiled from
/// `reference/status-codes.md` section 11 (197 rows; the six mail flow intelligence
/// connector codes 4.4.312, 4.4.315-4.4.318 and 4.7.320 are in mailflow's own words), plus
/// `dns`, `tls` and `unknown` for causes without a code. Embedded in the binary as
/// `status-codes.tsv` and loaded into table `status_code` on every ingest, together with
/// the `connection:*` names of ``CodelessCause``.
///
/// Around the table, as data in code:
/// - ``CategoryOverride/all``: section 12, the same code with another category by its text;
/// - ``PostfixPhrase/all``: section 13, Postfix reason texts and the codes they stand for;
/// - ``ExchangeComponent/all``: Exchange component tokens and the codes Exchange pairs them with;
/// - ``CodelessCause/all``: the detail names of code-less causes;
/// - ``CodeMeaning``: RFC 3463 and RFC 5321 meanings for codes that are not in the table.
///
/// ``explain(_:)`` and ``explain(code:text:)`` put them together (see ``Explanation``).
public struct KnowledgeBase: Sendable {
    /// Entries by code, ranges expanded (`4.7.500-699` gives 4.7.500 ... 4.7.699; a code
    /// listed on its own wins over its range).
    public let entries: [String: StatusCodeInfo]
    /// Rows as listed in the table (ranges not expanded), in table order.
    public let rows: [StatusCodeInfo]

    /// The embedded table.
    public static let shared = KnowledgeBase(tsv: String(decoding: PackageResources.status_codes_tsv, as: UTF8.self))

    /// Parses the TSV (`code, typical_reply, category, title, cause, fix, source`, one header line).
    public init(tsv: String) {
        var rows: [StatusCodeInfo] = []
        for line in tsv.split(separator: "\n").dropFirst() {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 7 else { continue }
            rows.append(StatusCodeInfo(code: f[0], typicalReply: f[1], category: f[2], title: f[3], cause: f[4], fix: f[5], source: f[6], listedAs: f[0]))
        }
        var entries: [String: StatusCodeInfo] = [:]
        for row in rows {
            let codes = Self.expand(row.code)
            for code in codes {
                // A code listed on its own wins over the range that contains it.
                if codes.count > 1, entries[code] != nil { continue }
                var entry = row
                entry.code = code
                entries[code] = entry
            }
        }
        // Code-less names without a row of their own (dns:* and tls:* share their rows).
        for detail in CodelessCause.all where detail.name.hasPrefix("connection:") && entries[detail.name] == nil {
            entries[detail.name] = detail.entry
        }
        self.rows = rows
        self.entries = entries
    }

    /// `4.7.500-699` -> every code of the range; anything else -> itself.
    static func expand(_ code: String) -> [String] {
        guard let dash = code.firstIndex(of: "-"), !code.hasPrefix("socket") else { return [code] }
        let head = code[..<dash]
        guard let lastDot = head.lastIndex(of: "."),
              let low = Int(head[head.index(after: lastDot)...]),
              let high = Int(code[code.index(after: dash)...]), low <= high
        else { return [code] }
        let prefix = head[...lastDot]
        return (low...high).map { "\(prefix)\($0)" }
    }

    /// Looks a root cause or code up: exact code, then its range, then (for `dns:...`,
    /// `tls:...`) the part before the colon, as the view `v_top_causes` does.
    public func info(for code: String) -> StatusCodeInfo? {
        Self.info(in: entries, code)
    }

    private static func info(in entries: [String: StatusCodeInfo], _ code: String) -> StatusCodeInfo? {
        if let e = entries[code] { return e }
        if code.hasPrefix("dns:") || code.hasPrefix("tls:") { return entries[String(code.prefix(3))] }
        return nil
    }

    /// Fallback meaning of an enhanced code that is not in the table: its RFC 3463 class
    /// (section 3.1) and subject (section 3.2), e.g. `Permanent failure; Security or policy
    /// status (RFC 3463 sections 3.1-3.2)`. Short form for report titles; see
    /// ``CodeMeaning/describe(_:)`` for the sentence `explain` prints.
    public static func classMeaning(_ code: EnhancedStatusCode) -> String {
        let cls: String
        switch code.statusClass {
        case 2: cls = "Success"
        case 4: cls = "Persistent transient failure"
        default: cls = "Permanent failure"
        }
        let subjects = ["Other or undefined status", "Addressing status", "Mailbox status", "Mail system status",
                        "Network and routing status", "Mail delivery protocol status", "Message content or media status",
                        "Security or policy status"]
        let subject = Int(code.subject) < subjects.count ? subjects[Int(code.subject)] : "Unknown subject"
        return "\(cls); \(subject) (RFC 3463 sections 3.1-3.2)"
    }

    /// Writes every entry into table `status_code` (replacing what is there).
    /// - Throws: ``SQLiteError``.
    func store(into db: Database) throws {
        try db.transaction {
            try db.execute("DELETE FROM status_code")
            let st = try db.prepare("""
                INSERT INTO status_code(code, typical_reply, category, title, cause, fix, source, listed_as)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                """)
            for e in entries.values.sorted(by: { $0.code < $1.code }) {
                st.bind(1, e.code)
                st.bind(2, e.typicalReply)
                st.bind(3, e.category)
                st.bind(4, e.title)
                st.bind(5, e.cause)
                st.bind(6, e.fix)
                st.bind(7, e.source)
                st.bind(8, e.listedAs)
                try st.run()
            }
        }
    }
}
