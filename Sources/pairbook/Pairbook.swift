import ArgumentParser

/// The `pairbook` command: a root with one subcommand per job.
@main
struct Pairbook: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pairbook",
        abstract: "Record Binance USD-M futures trades, analyse pairs and render reports.",
        discussion: """
            Data lives in one SQLite file (--db, PAIRBOOK_DB, default ./pairbook.sqlite).
            Start with `pairbook demo` for a simulated day, or `pairbook import` for Binance dumps.
            """,
        version: "0.1.0",
        subcommands: [
            // Registered commands, one file each in Commands/.
            StatusCommand.self,
            ImportCommand.self, ExportCommand.self, DemoCommand.self,
            AnalyzeCommand.self, ReportCommand.self, ChartCommand.self,
            CollectCommand.self, FetchCommand.self,
            RunCommand.self, ServeCommand.self,
            MigrateCommand.self,
        ])
}
