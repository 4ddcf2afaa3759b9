import ArgumentParser
import Foundation
import MailflowCore

struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read log files (plain or gzip, files or folders) into the database.",
        discussion: "Each file is stored in one transaction; a file whose content was ingested before adds nothing.")

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "Log files or folders (walked recursively); '-' reads standard input.")
    var paths: [String]

    @Option(name: .long, help: "Also write the report into this folder (see 'mailflow report').")
    var report: String?

    @Option(name: .long, help: "Report window when --report is given: 7d, 24h, 30d, or 'all'.")
    var since: String = "7d"

    @Option(name: .long, help: ArgumentHelp("Read every input as this format instead of detecting it.", valueName: "name"))
    var format: String?

    @Option(name: .long, help: ArgumentHelp("Year of the first line of yearless syslog files (Postfix); +1 at each December-to-January step. Default: from each file's modification time.", valueName: "YYYY"))
    var year: Int?

    @Option(name: .long, help: ArgumentHelp("IANA time zone for times that carry no zone (PowerShell exports, classic syslog). Default: UTC.", valueName: "zone"))
    var timezone: String?

    @OptionGroup var retry: ExpiryWindowOptions

    @Flag(name: .long, help: "Read and decode only: store nothing, print each file's counts and first issues (checks files; measures decoder speed).")
    var dryRun = false

    @Flag(name: .long, help: "Show per-file detection and progress on standard error.")
    var verbose = false

    @Flag(name: .long, help: "Print the final summary as JSON.")
    var json = false

    var decodeOptions: DecodeOptions {
        DecodeOptions(format: format.flatMap(LogFormat.init(rawValue:)), year: year, timeZone: timezone ?? "UTC")
    }

    func validate() throws {
        if let format, LogFormat(rawValue: format) == nil {
            throw ValidationError("unknown --format '\(format)'; one of: \(LogFormat.names)")
        }
        if dryRun && report != nil { throw ValidationError("--report cannot be combined with --dry-run (a dry run stores nothing to report on)") }
        if let year, !(1970...9999).contains(year) { throw ValidationError("--year \(year) is out of range (1970-9999)") }
        do { try decodeOptions.validate() } catch { throw ValidationError("--timezone: \(error)") }
        if report != nil {
            do { _ = try ReportWindow.parse(since: since, from: nil, to: nil) } catch { throw ValidationError("\(error)") }
        }
    }

    func run() throws {
        let logger = makeLogger(verbose: verbose)
        let ingestor: Ingestor
        do {
            ingestor = try Ingestor(databasePath: database.path, options: decodeOptions, dryRun: dryRun, logger: logger)
        } catch {
            throw fail("\(database.path): cannot open the database: \(error)")
        }
        if verbose || dryRun {
            ingestor.onFileDone = { o in
                var text = "\(o.path): \(describe(o))\n"
                if dryRun {
                    for i in o.sampleIssues {
                        text += "  line \(i.line), byte \(i.lineOffset): \(i.kind.rawValue)\(i.detail.map { " (\($0))" } ?? "")\n"
                    }
                    if o.stats.issues > o.sampleIssues.count { text += "  ... \(o.stats.issues - o.sampleIssues.count) more issue(s)\n" }
                }
                FileHandle.standardError.write(Data(text.utf8))
            }
        }
        let summary: IngestSummary
        do {
            summary = try ingestor.ingest(paths: paths)
        } catch {
            throw fail("\(error)")
        }
        for file in summary.files {
            if case .failed(let message) = file.status {
                FileHandle.standardError.write(Data("mailflow: \(message)\n".utf8))
            }
            // Local times read as UTC because no zone was given: say so once per file.
            if timezone == nil, let rule = file.timeRule, rule.contains("--timezone") {
                FileHandle.standardError.write(Data("mailflow: note: \(file.path): \(rule); give --timezone ZONE if its times are not UTC\n".utf8))
            }
        }
        if json {
            print(summaryJSON(summary))
        } else {
            let mbps = summary.seconds > 0 ? Double(summary.bytes) / 1_048_576 / summary.seconds : 0
            let ignored = summary.ignoredFiles > 0 ? ", ignored \(summary.ignoredFiles) non-log file(s)" : ""
            print("\(dryRun ? "dry run (nothing stored): read" : "ingested") \(summary.ingestedFiles) file(s), skipped \(summary.skippedFiles) already ingested, failed \(summary.failedFiles)\(ignored): "
                + "\(summary.records) records, \(summary.events) events, \(summary.rejected) rejected, \(summary.issues) issues in "
                + String(format: "%.2f s (%.1f MB/s)", summary.seconds, mbps))
        }
        if let report, !dryRun {
            try runReport(databasePath: database.path, since: since, from: nil, to: nil, out: report, expiry: try retry.windows())
        }
        if summary.failedFiles > 0 { throw ExitCode(ExitStatus.failure.rawValue) }
        if summary.rejected > 0 { throw ExitCode(ExitStatus.rejectedInput.rawValue) }
    }

    private func describe(_ o: FileOutcome) -> String {
        switch o.status {
        case .ingested:
            return "\(o.format ?? "?"), \(o.encoding ?? "?"), \(o.compression ?? "?"): \(o.stats.records) records, \(o.stats.events) events, \(o.stats.rejected) rejected"
        case .alreadyIngested:
            return "already ingested (same content), skipped"
        case .failed(let m):
            return "failed: \(m)"
        case .notALog:
            return "not a log format mailflow reads; ignored"
        }
    }

    private func summaryJSON(_ s: IngestSummary) -> String {
        let object: [String: Any] = [
            "files": s.files.count, "ingested": s.ingestedFiles, "skipped": s.skippedFiles, "failed": s.failedFiles, "ignored": s.ignoredFiles,
            "records": s.records, "events": s.events, "rejected": s.rejected, "issues": s.issues,
            "bytes": s.bytes, "seconds": s.seconds,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
