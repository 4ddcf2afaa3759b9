import ArgumentParser
import Foundation
import MailflowCore

struct SQL: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a read-only SQL query (the views of schema.sql) and print the rows.")

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case table, csv, json }

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "The query, e.g. \"SELECT * FROM v_top_causes\".")
    var query: String?

    @Option(name: .long, help: "Output: table, csv or json.")
    var format: OutputFormat = .table

    @Flag(name: .long, help: "Print the documented views (schema.sql) and exit.")
    var schema = false

    func run() throws {
        if schema {
            print(Schema.sql)
            return
        }
        guard let query else { throw ValidationError("give a query, or --schema") }
        do {
            let result = try QueryRunner.run(databasePath: database.path, sql: query)
            switch format {
            case .table: print(result.alignedTable(), terminator: "")
            case .csv: print(result.csv(), terminator: "")
            case .json: print(result.json())
            }
        } catch {
            throw fail("\(error)")
        }
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show what the database holds.")

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        do {
            let sql = """
                SELECT (SELECT count(*) FROM source_file) AS files,
                       (SELECT count(*) FROM event) AS events,
                       (SELECT count(*) FROM parse_issue) AS issues,
                       (SELECT strftime('%Y-%m-%dT%H:%M:%fZ', min(first_ms) / 1000.0, 'unixepoch') FROM source_file) AS first_utc,
                       (SELECT strftime('%Y-%m-%dT%H:%M:%fZ', max(last_ms) / 1000.0, 'unixepoch') FROM source_file) AS last_utc,
                       (SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()) AS database_bytes,
                       (SELECT user_version FROM pragma_user_version()) AS schema_version
                """
            let result = try QueryRunner.run(databasePath: database.path, sql: sql)
            print(result.alignedTable(), terminator: "")
        } catch {
            throw fail("\(error)")
        }
    }
}
