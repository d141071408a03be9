import ArgumentParser
import Collector
import Foundation
import Logging
import Market
import PairbookApp
import PairbookTestSupport
import PostgresStorage

/// `pairbook-bench postgres-collectors`: two live collectors, each with its own symbols, its own replay server and
/// its own connections (as two `pairbook collect --db postgres://…` processes would have), recording into one
/// PostgreSQL 15 at `--rate` trades/s each.
///
/// It starts its own cluster with durable settings (fsync and synchronous commit on, `scripts/pg-test-server.sh`;
/// `--no-durable` turns them off, to show what the disk costs), and recycled WAL segment files, as a server that has
/// run for a while has them (`--fresh-wal`: none, so every 16 MB of log first writes a new file of zeros while
/// commits wait; ``PostgresTestServer/recycleWAL(megabytes:)``).
/// The frames are the real BTCUSDT/ETHUSDT trades of 2024-07-18/19 with renumbered ids (``CollectorBench``); the
/// second collector receives them as SOLUSDT/BNBUSDT. Reported per collector: trades committed and receive-to-commit
/// latency p50/p99/max after a one-second warm-up (the issue's target: p99 < 100 ms), and the trades stored in all.
/// Servers, collectors and PostgreSQL share the machine's cores.
struct PostgresCollectorBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "postgres-collectors",
        abstract: "Two live collectors into one PostgreSQL at 10,000 trades/s each: receive-to-commit latency (starts its own PostgreSQL 15).")

    @Option(help: "Trades per second sent to each collector.")
    var rate = 10_000

    @Option(help: "Seconds of replay.")
    var seconds = 30

    @Flag(inversion: .prefixedNo, help: "PostgreSQL with fsync and synchronous commit (--no-durable: what the disk costs).")
    var durable = true

    @Flag(help: "Leave the fresh cluster's WAL as it is (no recycled segment files): what a new server costs.")
    var freshWAL = false

    func run() async throws {
        let template = try CollectorBench.templateTrades()
        let collectors: [(symbols: [Symbol], frames: [String])] = [
            (["BTCUSDT", "ETHUSDT"], CollectorBench.frames(count: rate * seconds, rate: rate, template: template)),
            (["SOLUSDT", "BNBUSDT"], CollectorBench.frames(count: rate * seconds, rate: rate, template: template,
                                                           renaming: ["BTCUSDT": "SOLUSDT", "ETHUSDT": "BNBUSDT"])),
        ]
        let rate = self.rate, seconds = self.seconds
        let (rows, stored) = try await PostgresTestServer.withServer(durable: durable) { [freshWAL] server in
            // Two collectors write about 7 MB of WAL a second: 30 s of it recycled, as a running server has it.
            if !freshWAL { try server.recycleWAL(megabytes: 8 * seconds) }
            let url = try PostgresURL(try server.createDatabase("collectors"))
            let rows = try await withThrowingTaskGroup(of: (Int, [String]).self) { group in
                for (index, collector) in collectors.enumerated() {
                    group.addTask {
                        let row = try await Self.measure(collector.frames, rate: rate, seconds: seconds, symbols: collector.symbols,
                                                         into: url)
                        return (index, ["\(index + 1)", collector.symbols.map(\.name).joined(separator: ", ")] + row)
                    }
                }
                var rows: [(Int, [String])] = []
                for try await row in group { rows.append(row) }
                return rows.sorted { $0.0 < $1.0 }.map(\.1)
            }
            let stored = try await PostgresStore.withStore(url, logger: .bench("postgres-collectors")) { try await $0.tickCount() }
            return (rows, stored)
        }
        print("### Two collectors (live WebSocket → one PostgreSQL 15, \(durable ? "durable" : "no fsync")), \(rate) trades/s each, \(seconds) s")
        print()
        print("| collector | symbols | trades committed | lag p50 | lag p99 | lag max |")
        print("| ---: | --- | ---: | ---: | ---: | ---: |")
        for row in rows { print("| " + row.joined(separator: " | ") + " |") }
        print()
        print("Trades stored: \(stored) of \(collectors.map(\.frames.count).reduce(0, +)) sent.")
    }

    /// One collector with its own store connections: trades committed, lag p50, p99 and max.
    static func measure(_ frames: [String], rate: Int, seconds: Int, symbols: [Symbol], into url: PostgresURL) async throws -> [String] {
        let logger = Logger.bench("postgres-collectors")
        let stats = CollectorStats()
        try await PostgresStore.withStore(url, logger: logger) { store in
            try await CollectorBench.replay(frames, rate: rate, symbols: symbols, into: store, stats: stats, logger: logger) { server in
                try await server.waitUntilFinished(timeout: .seconds(Int64(seconds) * 3 + 30))
            }
        }
        let lag = stats.takeLag()
        return ["\(stats.snapshot().committedTicks)", CollectorBench.milliseconds(lag.quantile(0.5)),
                CollectorBench.milliseconds(lag.quantile(0.99)), CollectorBench.milliseconds(lag.max)]
    }
}
