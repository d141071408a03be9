import Collector
import Foundation
import Logging
import Market
import PairbookApp
import PairbookTestSupport
import PostgresStorage
import ServiceLifecycle
import Storage
import Synchronization
import Testing

/// The live collector as `pairbook collect` wires it (``LiveCollector``), fed by a ``FakeBinanceServer``, recording into
/// either store: each test body runs on SQLite and on a real PostgreSQL 15 (a fresh cluster; skipped without
/// PostgreSQL unless `PAIRBOOK_POSTGRES_REQUIRED=1`).
@Suite("LiveCollector into SQLite and PostgreSQL", .serialized)
struct LiveCollectorStoreTests {
    /// A store the collector records into and the test reads back from.
    typealias TestStore = any LiveStore & MigratableStore

    static let patience: Duration = .seconds(300)  // the whole suite runs at once on 2 cores: its first minutes are CPU-bound

    // MARK: - SQLite and PostgreSQL

    @Test("SQLite: every trade stored, bars as the Recorder keeps them, the hole recorded, a second collector refused")
    func oneCollectorSQLite() async throws { try await Self.withSQLite(Self.oneCollector) }

    @Test("PostgreSQL: every trade stored, bars as the Recorder keeps them, the hole recorded, a second collector refused",
          .enabled(if: PostgresTestServer.isAvailable, "\(PostgresTestServer.skipReason)"))
    func oneCollectorPostgres() async throws { try await Self.withPostgres(Self.oneCollector) }

    @Test("SQLite: two collectors with disjoint symbols into one database store every trade")
    func twoCollectorsSQLite() async throws { try await Self.withSQLite(Self.twoCollectors) }

    @Test("PostgreSQL: two collectors with disjoint symbols into one database store every trade",
          .enabled(if: PostgresTestServer.isAvailable, "\(PostgresTestServer.skipReason)"))
    func twoCollectorsPostgres() async throws { try await Self.withPostgres(Self.twoCollectors) }

    @Test("SQLite: a collector started again records the hole since the last stored trade as a gap")
    func restartSQLite() async throws { try await Self.withSQLite(Self.restart) }

    @Test("PostgreSQL: a collector started again records the hole since the last stored trade as a gap",
          .enabled(if: PostgresTestServer.isAvailable, "\(PostgresTestServer.skipReason)"))
    func restartPostgres() async throws { try await Self.withPostgres(Self.restart) }

    @Test("SQLite: each commit hands on its trades and the bars as written")
    func committedBatchesSQLite() async throws { try await Self.withSQLite(Self.committedBatches) }

    @Test("PostgreSQL: each commit hands on its trades and the bars as written",
          .enabled(if: PostgresTestServer.isAvailable, "\(PostgresTestServer.skipReason)"))
    func committedBatchesPostgres() async throws { try await Self.withPostgres(Self.committedBatches) }

    /// Runs `body` with a fresh SQLite file store.
    static func withSQLite(_ body: (TestStore) async throws -> Void) async throws {
        let directory = try Fixtures.temporaryDirectory(prefix: "pairbook-live-store")
        defer { try? FileManager.default.removeItem(at: directory) }
        try await body(try Store(path: directory.appendingPathComponent("live.sqlite").path, logger: .quiet))
    }

    /// Runs `body` with a fresh database on a fresh PostgreSQL cluster.
    static func withPostgres(_ body: (TestStore) async throws -> Void) async throws {
        try await PostgresTestServer.withServer { server in
            try await PostgresStore.withStore(try PostgresURL(try server.createDatabase()), logger: .quiet) { try await body($0) }
        }
    }

    // MARK: - The bodies

