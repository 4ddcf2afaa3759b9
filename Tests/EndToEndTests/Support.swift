import Foundation
import Testing

// End-to-end tests drive the real `mailflow` executable (Foundation.Process) in temporary
// folders and read everything back through its own `sql --format json`, so the checks
// see exactly what an administrator sees. Nothing outside this repository is needed.

/// The repository root (this file is `Tests/EndToEndTests/Support.swift`).
let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// `sample-logs/` of the repository.
let sampleLogs = packageRoot.appendingPathComponent("sample-logs")

/// The seven `MSGTRK*.LOG` files of `sample-logs/`, sorted.
func sampleLogFiles() throws -> [URL] {
    try FileManager.default.contentsOfDirectory(at: sampleLogs, includingPropertiesForKeys: nil)
        .filter { $0.pathExtension == "LOG" }
        .sorted { $0.lastPathComponent < $1.lastPathComponent }
}

/// `sample-logs/EXPECTED.json`: ground truth written by tools/gen-tracking-log.py.
func expectedSample() throws -> [String: Any] {
    let data = try Data(contentsOf: sampleLogs.appendingPathComponent("EXPECTED.json"))
    return try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
}

/// A fresh temporary folder.
func scratchFolder(_ name: String = "mailflow-e2e") -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

// MARK: - Running the executable

/// The outcome of one `mailflow` run.
struct RunResult: Sendable, CustomStringConvertible {
    var arguments: [String]
    var status: Int32
    var stdout: String
    var stderr: String

    var description: String {
        "mailflow \(arguments.joined(separator: " ")) -> exit \(status)\n--- stdout ---\n\(stdout.prefix(2000))\n--- stderr ---\n\(stderr.prefix(2000))"
    }
}

enum Mailflow {
    /// Path of the `mailflow` executable: `$MAILFLOW_BIN`, else the one beside the test
    /// bundle (`<scratch>/debug/mailflow`), built on demand for that scratch path.
    static let executable: String = locate()

    private static func isExecutable(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && !isDir.boolValue
            && FileManager.default.isExecutableFile(atPath: path)
    }

    /// Folders that may hold the test bundle (macOS: `.xctest` bundle; Linux: the test
    /// executable itself).
    private static var bundleFolders: [URL] {
        var dirs: [URL] = []
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            dirs.append(bundle.bundleURL.deletingLastPathComponent())
        }
        if Bundle.main.bundlePath.hasSuffix(".xctest") {
            dirs.append(Bundle.main.bundleURL.deletingLastPathComponent())
        } else {
            dirs.append(Bundle.main.bundleURL)
        }
        if let first = CommandLine.arguments.first {
            dirs.append(URL(fileURLWithPath: first).resolvingSymlinksInPath().deletingLastPathComponent())
        }
        return dirs
    }

    private static func locate() -> String {
        if let path = ProcessInfo.processInfo.environment["MAILFLOW_BIN"], isExecutable(path) { return path }
        for dir in bundleFolders {
            let candidate = dir.appendingPathComponent("mailflow").path
            if isExecutable(candidate) { return candidate }
        }
        // Not built yet: build it into the scratch path that holds the test bundle.
        for dir in bundleFolders {
            var scratch = dir
            while scratch.path != "/" {
                if FileManager.default.fileExists(atPath: scratch.appendingPathComponent("workspace-state.json").path) {
                    build(scratch: scratch)
                    let candidate = dir.appendingPathComponent("mailflow").path
                    if isExecutable(candidate) { return candidate }
                    break
                }
                scratch = scratch.deletingLastPathComponent()
            }
        }
        return packageRoot.appendingPathComponent(".build/debug/mailflow").path
    }

    private static func build(scratch: URL) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["swift", "build", "--package-path", packageRoot.path, "--scratch-path", scratch.path, "--product", "mailflow"]
        p.standardOutput = FileHandle.standardError
        p.standardError = FileHandle.standardError
        do { try p.run() } catch { return }
        p.waitUntilExit()
    }

    /// Runs `mailflow arguments...` in `directory` with a time limit; `MAILFLOW_DB` is unset so
    /// every database is named on the command line.
    @discardableResult
    static func run(_ arguments: [String], in directory: URL? = nil, timeout: TimeInterval = 60) throws -> RunResult {
        let exe = executable
        guard isExecutable(exe) else {
            throw E2EError("mailflow executable not found (tried \(exe)); build it with `swift build --product mailflow` for the same scratch path, or set MAILFLOW_BIN")
        }
        let io = scratchFolder("mailflow-e2e-io")
        defer { try? FileManager.default.removeItem(at: io) }
        let outURL = io.appendingPathComponent("stdout"), errURL = io.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = arguments
        if let directory { p.currentDirectoryURL = directory }
        var env = ProcessInfo.processInfo.environment
        env["MAILFLOW_DB"] = nil
        p.environment = env
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = out
        p.standardError = err
        let done = DispatchSemaphore(value: 0)
        p.terminationHandler = { _ in done.signal() }
        try p.run()
        if done.wait(timeout: .now() + timeout) == .timedOut {
            p.terminate()
            _ = done.wait(timeout: .now() + 5)
            throw E2EError("mailflow \(arguments.joined(separator: " ")) did not finish within \(Int(timeout)) s")
        }
        try out.close()
        try err.close()
        return RunResult(
            arguments: arguments, status: p.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    /// `mailflow sql --db db --format json query` parsed into rows; throws when it fails.
    static func sql(_ db: URL, _ query: String) throws -> [[String: Any]] {
        let r = try run(["sql", "--db", db.path, "--format", "json", query])
        guard r.status == 0 else { throw E2EError("query failed: \(r)") }
        guard let rows = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]] else {
            throw E2EError("sql --format json did not print an array of objects: \(r)")
        }
        return rows
    }

    /// A single integer from a one-row, one-column query.
    static func int(_ db: URL, _ query: String) throws -> Int {
        let rows = try sql(db, query)
        guard rows.count == 1, let value = rows[0].values.first.flatMap(asInt) else {
            throw E2EError("expected one integer from \(query), got \(rows)")
        }
        return value
    }
}

