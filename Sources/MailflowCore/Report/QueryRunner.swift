import Foundation

/// Rows of one ad-hoc query, with renderers for `mailflow sql`.
public struct QueryResult {
    public var columns: [String]
    /// Cells as SQL values: nil (NULL), Int64, Double, String or [UInt8] (BLOB).
    public var rows: [[Any?]]

    func text(_ value: Any?) -> String {
        switch value {
        case nil: return ""
        case let v as [UInt8]: return String(decoding: v, as: UTF8.self)
        case let v?: return "\(v)"
        }
    }

    /// Control characters from logs (escape sequences, NUL, line ends) shown as U+FFFD or a
    /// space, so that a status text cannot drive the terminal.
    static func printable(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            if u == "\n" || u == "\r" || u == "\t" { out += " " }
            else if u.value < 0x20 || (0x7F..<0xA0).contains(u.value) { out += "\u{FFFD}" }
            else { out.unicodeScalars.append(u) }
        }
        return out
    }

    /// Columns padded to their widest cell, with a header rule.
    public func alignedTable() -> String {
        let cells = rows.map { $0.map { Self.printable(text($0)) } }
        var widths = columns.map(\.count)
        for row in cells { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
        func line(_ values: [String]) -> String {
            values.enumerated().map { i, v in v.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        var out = line(columns) + "\n" + widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        for row in cells { out += line(row) + "\n" }
        return out
    }

    /// RFC 4180 CSV with a header row.
    public func csv() -> String {
        var out = CSVWriter.row(columns)
        for row in rows { out += CSVWriter.row(row.map { Self.printable(text($0)) }) }
        return out
    }

    /// An array of objects, one per row.
    public func json() -> String {
        let objects: [[String: Any]] = rows.map { row in
            var o: [String: Any] = [:]
            for (i, c) in columns.enumerated() {
                switch row[i] {
                case nil: o[c] = NSNull()
                case let v as [UInt8]: o[c] = String(decoding: v, as: UTF8.self)
                case let v?: o[c] = v
                }
            }
            return o
        }
        let data = (try? JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

/// Runs read-only SQL against a database opened read-only.
public enum QueryRunner {
    public enum Failure: Error, CustomStringConvertible {
        case notReadOnly
        case noDatabase(String)
        case empty
        case severalStatements
        public var description: String {
            switch self {
            case .notReadOnly: return "only read-only queries are allowed (SELECT, WITH, read-only PRAGMA)"
            case .noDatabase(let p): return "\(p): no such database; run 'mailflow ingest' first or pass --db"
            case .empty: return "the query is empty"
            case .severalStatements: return "give one statement at a time (text follows the first statement)"
            }
        }
    }

    /// - Throws: ``Failure``, ``SQLiteError``.
    public static func run(databasePath: String, sql: String) throws -> QueryResult {
        guard FileManager.default.fileExists(atPath: databasePath) else { throw Failure.noDatabase(databasePath) }
        let db = try Database(path: databasePath, readOnly: true)
        try Schema.checkReadable(db)
        guard !sql.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw Failure.empty }
        let (st, tail) = try db.prepareFirst(sql)
        guard let st else { throw Failure.empty }
        guard tail.trimmingCharacters(in: CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: ";"))).isEmpty else {
            throw Failure.severalStatements
        }
        guard st.isReadOnly else { throw Failure.notReadOnly }
        let n = st.columnCount
        var result = QueryResult(columns: (0..<n).map { st.columnName($0) }, rows: [])
        while try st.step() {
            var row: [Any?] = []
            for i in 0..<n {
                switch st.columnType(i) {
                case 1: row.append(st.int64(i))
                case 2: row.append(st.double(i))
                case 3: row.append(st.string(i))
                case 4: row.append(st.blob(i))
                default: row.append(nil)
                }
            }
            result.rows.append(row)
        }
        return result
    }
}

/// RFC 4180 CSV cells, formula-safe: a cell starting with `=`, `+`, `-`, `@`, tab or CR gets a
/// leading `'` so spreadsheets do not evaluate it (OWASP "CSV injection").
public enum CSVWriter {
    public static func cell(_ value: String) -> String {
        var v = value
        if let f = v.first, "=+-@\t\r".contains(f), Double(v) == nil { v = "'" + v }
        if v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return v
    }

    public static func row(_ values: [String]) -> String {
        values.map(cell).joined(separator: ",") + "\r\n"
    }
}