    static func oneCollector(_ store: TestStore) async throws {
        // Given BTCUSDT and ETHUSDT trades over a few minutes, BTCUSDT's ids 1200…1249 never sent (a hole)
        let ticks = Self.trades(["BTCUSDT", "ETHUSDT"], count: 1_200, firstID: 1_000).filter {
            !($0.symbol == "BTCUSDT" && (1_200..<1_250).contains($0.tradeID))
        }
        let steps = [FakeBinanceServer.Step.waitForClients(1)] + ticks.map { .frame($0.tradeFrame) }
        try await FakeBinanceServer.withServer(steps: steps) { server in
            // When a collector records them
            let collector = try await Self.collector(["BTCUSDT", "ETHUSDT"], from: server, into: store)
            try await Self.running(collector) {
                // (meanwhile a second collector of BTCUSDT is refused, and takes nothing: all or none)
                do {
                    _ = try await Self.collector(["SOLUSDT", "BTCUSDT"], from: server, into: store)
                    Issue.record("a second collector of BTCUSDT started")
                } catch let conflict as LeaseConflict {
                    let me = "(pid \(ProcessInfo.processInfo.processIdentifier) on \(ProcessInfo.processInfo.hostName), lease renewed "
                    #expect(conflict.description.hasPrefix("BTCUSDT is being collected by another pairbook \(me)"), "\(conflict)")
                    #expect(conflict.description.hasSuffix("stop that collector, or pass --share-symbols to record alongside it"))
                }
                #expect(try await store.collectorLeases().map(\.symbol) == ["BTCUSDT", "ETHUSDT"])
                try await server.waitUntilFinished(timeout: Self.patience)
                try await FakeBinanceServer.wait(timeout: Self.patience) { collector.stats.snapshot().committedTicks >= ticks.count }
            }
            #expect(collector.stats.snapshot().gaps == 1)
        }
        // Then every trade is stored, the bars are those the SQLite Recorder keeps for the same trades, the hole is
        // recorded, and the leases are given up
        try await Self.expectStored(ticks, in: store)
        try await Self.expectBars(of: ticks, in: store)
        let gaps = try await store.gaps(for: "BTCUSDT")
        #expect(gaps.map { "\($0.fromTradeID)…\($0.toTradeID)" } == ["1199…1250"])
        #expect(gaps.first?.filledAt == nil)
        #expect(try await store.gaps(for: "ETHUSDT").isEmpty)
        #expect(try await store.collectorLeases().isEmpty)
    }

    static func twoCollectors(_ store: TestStore) async throws {
        // Given two streams, one of BTCUSDT and ETHUSDT, the other of SOLUSDT and BNBUSDT
        let first = Self.trades(["BTCUSDT", "ETHUSDT"], count: 3_000, firstID: 5_000)
        let second = Self.trades(["SOLUSDT", "BNBUSDT"], count: 3_000, firstID: 70_000)
        try await FakeBinanceServer.withServer(steps: [.waitForClients(1)] + first.map { .frame($0.tradeFrame) }) { a in
            try await FakeBinanceServer.withServer(steps: [.waitForClients(1)] + second.map { .frame($0.tradeFrame) }) { b in
                // When a collector records each into the same database, at the same time
                let one = try await Self.collector(["BTCUSDT", "ETHUSDT"], from: a, into: store)
                let two = try await Self.collector(["SOLUSDT", "BNBUSDT"], from: b, into: store)
                try await Self.running(one) {
                    try await Self.running(two) {
                        #expect(try await store.collectorLeases().map(\.symbol) == ["BNBUSDT", "BTCUSDT", "ETHUSDT", "SOLUSDT"])
                        try await FakeBinanceServer.wait(timeout: Self.patience) {
                            one.stats.snapshot().committedTicks >= first.count && two.stats.snapshot().committedTicks >= second.count
                        }
                    }
                }
            }
        }
        // Then every trade of both is stored, with its bars
        try await Self.expectStored(first + second, in: store)
        try await Self.expectBars(of: first + second, in: store)
        #expect(try await store.gaps(for: nil).isEmpty)
    }

    static func restart(_ store: TestStore) async throws {
        // Given a collector that recorded BTCUSDT up to id 2099 and stopped
        let all = Self.trades(["BTCUSDT"], count: 1_300, firstID: 1_000)
        let before = Array(all[..<1_100]), after = Array(all[1_150...])
        for part in [before, after] {
            // When it starts again and receives ids from 2150 on (2100…2149 were traded while it was down)
            try await FakeBinanceServer.withServer(steps: [.waitForClients(1)] + part.map { .frame($0.tradeFrame) }) { server in
                let collector = try await Self.collector(["BTCUSDT"], from: server, into: store)
                try await Self.running(collector) {
                    try await FakeBinanceServer.wait(timeout: Self.patience) { collector.stats.snapshot().committedTicks >= part.count }
                }
            }
        }
        // Then the hole across the downtime is a gap, from the last stored trade to the first received
        #expect(try await store.lastTicks(of: ["BTCUSDT", "ETHUSDT"]) == ["BTCUSDT": all[all.count - 1]])
        #expect(try await store.gaps(for: "BTCUSDT").map { "\($0.fromTradeID)…\($0.toTradeID)" } == ["2099…2150"])
        try await Self.expectStored(before + after, in: store)
    }

