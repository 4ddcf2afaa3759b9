import Foundation
import Logging
import MailflowScanner

/// What happened to one input.
public struct FileOutcome: Sendable {
    public enum Status: Sendable, Equatable {
        /// Read and committed.
        case ingested
        /// Its content was ingested before (same fingerprint); nothing added.
        case alreadyIngested
        /// Could not be read or stored; the message says why and what to do.
        case failed(String)
        /// Found while walking a folder but not a log format mailflow reads; ignored.
        case notALog
    }

    public var path: String
    public var status: Status
    public var format: String?
    public var encoding: String?
    public var compression: String?
    public var stats = FileStats()
    /// The file could not be opened or read at all.
    var unreadable = false
    /// How zone-less or yearless times were read (``LineDecoder/timeRule``), if that needed
    /// an assumption.
    public var timeRule: String?
    /// The first issues of the file (a dry run reports them; the database keeps them otherwise).
    public var sampleIssues: [ScanIssue] = []
}

/// Totals of one `ingest` run.
public struct IngestSummary: Sendable {
    public var files: [FileOutcome] = []
    public var seconds: Double = 0

    public var ingestedFiles: Int { files.filter { $0.status == .ingested }.count }
    public var skippedFiles: Int { files.filter { $0.status == .alreadyIngested }.count }
    public var ignoredFiles: Int { files.filter { $0.status == .notALog }.count }
    public var failedFiles: Int { files.filter { if case .failed = $0.status { return true } else { return false } }.count }
    public var records: Int { files.reduce(0) { $0 + $1.stats.records } }
    public var events: Int { files.reduce(0) { $0 + $1.stats.events } }
    public var rejected: Int { files.reduce(0) { $0 + $1.stats.rejected } }
    public var issues: Int { files.reduce(0) { $0 + $1.stats.issues } }
    public var bytes: Int64 { files.reduce(0) { $0 + $1.stats.bytesScanned } }
}

/// Errors that stop a whole run (per-file problems are ``FileOutcome/Status/failed(_:)``).
public enum IngestError: Error, CustomStringConvertible {
    case noInputs

    public var description: String {
        switch self {
        case .noInputs: return "no input files given"
        }
    }
}

/// The ingest pipeline: discover inputs, sniff them, scan, decode and store each one in
/// its own transaction (a file is either fully stored or not at all).
public final class Ingestor {
    private let db: Database
    private let writer: StoreWriter
    private let logger: Logger
    private let options: DecodeOptions
    /// Called after each input with its outcome (for progress output).
    public var onFileDone: ((FileOutcome) -> Void)?
    /// Read and decode without storing anything: no database file is written, every input
    /// is read (known or not), and each outcome carries its first issues.
    public let dryRun: Bool
    /// Issues kept per file in ``FileOutcome/sampleIssues``.
    public static let sampleIssueLimit = 20

    /// Opens the store for writing: creates or migrates the schema and loads the
    /// knowledge base.
    /// - Parameter options: format override, `--year`, `--timezone`.
    /// - Throws: ``SQLiteError``, ``Schema/Failure``, ``LocalClock/Failure`` (unknown zone).
    ///   - dryRun: decode only (see ``dryRun``); `databasePath` is then not opened.
    public init(
        databasePath: String, options: DecodeOptions = DecodeOptions(), dryRun: Bool = false,
        logger: Logger = Logger(label: "mailflow")
    ) throws {
        try options.validate()
        self.options = options
        self.dryRun = dryRun
        db = try Database(path: dryRun ? ":memory:" : databasePath)
        try Schema.prepareForWriting(db)
        try KnowledgeBase.shared.store(into: db)
        writer = try StoreWriter(database: db)
        self.logger = logger
    }

