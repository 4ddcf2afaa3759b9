import Foundation
import MailflowCore

/// A fresh temporary folder, removed at the end of the test process.
func temporaryDirectory(_ name: String = "mailflow-test") -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// `../shared/corpus` beside the repository.
enum Corpus {
    static var root: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/corpus").path
    }
    static var exists: Bool { FileManager.default.fileExists(atPath: root) }

    /// Data files whose expected format is `format` (nil: every format), with their parsed
    /// expected values.
    static func files(format: String?) -> [(path: String, expected: [String: Any])] {
        guard exists, let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var out: [(String, [String: Any])] = []
        while let rel = walker.nextObject() as? String {
            guard rel.hasSuffix(".expected.json"), !rel.hasPrefix("public/raw") else { continue }
            let path = root + "/" + rel
            guard let data = FileManager.default.contents(atPath: path),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  format == nil || object["format"] as? String == format
            else { continue }
            out.append((String(path.dropLast(".expected.json".count)), object))
        }
        return out.sorted { $0.0 < $1.0 }
    }
}

/// Runs a query and returns rows as string arrays ("NULL" for NULL).
func rows(_ db: String, _ sql: String) throws -> [[String]] {
    try QueryRunner.run(databasePath: db, sql: sql).rows.map { $0.map { v in
        switch v {
        case nil: return "NULL"
        case let b as [UInt8]: return String(decoding: b, as: UTF8.self)
        case let x?: return "\(x)"
        }
    } }
}

func sqlQuote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "''") + "'" }