struct E2EError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

// MARK: - Values

/// JSON numbers as Int (JSONSerialization gives NSNumber / Int / Double).
func asInt(_ v: Any?) -> Int? {
    switch v {
    case let i as Int: return i
    case let n as NSNumber: return n.intValue
    case let d as Double: return Int(d)
    case let s as String: return Int(s)
    default: return nil
    }
}

/// A cell as text: NULL / JSON null -> "NULL", numbers without a fraction as integers.
func text(_ v: Any?) -> String {
    switch v {
    case nil, is NSNull: return "NULL"
    case let s as String: return s
    case let i as Int: return String(i)
    case let n as NSNumber:
        let d = n.doubleValue
        return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
    case let v?: return "\(v)"
    }
}

/// A row reduced to the given columns, as text, joined with `|`.
func key(_ row: [String: Any], _ columns: [String]) -> String {
    columns.map { text(row[$0]) }.joined(separator: "|")
}

/// A multiset of keys.
func tally(_ keys: [String]) -> [String: Int] {
    var out: [String: Int] = [:]
    for k in keys { out[k, default: 0] += 1 }
    return out
}

/// Every documented view, fully, as sorted canonical JSON lines (for before/after checks).
func snapshotViews(_ db: URL) throws -> [String: [String]] {
    var out: [String: [String]] = [:]
    for view in ["v_events", "v_expired", "v_connector_daily", "v_top_causes", "v_parse_issues", "v_files"] {
        out[view] = try Mailflow.sql(db, "SELECT * FROM \(view)").map { row in
            let data = (try? JSONSerialization.data(withJSONObject: row, options: [.sortedKeys])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }.sorted()
    }
    return out
}

/// Parses RFC 4180 CSV (CRLF or LF, quoted fields with doubled quotes).
func parseCSV(_ s: String) -> [[String]] {
    var rows: [[String]] = [], row: [String] = [], field = ""
    var inQuotes = false, fieldStarted = false
    var it = Array(s.unicodeScalars).makeIterator()
    var pending: Unicode.Scalar? = nil
    func next() -> Unicode.Scalar? {
        if let p = pending { pending = nil; return p }
        return it.next()
    }
    while let c = next() {
        if inQuotes {
            if c == "\"" {
                if let d = next() {
                    if d == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; pending = d }
                } else { inQuotes = false }
            } else { field.unicodeScalars.append(c) }
            continue
        }
        switch c {
        case "\"" where !fieldStarted: inQuotes = true; fieldStarted = true
        case ",": row.append(field); field = ""; fieldStarted = false
        case "\r": break
        case "\n": row.append(field); rows.append(row); row = []; field = ""; fieldStarted = false
        default: field.unicodeScalars.append(c); fieldStarted = true
        }
    }
    if fieldStarted || !row.isEmpty { row.append(field); rows.append(row) }
    return rows
}

/// Decodes the HTML character references a renderer may use for escaped text.
func decodeEntities(_ s: String) -> String {
    var out = s
    let named = ["&lt;": "<", "&gt;": ">", "&quot;": "\"", "&#39;": "'", "&#x27;": "'", "&apos;": "'", "&#34;": "\"", "&#x22;": "\""]
    for (k, v) in named { out = out.replacingOccurrences(of: k, with: v) }
    return out.replacingOccurrences(of: "&amp;", with: "&")
}

/// Builds message tracking records for the header block of a sample file: values by field
/// name, every other field empty, RFC 4180 quoting where needed.
struct TrackingLogBuilder {
    /// The `#...` lines of a sample log (BOM and CRLF as in the file).
    let header: String
    /// The `#Fields:` names in order.
    let fields: [String]

    init(copyingHeaderOf file: URL) throws {
        // Work on bytes: "\r\n" is a single Character in Swift.
        let bytes = Array(try Data(contentsOf: file))
        var header: [UInt8] = [], fields: [String] = []
        var start = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: 0x0A).map { $0 + 1 } ?? bytes.count
            var line = Array(bytes[start..<end])
            header += line
            if line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }
            guard line.first == UInt8(ascii: "#") else { header.removeLast(end - start); break }
            let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if text.hasPrefix("#Fields:") {
                fields = text.dropFirst("#Fields:".count).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            }
            start = end
        }
        guard !fields.isEmpty else { throw E2EError("\(file.path): no #Fields: line in the header block") }
        self.header = String(decoding: header, as: UTF8.self)
        self.fields = fields
    }

    static func quote(_ v: String) -> String {
        v.contains(where: { $0 == "," || $0 == "\"" }) ? "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : v
    }

    /// One CRLF-terminated record; unknown field names are reported as a test issue.
    func record(_ values: [String: String]) -> String {
        let unknown = Set(values.keys).subtracting(fields)
        #expect(unknown.isEmpty, "fields not in #Fields: \(unknown)")
        return fields.map { Self.quote(values[$0] ?? "") }.joined(separator: ",") + "\r\n"
    }
}