    /// Expands `paths` (files, directories walked recursively in name order, `-` for
    /// standard input) into the inputs to read.
    /// A path that does not exist is kept: reading it fails by name, the others go on.
    public static func discover(_ paths: [String]) -> [(path: String, named: Bool)] {
        var out: [(path: String, named: Bool)] = []
        var unreadable: [String] = []
        let fm = FileManager.default
        for path in paths {
            if path == "-" { out.append((path, true)); continue }
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else {
                // Reported by ingestOne as "cannot open"; the other inputs still go in.
                out.append((path, true))
                continue
            }
            if !isDir.boolValue { out.append((path, true)); continue }
            // Walk the folder (a symlink to a folder given on the command line is followed;
            // links inside it are not, so that a loop cannot trap the walk). Only regular
            // files are read: a FIFO or socket would block or make no sense.
            var found: [String] = []
            let rootURL = URL(fileURLWithPath: path).resolvingSymlinksInPath()
            let walker = fm.enumerator(
                at: rootURL, includingPropertiesForKeys: [.isRegularFileKey, .isSymbolicLinkKey],
                options: [.skipsHiddenFiles],
                errorHandler: { url, _ in
                    unreadable.append(url.path)
                    return true
                })
            while let url = walker?.nextObject() as? URL {
                let values = try? url.resourceValues(forKeys: [.isRegularFileKey, .isSymbolicLinkKey])
                if values?.isRegularFile == true && values?.isSymbolicLink != true {
                    found.append(path.hasSuffix("/") ? path + url.path.dropFirst(rootURL.path.count + 1) : path + "/" + url.path.dropFirst(rootURL.path.count + 1))
                }
            }
            out.append(contentsOf: found.sorted().map { ($0, false) })
            // Folders the walk could not read fail loudly, by name.
            out.append(contentsOf: unreadable.map { ($0, true) })
            unreadable.removeAll()
        }
        return out
    }

