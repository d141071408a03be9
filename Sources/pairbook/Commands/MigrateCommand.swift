import ArgumentParser
import DataMigration

/// `pairbook migrate --from … --to …`: copies a database into another, SQLite ↔ PostgreSQL.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy a database into another: SQLite to PostgreSQL, or back.",
        discussion: """
            A store is a file path, sqlite:PATH, or postgres://user@host[:port]/database[?sslmode=require] \
            (the password in the URL or in PGPASSWORD). Copies trades, bars of every stored timeframe \
            (as stored), alert rules, report runs, alert events (and so the alert states), analytics results \
            and stream gaps; collector leases stay behind.

            Safe to interrupt: committed batches stay, and running the same command again continues where it \
            stopped and ends with exactly the source's data, nothing twice. Rows the destination already holds \
            are kept, not duplicated.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Store to copy from (default: the --db database).", valueName: "store"))
    var from: String?

    @Option(help: ArgumentHelp("Store to copy into (an SQLite file is created if missing).", valueName: "store"))
    var to: String

    func validate() throws {
        if from != nil, global.db != nil { throw ValidationError("give --from or --db, not both") }
    }

    func run() async throws {
        let logger = global.makeLogger()
        let source = try StoreLocation(parsing: from ?? global.databasePath)
        let destination = try StoreLocation(parsing: to)
        let summary = try await StoreMigration.run(from: source, to: destination, logger: logger) { progress in
            if progress.isFinished {
                Console.endProgress()
                Console.line(progress.description)
            } else {
                Console.progress(progress.description)
            }
        }
        Console.line(summary.description)
    }
}
