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
    case pathNotFound(String)

    public var description: String {
        switch self {
        case .noInputs: return "no input files given"
        case .pathNotFound(let p): return "\(p): no such file or directory"
        }
    }
}

/// The ingest pipeline: discover inputs, sniff them, scan, decode and store each one in
/// its own transaction (a file is either fully stored or not at all).
public final class Ingestor {
    private let db: Database
    private let writer: StoreWriter
    private let logger: Logger
    /// Called after each input with its outcome (for progress output).
    public var onFileDone: ((FileOutcome) -> Void)?

    /// Opens the store for writing: creates or migrates the schema and loads the
    /// knowledge base.
    /// - Throws: ``SQLiteError``, ``Schema/Failure``.
    public init(databasePath: String, logger: Logger = Logger(label: "mailflow")) throws {
        db = try Database(path: databasePath)
        try Schema.prepareForWriting(db)
        try KnowledgeBase.shared.store(into: db)
        writer = try StoreWriter(database: db)
        self.logger = logger
    }

    /// Expands `paths` (files, directories walked recursively in name order, `-` for
    /// standard input) into the inputs to read.
    /// - Throws: ``IngestError/pathNotFound(_:)``.
    public static func discover(_ paths: [String]) throws -> [(path: String, named: Bool)] {
        var out: [(path: String, named: Bool)] = []
        let fm = FileManager.default
        for path in paths {
            if path == "-" { out.append((path, true)); continue }
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else { throw IngestError.pathNotFound(path) }
            if !isDir.boolValue { out.append((path, true)); continue }
            var found: [String] = []
            if let walker = fm.enumerator(atPath: path) {
                while let rel = walker.nextObject() as? String {
                    let full = (path as NSString).appendingPathComponent(rel)
                    var sub: ObjCBool = false
                    if fm.fileExists(atPath: full, isDirectory: &sub), !sub.boolValue,
                       !(rel as NSString).lastPathComponent.hasPrefix(".")
                    {
                        found.append(full)
                    }
                }
            }
            out.append(contentsOf: found.sorted().map { ($0, false) })
        }
        return out
    }

    /// Ingests every input; per-file failures are reported in the summary, not thrown.
    /// - Throws: ``IngestError`` when a path does not exist.
    public func ingest(paths: [String]) throws -> IngestSummary {
        let inputs = try Self.discover(paths)
        if inputs.isEmpty { throw IngestError.noInputs }
        let started = Date()
        var summary = IngestSummary()
        for input in inputs {
            var outcome = ingestOne(input.path)
            if !input.named, case .failed = outcome.status, outcome.format == nil, outcome.stats.records == 0,
               !outcome.unreadable
            {
                outcome.status = .notALog
                logger.info("\(input.path): not a log format mailflow reads; ignored")
            }
            onFileDone?(outcome)
            summary.files.append(outcome)
        }
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    private func ingestOne(_ path: String) -> FileOutcome {
        var outcome = FileOutcome(path: path, status: .ingested)
        do {
            let file = path == "-" ? FileByteSource(descriptor: 0, name: "-") : try FileByteSource(path: path)
            var source: ByteSource = file
            let peek = HeadPeekingSource(file, headBytes: 64 << 10)
            source = peek
            let head = try peek.head()
            let compression = Compression.sniff(head)
            let size: Int64 = path == "-" ? Int64(head.count) : (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64).flatMap { $0 } ?? 0
            let fingerprint = "\(compression == .gzip ? "gz" : "raw")-\(size)-" + String(head.withUnsafeBytes { fnv1a64($0) }, radix: 16)
            outcome.compression = compression.rawValue
            if path != "-", try isKnown(fingerprint) {
                outcome.status = .alreadyIngested
                logger.info("\(path): already ingested (same content), skipped")
                return outcome
            }
            if compression == .gzip { source = try GzipByteSource(peek, name: path) }

            // Sniff the decompressed head for encoding and format.
            let content = HeadPeekingSource(source, headBytes: 16 << 10)
            let contentHead = try content.head()
            guard let detected = FormatDetector.detect(contentHead) else {
                throw FileFailure.unrecognisedFormat(path)
            }
            outcome.format = detected.format.rawValue
            outcome.encoding = detected.encoding.rawValue
            logger.debug("\(path): format \(detected.format.rawValue), encoding \(detected.encoding.rawValue), compression \(compression.rawValue)")
            guard detected.encoding.isUTF8 else { throw FileFailure.unsupportedEncoding(path, detected.encoding.rawValue) }

            let stats = try db.transaction { () -> FileStats in
                try writer.beginFile(
                    path: path, fingerprint: path == "-" ? "stdin-\(UUID().uuidString)" : fingerprint, size: size,
                    format: detected.format.rawValue, encoding: detected.encoding.rawValue, compression: compression.rawValue)
                var stats = FileStats()
                do {
                    try scanMessageTracking(content, into: &stats)
                } catch let error as ScanError {
                    // Damaged gzip: keep the records before it, say where it stopped.
                    outcome.status = .failed(error.description)
                }
                try writer.finishFile(stats: stats)
                return stats
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
    /// - Throws: ``ScanError`` when the source ends in damage (the records before it are
    ///   stored), storage errors.
    private func scanMessageTracking(_ source: ByteSource, into stats: inout FileStats) throws {
        let pipeline = DecodePipeline(source: source, context: writer.context)
        var local = FileStats()
        let (bytes, sourceError) = try pipeline.run { batch in
            try writer.write(batch)
            local.records += batch.records
            local.events += batch.rows.count
            local.rejected += batch.rejected
            local.issues += batch.issues.count
            if let t = batch.firstMs { local.noteTime(t) }
            if let t = batch.lastMs { local.noteTime(t) }
        }
        local.bytesScanned = bytes
        stats = local
        if let sourceError { throw sourceError }
    }

    private func isKnown(_ fingerprint: String) throws -> Bool {
        let st = try db.prepare("SELECT 1 FROM source_file WHERE fingerprint = ?1")
        st.bind(1, fingerprint)
        return try st.step()
    }
}

/// Why one input could not be ingested.
enum FileFailure: Error, CustomStringConvertible {
    case unrecognisedFormat(String)
    case unsupportedEncoding(String, String)

    var description: String {
        switch self {
        case .unrecognisedFormat(let p):
            return "\(p): not a recognised log format (expected an Exchange message tracking log with a #Fields: header); skipped"
        case .unsupportedEncoding(let p, let e):
            return "\(p): \(e) text is not supported yet; convert it to UTF-8 (e.g. iconv -f UTF-16 -t UTF-8) and ingest again"
        }
    }
}
