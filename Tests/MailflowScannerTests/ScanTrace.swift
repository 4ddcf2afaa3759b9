import MailflowScanner

/// A readable, comparable transcript of everything a scanner reports for one input.
enum Traced: Equatable, CustomStringConvertible {
    case record(line: Int, offset: Int64, fields: [String])
    case directive(line: Int, text: String)
    case issue(line: Int, offset: Int64, kind: ScanIssue.Kind)

    var description: String {
        switch self {
        case let .record(l, o, f): return "record@\(l)/\(o) \(f)"
        case let .directive(l, t): return "directive@\(l) \(t)"
        case let .issue(l, o, k): return "issue@\(l)/\(o) \(k.rawValue)"
        }
    }
}

/// Scans `bytes` served `chunk` bytes per read. `fieldsFromDirective` sets the expected
/// field count from a `#Fields:` directive, as the message tracking decoder does.
func trace(
    _ bytes: [UInt8], chunk: Int = .max, options: RecordScanner.Options = RecordScanner.Options(),
    expectedFields: Int? = nil, fieldsFromDirective: Bool = true
) throws -> [Traced] {
    let scanner = RecordScanner(source: MemoryByteSource(bytes, chunkLimit: chunk), options: options)
    scanner.expectedFieldCount = expectedFields
    var out: [Traced] = []
    while true {
        switch try scanner.next() {
        case .record:
            let fields = (0..<scanner.fieldCount).map { scanner.field($0).string }
            out.append(.record(line: scanner.recordLine, offset: scanner.recordLineOffset, fields: fields))
        case .directive:
            let text = scanner.withDirective { String(decoding: $0, as: UTF8.self) }
            out.append(.directive(line: scanner.recordLine, text: text))
            if fieldsFromDirective, text.hasPrefix("Fields:") {
                scanner.expectedFieldCount = text.dropFirst(7).split(separator: ",", omittingEmptySubsequences: false).count
            }
        case .issue(let issue):
            out.append(.issue(line: issue.line, offset: issue.lineOffset, kind: issue.kind))
        case .end:
            return out
        }
    }
}

extension String {
    var bytes: [UInt8] { Array(utf8) }
}
