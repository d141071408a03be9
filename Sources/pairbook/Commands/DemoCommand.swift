import ArgumentParser
import Collector
import DataMigration
import Foundation
import Market
import Storage

/// `pairbook demo`: a simulated day of a cointegrated pair in a fresh database, then its status.
///
/// Needs no network and no files. Later steps (rendering the reports) extend ``run()`` after
/// ``simulate(into:)``; the database path and the simulated pair are available there.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Write a simulated day of BTCUSDT/ETHUSDT trades into a fresh database and show its status.",
        discussion: """
            A seeded simulator (random-walk BTCUSDT near 60,000, ETHUSDT cointegrated with it through an \
            Ornstein-Uhlenbeck spread, Poisson trade arrivals, real tick and lot sizes) writes about a \
            million trades through the same recorder as the live collector and `pairbook import`, with \
            bars of --timeframes. The database (--db, default ./demo.sqlite) is replaced.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Seed of the simulator (same seed, same trades).", valueName: "n"))
    var seed: UInt64 = 42

    @Option(help: ArgumentHelp("UTC day to simulate, e.g. 2024-07-19 (default: yesterday).", valueName: "date"))
    var date: Timestamp?

    @Option(help: ArgumentHelp("How much to simulate from the start of the day.", valueName: "span"))
    var duration: TimeSpan = .hours(24)

    @Option(help: ArgumentHelp("Bar timeframes to keep, comma-separated.", valueName: "list"))
    var timeframes: TimeframeList = TimeframeList(Timeframe.defaults)

    /// The demo database: `--db`, else `demo.sqlite` (never `PAIRBOOK_DB`, which may be real data).
    var databasePath: String { global.db ?? "demo.sqlite" }

    /// The simulated range: the chosen UTC day from midnight, `duration` long.
    var range: TimeRange {
        let day = date ?? (StatusCommand.currentTime() - .days(1))
        let start = Timeframe.oneDay.barOpen(containing: day)
        return TimeRange(start: start, end: start + duration)
    }

    func run() async throws {
        guard case .sqlite = try StoreLocation(parsing: databasePath) else { throw UnsupportedDatabase(command: "demo") }
        let store = try simulate(into: databasePath)
        Console.line(try StatusCommand.render(store, now: StatusCommand.currentTime()))
        try await renderReports(from: store)
        try await renderRealSample()
    }

    /// Replaces the database at `path` with a fresh one holding the simulated trades and bars.
    ///
    /// - Returns: the store, for steps that follow (reports).
    @discardableResult
    func simulate(into path: String) throws -> Store {
        let logger = global.makeLogger()
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            try FileManager.default.removeItem(atPath: path + suffix)
        }
        let store = try Store(path: path, logger: logger)
        let simulator = Simulator(configuration: Simulator.Configuration(seed: seed))
        let ticks = simulator.ticks(in: range)
        let recorder = Recorder(store: store, timeframes: timeframes.values, logger: logger)
        let started = ContinuousClock.now
        let expected = max(1, ticks.expectedCount)
        var done = 0
        let result = try recorder.record(contentsOf: ticks) { batch in
            done += batch.inserted + batch.duplicates
            let seconds = ImportCommand.seconds(since: started)
            let rate = seconds > 0 ? Double(done) / seconds : 0
            let eta = rate > 0 ? Double(max(0, expected - done)) / rate : 0
            Console.progress("simulating \(simulator.pair) \(min(99, done * 100 / expected))%  \(done) ticks  \(Int(rate)) ticks/s  ETA \(Int(eta.rounded(.up)))s")
        }
        Console.endProgress()
        let seconds = ImportCommand.seconds(since: started)
        Console.line("demo: \(simulator.pair) \(range), seed \(seed): \(result) in \(String(format: "%.1f", seconds)) s")
        return store
    }
}
