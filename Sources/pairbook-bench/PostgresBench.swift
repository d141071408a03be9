import ArgumentParser
import Collector
import Foundation
import Market
import PairbookTestSupport
import PostgresStorage
import Storage

/// `pairbook-bench postgres`: storing simulated trades (BTCUSDT and ETHUSDT) with their 1s/1m/5m bars into a throwaway
/// PostgreSQL 15 server (durable settings: fsync and synchronous commit on) and, in the same run, into an SQLite file
/// through the same batches: ticks/s of each, the fastest of `--repeat` runs.
///
/// Both take the batches already in memory (the CSV parsing is the import bench's). PostgreSQL: `PostgresStore.record`
/// (per symbol, on its own connection: `COPY` into `tick_rows`, bars recomputed from the stored trades). SQLite:
/// `Recorder.record` (bulk insert, resampler, bar upserts).
struct PostgresBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "postgres",
        abstract: "Trades with their bars into PostgreSQL vs SQLite: ticks/s (starts its own PostgreSQL 15).")

    @Option(help: "Trades per run (two symbols).")
    var ticks = 1_000_000

    @Option(help: "Trades per transaction.")
    var batchSize = 50_000

    @Option(name: .customLong("repeat"), help: "Runs of each store; the fastest counts.")
    var repetitions = 3

    @Option(help: "Bar timeframes kept, comma-separated (none: trades only).")
    var timeframes = "1s,1m,5m"

    @Flag(help: "PostgreSQL alone (to look into its costs).")
    var postgresOnly = false

    func run() async throws {
        let start = Timestamp(seconds: 1_704_067_200)  // 2024-01-01T00:00:00Z
        let simulator = Simulator()
        let ticks = Array(simulator.ticks(in: TimeRange(start: start, end: start + .days(7))).prefix(self.ticks))
        let frames = timeframes == "none" ? [] : try Timeframe.parseList(timeframes)
        let batches = stride(from: 0, to: ticks.count, by: batchSize).map { Array(ticks[$0..<min($0 + batchSize, ticks.count)]) }
        var postgres: [Double] = [], sqlite: [Double] = []
        // The Overview's reads: both legs' 1 s bars of the last 24 h of the data (what /api/pair reads; /api/bars thins
        // them while reading), and both legs' closes (what /api/spread reads).
        let last = ticks.last?.timestamp ?? start
        let day = TimeRange(start: last - .days(1), end: last + .seconds(1))
        var overviewReads: (postgres: [Double], sqlite: [Double], bars: Int) = ([], [], 0)
        var closeReads: (postgres: [Double], sqlite: [Double]) = ([], [])
        let legs: [Symbol] = ["BTCUSDT", "ETHUSDT"]
        try await PostgresTestServer.withServer(durable: true) { server in
            for run in 0..<repetitions {
                let store = try await PostgresStore.connect(try PostgresURL(try server.createDatabase("bench\(run)")), logger: .bench("postgres"))
                let clock = ContinuousClock()
                let began = clock.now
                var inserted = 0
                for batch in batches { inserted += try await store.record(batch, timeframes: frames).inserted }
                postgres.append(Self.seconds(began.duration(to: clock.now)))
                precondition(inserted == ticks.count, "PostgreSQL stored \(inserted) of \(ticks.count)")
                if run == repetitions - 1 {
                    for _ in 0..<5 {
                        let t = clock.now
                        var bars = 0
                        for symbol in legs { bars += try await store.bars(for: symbol, timeframe: .oneSecond, in: day).count }
                        overviewReads.postgres.append(Self.seconds(t.duration(to: clock.now)) * 1000)
                        overviewReads.bars = bars
                        let c = clock.now
                        for symbol in legs { _ = try await store.closes(for: symbol, timeframe: .oneSecond, in: day) }
                        closeReads.postgres.append(Self.seconds(c.duration(to: clock.now)) * 1000)
                    }
                }
                await store.close()
            }
        }
        for _ in 0..<(postgresOnly ? 0 : repetitions) {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pairbook-pgbench-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let recorder = Recorder(store: try Store(path: dir.appendingPathComponent("b.sqlite").path, logger: .bench("postgres")),
                                    timeframes: frames, logger: .bench("postgres"))
            let clock = ContinuousClock()
            let began = clock.now
            var inserted = 0
            for batch in batches { inserted += try recorder.record(batch).inserted }
            sqlite.append(Self.seconds(began.duration(to: clock.now)))
            precondition(inserted == ticks.count, "SQLite stored \(inserted) of \(ticks.count)")
            if overviewReads.sqlite.isEmpty {
                for _ in 0..<5 {
                    let t = clock.now
                    for symbol in legs { _ = try await recorder.store.bars(for: symbol, timeframe: .oneSecond, in: day) }
                    overviewReads.sqlite.append(Self.seconds(t.duration(to: clock.now)) * 1000)
                    let c = clock.now
                    for symbol in legs { _ = try recorder.store.closes(for: symbol, timeframe: .oneSecond, in: day) }
                    closeReads.sqlite.append(Self.seconds(c.duration(to: clock.now)) * 1000)
                }
            }
        }
        let best = (postgres.min() ?? .nan, sqlite.min() ?? .nan)
        print("### Trades with \(timeframes) bars into PostgreSQL 15 and SQLite (\(ticks.count) trades, \(batchSize) per transaction)")
        print()
        print("| store | best of \(repetitions) | ticks/s | all runs (s) |")
        print("| --- | ---: | ---: | --- |")
        func row(_ name: String, _ best: Double, _ runs: [Double]) -> String {
            "| \(name) | \(String(format: "%.2f s", best)) | \(String(format: "%.0f", Double(ticks.count) / best)) | "
                + runs.map { String(format: "%.2f", $0) }.joined(separator: ", ") + " |"
        }
        print(row("PostgreSQL 15 (COPY per symbol in parallel, bars recomputed in SQL; fsync on)", best.0, postgres))
        print(row("SQLite (WAL; Recorder)", best.1, sqlite))
        func median(_ values: [Double]) -> String { values.isEmpty ? "-" : String(format: "%.1f ms", values.sorted()[values.count / 2]) }
        print()
        print("Overview reads, one leg after the other (the last 24 h of both legs' 1 s bars, \(overviewReads.bars) bars; median of 5):")
        print()
        print("| read | PostgreSQL 15 | SQLite |")
        print("| --- | ---: | ---: |")
        print("| whole bars (what /api/pair reads) | \(median(overviewReads.postgres)) | \(median(overviewReads.sqlite)) |")
        print("| open times and closes (what /api/spread reads) | \(median(closeReads.postgres)) | \(median(closeReads.sqlite)) |")
    }

    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
}
