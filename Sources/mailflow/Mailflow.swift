import ArgumentParser
import Foundation
import Logging
import MailflowCore

/// Exit codes (documented in README.md).
enum ExitStatus: Int32 {
    /// Everything read and stored.
    case success = 0
    /// A fatal error, or an input that could not be read (other inputs were still ingested).
    case failure = 1
    /// Finished, but some records were rejected (see `v_parse_issues`).
    case rejectedInput = 3
    /// The database is locked by another ingest (reserved).
    case locked = 75
}

@main
struct Mailflow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailflow",
        abstract: "Why mail did not get through: Exchange logs -> SQLite -> weekly report.",
        version: "0.1.0",
        subcommands: [Ingest.self, Report.self, Explain.self, SQL.self, Status.self]
    )
}

struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "SQLite database file (default: $MAILFLOW_DB or ./mailflow.db).")
    var db: String?

    var path: String { db ?? ProcessInfo.processInfo.environment["MAILFLOW_DB"] ?? "mailflow.db" }

    func validate() throws {
        // SQLite takes "" for a temporary database that vanishes at exit: never what an admin means.
        if path.isEmpty { throw ValidationError("--db (or $MAILFLOW_DB) is empty; give the database file") }
    }
}

func fail(_ message: String, _ status: ExitStatus = .failure) -> ExitCode {
    FileHandle.standardError.write(Data("mailflow: \(message)\n".utf8))
    return ExitCode(status.rawValue)
}

func makeLogger(verbose: Bool) -> Logger {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = verbose ? .debug : .warning
        return handler
    }
    return Logger(label: "mailflow")
}
