import ArgumentParser

/// `pairbook-bench`: the benchmarks behind `make bench` (release builds only).
///
/// Each area is a subcommand that prints a Markdown table ready for BENCHMARKS.md and, where an
/// issue asks for a ratio, runs the equivalent Python pipeline itself on the same data in the same run.
@main
struct PairbookBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pairbook-bench",
        abstract: "Benchmarks of pairbook (run through `make bench`).",
        subcommands: [
            // One subcommand per area, one file each.
            AnalyticsBench.self,
            ImportBench.self,
            ChartsBench.self,
            ReportBench.self,
            CollectorBench.self,
            SoakBench.self,
            ReplayBench.self,
            PostgresBench.self,
            PostgresCollectorBench.self,
            OverviewQueryBench.self,
        ])
}
