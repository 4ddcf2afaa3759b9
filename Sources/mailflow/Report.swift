import ArgumentParser
import Foundation
import MailflowCore

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the report: report.html, connector_daily.csv, expired.csv, top_causes.csv, report.json.")

    @OptionGroup var database: DatabaseOptions

    @Option(name: .long, help: "Window ending at the last event: 7d, 24h, 30d, or 'all'.")
    var since: String = "7d"

    @Option(name: .long, help: "Window start (YYYY-MM-DD or ISO time, UTC); overrides --since.")
    var from: String?

    @Option(name: .long, help: "Window end, exclusive (YYYY-MM-DD or ISO time, UTC).")
    var to: String?

    @Option(name: .long, help: "Output folder.")
    var out: String = "report"

    @OptionGroup var retry: ExpiryWindowOptions

    func validate() throws {
        do { _ = try ReportWindow.parse(since: since, from: from, to: to) } catch { throw ValidationError("\(error)") }
        _ = try retry.windows()
    }

    func run() throws {
        try runReport(databasePath: database.path, since: since, from: from, to: to, out: out, expiry: try retry.windows())
    }
}

/// `--expiry-window SOURCE=DURATION`, repeatable.
struct ExpiryWindowOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "How long a source retries before messages expire, for overdue deliveries: exo=24h, exchange=2d, postfix=5d (the defaults). Repeatable.",
        valueName: "source=duration"))
    var expiryWindow: [String] = []

    func windows() throws -> ExpiryWindows {
        var w = ExpiryWindows()
        do { try w.apply(expiryWindow) } catch { throw ValidationError("\(error)") }
        return w
    }
}

func runReport(databasePath: String, since: String, from: String?, to: String?, out: String, expiry: ExpiryWindows = ExpiryWindows()) throws {
    do {
        let window = try ReportWindow.parse(since: since, from: from, to: to)
        let written = try ReportWriter.write(databasePath: databasePath, window: window, expiry: expiry, outputDirectory: out)
        print(written.summaryText, terminator: "")
    } catch let error as CocoaError {
        let reason = (error.userInfo[NSUnderlyingErrorKey] as? NSError)?.localizedDescription ?? error.localizedDescription
        throw fail("\(out): cannot write the report files (\(reason)); check the folder, its permissions and free space")
    } catch {
        throw fail("\(error)")
    }
}