    static func committedBatches(_ store: TestStore) async throws {
        // Given the live commit of the store, with a hook
        let seen = Mutex<[CommittedBatch]>([])
        let commit = store.liveCommit(timeframes: [.oneSecond, .oneMinute], logger: .quiet) { batch in seen.withLock { $0.append(batch) } }
        // When two batches of two symbols are committed
        let ticks = Self.trades(["BTCUSDT", "ETHUSDT"], count: 420, firstID: 1)
        try await commit(LiveRecorder.CommitBatch(ticks: Array(ticks[..<400])))
        try await commit(LiveRecorder.CommitBatch(ticks: Array(ticks[400...])))
        // Then the hook got each batch's trades, and bars grouped by timeframe then symbol whose latest are the stored
        let batches = seen.withLock { $0 }
        #expect(batches.map(\.ticks) == [Array(ticks[..<400]), Array(ticks[400...])])
        for batch in batches {
            let keys = batch.bars.map { ($0.timeframe, $0.symbol) }
            #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 <= $1 }, "\(keys)")
        }
        for symbol: Symbol in ["BTCUSDT", "ETHUSDT"] {
            for timeframe in [Timeframe.oneSecond, .oneMinute] {
                let stored = try await store.bars(of: symbol, timeframe: timeframe, after: nil, limit: 10_000)
                let handed = batches.flatMap(\.bars).filter { $0.symbol == symbol && $0.timeframe == timeframe }
                #expect(Set(handed.map(\.bar.openTime)) == Set(stored.map(\.openTime)), "\(symbol) \(timeframe)")
                #expect(handed.last?.bar == stored.last, "\(symbol) \(timeframe)")
            }
        }
    }

    // MARK: - Helpers

    /// `count` trades taking turns among `symbols`, 37 ms apart from 2024-07-19T00:00:00Z, ids from `firstID` per symbol.
    static func trades(_ symbols: [Symbol], count: Int, firstID: Int64) -> [Tick] {
        (0..<count).map { i in
            let symbol = symbols[i % symbols.count]
            return Tick(symbol: symbol, tradeID: firstID + Int64(i / symbols.count),
                        timestamp: Timestamp(milliseconds: 1_721_347_200_000 + Int64(i) * 37),
                        price: 64_000 + Double(i % 41) * 0.1, quantity: Double(1 + i % 7) / 1_000, isBuyerMaker: i % 3 == 0)
        }
    }

    /// The collector of `symbols` as `pairbook collect` makes it (trade stream from `server`, default timeframes).
    static func collector(_ symbols: [Symbol], from server: FakeBinanceServer, into store: TestStore) async throws -> LiveCollector {
        try await LiveCollector(stream: BinanceStreamConfiguration(symbols: symbols, endpoint: server.baseURL),
                                timeframes: Timeframe.defaults, restEndpoint: nil, apiKey: nil, store: store,
                                statusInterval: .seconds(3_600), statusLine: { _ in }, logger: .quiet)
    }

    /// Runs the collector's services while `body` runs, then shuts them down gracefully (everything received committed).
    static func running(_ collector: LiveCollector, _ body: () async throws -> Void) async throws {
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: collector.services, logger: .quiet))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await body()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    static func expectStored(_ ticks: [Tick], in store: TestStore, sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws {
        for symbol in Set(ticks.map(\.symbol)).sorted() {
            let stored = try await store.trades(of: symbol, after: nil, limit: 1_000_000)
            let sent = ticks.filter { $0.symbol == symbol }.sorted { TickKey($0) < TickKey($1) }
            #expect(stored == sent, "\(symbol): \(stored.count) of \(sent.count) trades stored as sent", sourceLocation: sourceLocation)
        }
    }

    /// The bars in `store` are exactly those the SQLite `Recorder` keeps for `ticks`.
    static func expectBars(of ticks: [Tick], in store: TestStore, sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws {
        let reference = try Store.inMemory()
        _ = try Recorder(store: reference, logger: .quiet).record(ticks)
        for symbol in Set(ticks.map(\.symbol)).sorted() {
            for timeframe in Timeframe.defaults {
                let want = try await reference.bars(for: symbol, timeframe: timeframe, in: .all).bars
                let got = try await store.bars(of: symbol, timeframe: timeframe, after: nil, limit: 1_000_000)
                #expect(!want.isEmpty && got == want, "\(symbol) \(timeframe): \(got.count) bars, \(want.count) expected",
                        sourceLocation: sourceLocation)
            }
        }
    }
}