    /// Ingests every input; per-file failures (a missing path too) are reported in the
    /// summary, not thrown.
    /// - Throws: ``IngestError/noInputs`` when there is nothing to read.
    public func ingest(paths: [String]) throws -> IngestSummary {
        let inputs = Self.discover(paths)
        if inputs.isEmpty { throw IngestError.noInputs }
        let started = Date()
        var summary = IngestSummary()
        for input in inputs {
            var outcome = ingestOne(input.path)
            if !input.named, case .failed = outcome.status, outcome.format == nil, outcome.stats.records == 0,
               !outcome.unreadable
            {
                outcome.status = .notALog
            }
            onFileDone?(outcome)
            summary.files.append(outcome)
        }
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    /// Where a grown file continues: the last read of the same file (same first bytes, same
    /// bytes just before where that read stopped).
    private struct ResumePoint {
        var segment: Int64
        var root: Int64
        var offset: Int64
        var line: Int
        var fields: String?
        var format: String
        var encoding: String
    }

    private func ingestOne(_ path: String) -> FileOutcome {
        var outcome = FileOutcome(path: path, status: .ingested)
        do {
            let file = path == "-" ? FileByteSource(descriptor: 0, name: "-") : try FileByteSource(path: path)
            let regular = path != "-" && file.isRegularFile
            let size = regular ? file.size : 0
            let peek = HeadPeekingSource(file, headBytes: 64 << 10)
            let head = regular ? file.peek(count: 64 << 10) : try peek.head()
            let compression = Compression.sniff(head)
            outcome.compression = compression.rawValue
            let headHash = hex(head.withUnsafeBytes { hash64($0) })
            var fingerprint = "stdin-\(UUID().uuidString)"
            var resume: ResumePoint?
            if regular {
                let endBytes = file.peek(count: Int(min(64 << 10, size)), at: max(0, size - (64 << 10)))
                fingerprint = "\(compression == .gzip ? "gz" : "raw")-\(size)-\(headHash)-" + hex(endBytes.withUnsafeBytes { hash64($0) })
                if !dryRun, try isKnown(fingerprint) {
                    outcome.status = .alreadyIngested
                    return outcome
                }
                if compression == .none && !dryRun { resume = try findResumePoint(file, size: size) }
                if let r = resume, r.offset >= size {
                    outcome.status = .alreadyIngested
                    return outcome
                }
            }

            var content: ByteSource
            var format: String
            var encoding: String
            var decoder: InputDecoder
            var mapOffset: ((Int64) -> Int64)?
            let input = InputContext(modificationMs: regular ? file.modificationMs : nil)
            if let r = resume, let known = LogFormat(rawValue: r.format) {
                try file.seek(to: r.offset)
                content = file
                format = r.format
                encoding = r.encoding
                decoder = try known.decoder(options: options, input: input, json: false)
                logger.debug("\(path): grew since the last read; continuing at byte \(r.offset), line \(r.line)")
            } else {
                resume = nil
                var source: ByteSource = regular ? file : peek
                if compression == .gzip { source = try GzipByteSource(source, name: path) }
                // Sniff the decompressed head for the encoding; UTF-16 is transcoded to
                // UTF-8 in a streaming stage before the tokenizer.
                let sniffing = HeadPeekingSource(source, headBytes: 16 << 10)
                let textEncoding = TextEncoding.sniff(try sniffing.head())
                var text: ByteSource = sniffing
                if !textEncoding.isUTF8 {
                    let bigEndian = textEncoding == .utf16BE || textEncoding == .utf16BEBOM
                    let skipsBOM = textEncoding == .utf16LEBOM || textEncoding == .utf16BEBOM
                    let utf16 = UTF16ByteSource(sniffing, bigEndian: bigEndian, skipsBOM: skipsBOM)
                    mapOffset = { utf16.originalOffset(ofOutputOffset: $0) }
                    text = utf16
                }
                let decoded = HeadPeekingSource(text, headBytes: 16 << 10)
                let detected: FormatDetector.Detection
                if let forced = options.format {
                    let head = try decoded.head()
                    let first = head.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF })
                    detected = FormatDetector.Detection(format: forced, json: first == UInt8(ascii: "[") || first == UInt8(ascii: "{"))
                } else {
                    guard let d = FormatDetector.detect(try decoded.head()) else {
                        throw FileFailure.unrecognisedFormat(path)
                    }
                    detected = d
                }
                content = decoded
                format = detected.format.rawValue
                encoding = textEncoding.rawValue
                decoder = try detected.format.decoder(options: options, input: input, json: detected.json)
                logger.debug("\(path): format \(format)\(detected.json ? " (JSON)" : ""), encoding \(encoding), compression \(compression.rawValue)")
            }
            outcome.format = format
            outcome.encoding = encoding

            if dryRun {
                writer.context.resetRollups()
                var stats = FileStats()
                let ending = try scan(content, decoder: decoder, mapOffset: mapOffset, resume: nil, store: false, into: &stats, samples: &outcome.sampleIssues)
                writer.context.resetRollups()
                if let error = ending.error as? ScanError {
                    outcome.status = .failed(error.description)
                    stats.issues += 1
                }
                outcome.stats = stats
                outcome.timeRule = decoder.timeRule
                return outcome
            }

            let stats = try db.transaction { () -> FileStats? in
                // Another ingest (cron and a manual run) may have stored it while we waited for the lock.
                if regular, try isKnown(fingerprint) { return nil }
                if let r = resume { try dropStaleIssues(segment: r.segment, from: r.offset) }
                try writer.beginFile(
                    path: path, fingerprint: fingerprint, size: size, format: format, encoding: encoding,
                    compression: compression.rawValue, root: resume?.root, startOffset: resume?.offset ?? 0)
                var stats = FileStats()
                let ending = try scan(content, decoder: decoder, mapOffset: mapOffset, resume: resume, store: true, into: &stats, samples: &outcome.sampleIssues)
                if let error = ending.error as? ScanError {
                    // Damaged input (gzip): the records before it are kept; say where it stopped.
                    outcome.status = .failed(error.description)
                    stats.issues += 1
                    try writer.addIssue(ScanIssue(
                        kind: .damagedInput, line: ending.resumeLine, lineOffset: ending.bytesScanned,
                        detail: error.description))
                }
                try writer.finishFile(stats: stats, timeRule: decoder.timeRule)
                outcome.timeRule = decoder.timeRule
                if let rule = decoder.timeRule { logger.debug("\(path): times read as \(rule)") }
                if regular && compression == .none && mapOffset == nil && outcome.status == .ingested {
                    let n = Int(min(4096, ending.resumeOffset))
                    let tail = file.peek(count: n, at: ending.resumeOffset - Int64(n))
                    let headLen = Int(min(64 << 10, size))
                    try writer.setResumePoint(
                        offset: ending.resumeOffset, line: ending.resumeLine, fields: ending.fields,
                        tailHash: hex(tail.withUnsafeBytes { hash64($0) }),
                        headLen: headLen, headHash: hex(head.prefix(headLen).withUnsafeBytes { hash64($0) }))
                }
                return stats
            }
            guard let stats else {
                outcome.status = .alreadyIngested
                return outcome
            }
            outcome.stats = stats
        } catch let error as FileFailure {
            outcome.status = .failed(error.description)
        } catch let error as ScanError {
            outcome.status = .failed(error.description)
            outcome.unreadable = true
        } catch {
            try? writer.reloadState()
            outcome.status = .failed("\(path): \(error)")
        }
        return outcome
    }

    /// Scans and decodes on a worker thread while this thread stores the batches.
    /// - Returns: how the input ended (with the source error when it ended in damage; the
    ///   records before it are stored).
    /// - Throws: storage errors.
    private func scan(
        _ source: ByteSource, decoder: InputDecoder, mapOffset: ((Int64) -> Int64)?, resume: ResumePoint?,
        store: Bool, into stats: inout FileStats, samples: inout [ScanIssue]
    ) throws -> DecodePipeline.Ending {
        let pipeline = DecodePipeline(
            source: source, decoder: decoder, context: writer.context, mapOffset: mapOffset,
            startLine: resume?.line ?? 1, startOffset: resume?.offset ?? 0, fields: resume?.fields)
        var local = FileStats()
        var kept: [ScanIssue] = []
        let ending = try pipeline.run { batch in
            if store { try writer.write(batch) }
            if kept.count < Self.sampleIssueLimit { kept.append(contentsOf: batch.issues.prefix(Self.sampleIssueLimit - kept.count)) }
            local.records += batch.records
            local.events += batch.rows.count
            local.rejected += batch.rejected
            local.issues += batch.issues.count
            local.skipped += batch.skipped
            if let t = batch.firstMs { local.noteTime(t) }
            if let t = batch.lastMs { local.noteTime(t) }
        }
        local.bytesScanned = ending.bytesScanned - (resume?.offset ?? 0)
        stats = local
        samples = kept
        return ending
    }

    private func isKnown(_ fingerprint: String) throws -> Bool {
        let st = try db.prepare("SELECT 1 FROM source_file WHERE fingerprint = ?1")
        st.bind(1, fingerprint)
        return try st.step()
    }

    /// The last read of a file that `file` continues: same first `head_len` bytes and the
    /// same 4 KiB before the point where that read stopped.
    private func findResumePoint(_ file: FileByteSource, size: Int64) throws -> ResumePoint? {
        let st = try db.prepare("""
            SELECT id, coalesce(file_root, id), resume_offset, resume_line, fields, head_len, head_hash, tail_hash,
                   format, encoding
            FROM source_file
            WHERE compression = 'none' AND resume_offset > 0 AND resume_offset <= ?1 AND head_len <= ?1
            ORDER BY resume_offset DESC, id DESC
            """)
        st.bind(1, size)
        while try st.step() {
            let offset = st.int64(2)
            let headLen = st.int(5)
            guard hex(file.peek(count: headLen).withUnsafeBytes { hash64($0) }) == st.string(6) else { continue }
            let n = Int(min(4096, offset))
            guard hex(file.peek(count: n, at: offset - Int64(n)).withUnsafeBytes { hash64($0) }) == st.string(7) else { continue }
            return ResumePoint(
                segment: st.int64(0), root: st.int64(1), offset: offset, line: st.int(3), fields: st.string(4),
                format: st.string(8) ?? "", encoding: st.string(9) ?? "")
        }
        return nil
    }

    /// A partial last line reported by the previous read (`truncated-record`) is read again
    /// in full now: drop its stale issue.
    private func dropStaleIssues(segment: Int64, from offset: Int64) throws {
        let del = try db.prepare("DELETE FROM parse_issue WHERE file_id = ?1 AND byte_offset >= ?2")
        del.bind(1, segment)
        del.bind(2, offset)
        try del.run()
        let n = db.changes
        if n > 0 {
            let fix = try db.prepare("UPDATE source_file SET issues = issues - ?2, rejected = max(0, rejected - ?2) WHERE id = ?1")
            fix.bind(1, segment)
            fix.bind(2, Int64(n))
            try fix.run()
        }
    }
}

private func hex(_ v: UInt64) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: 16 - s.count) + s
}

/// Why one input could not be ingested.
enum FileFailure: Error, CustomStringConvertible {
    case unrecognisedFormat(String)
    case unsupportedEncoding(String, String)

    var description: String {
        switch self {
        case .unrecognisedFormat(let p):
            return "\(p): not a recognised log format (supported: \(LogFormat.names)); skipped. If it is one of them, name it with --format"
        case .unsupportedEncoding(let p, let e):
            return "\(p): \(e) text is not supported yet; convert it to UTF-8 (e.g. iconv -f UTF-16 -t UTF-8) and ingest again"
        }
    }
}
