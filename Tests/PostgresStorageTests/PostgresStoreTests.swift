import Collector
import Foundation
import Logging
import Market
import PairbookTestSupport
import PostgresStorage
import Storage
import Testing

/// The PostgreSQL store against a real PostgreSQL 15 server (a fresh cluster for the suite, a fresh database per test):
/// the same semantics as the SQLite store — idempotent trades, bars equal to one writer's of all the trades whatever
/// writes them and when, exact volumes.
@Suite("PostgreSQL store", .serialized, .enabled(if: PostgresTestServer.isAvailable, "\(PostgresTestServer.skipReason)"))
final class PostgresStoreTests {
    let server: PostgresTestServer

    init() throws { server = try PostgresTestServer() }
    deinit { server.stop() }

    func connect() async throws -> PostgresStore {
        try await PostgresStore.connect(try PostgresURL(try server.createDatabase()), logger: .quiet)
    }

    /// The real BTCUSDT trades of 2024-07-18/19 and the bars the SQLite store keeps for them (the reference).
    static func sample() throws -> (ticks: [Tick], bars: [Timeframe: [Bar]]) {
        let store = try Store.inMemory()
        _ = try CSVImporter(store: store, logger: .quiet).importFile(
            at: SharedData.url("binance-usdm-trades-2024-07-18/derived/BTCUSDT-um-trades-20240718-19.derived.csv"))
        var ticks: [Tick] = []
        try store.forEachTick(of: "BTCUSDT", in: .all) { ticks.append($0) }
        var bars: [Timeframe: [Bar]] = [:]
        for timeframe in Timeframe.defaults { bars[timeframe] = try store.bars(for: "BTCUSDT", timeframe: timeframe, in: .all).bars }
        return (ticks, bars)
    }

    /// Two simulated hours of BTCUSDT and ETHUSDT trades and the bars the SQLite store's `Recorder` keeps for them.
    static func simulated() throws -> (ticks: [Tick], bars: [Symbol: [Timeframe: [Bar]]]) {
        let start = Timestamp(seconds: 1_704_067_200)
        let ticks = Array(Simulator().ticks(in: TimeRange(start: start, end: start + .hours(2))))
        let store = try Store.inMemory()
        _ = try Recorder(store: store, logger: .quiet).record(ticks)
        var bars: [Symbol: [Timeframe: [Bar]]] = [:]
        for symbol in ["BTCUSDT", "ETHUSDT"] as [Symbol] {
            for timeframe in Timeframe.defaults {
                bars[symbol, default: [:]][timeframe] = try store.bars(for: symbol, timeframe: timeframe, in: .all).bars
            }
        }
        return (ticks, bars)
    }

    /// Records `ticks` in consecutive batches of `size` with the default timeframes; returns the trades inserted.
    static func record(_ ticks: [Tick], inBatchesOf size: Int, into store: PostgresStore) async throws -> Int {
        var inserted = 0
        for start in stride(from: 0, to: ticks.count, by: size) {
            inserted += try await store.record(Array(ticks[start..<min(start + size, ticks.count)]), timeframes: Timeframe.defaults).inserted
        }
        return inserted
    }

    func expectSameBars(_ store: PostgresStore, _ expected: [Timeframe: [Bar]], of symbol: Symbol = "BTCUSDT",
                        sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws {
        for timeframe in Timeframe.defaults {
            let got = try await store.bars(for: symbol, timeframe: timeframe, in: .all).bars
            let want = expected[timeframe] ?? []
            #expect(!want.isEmpty && got.count == want.count, "\(symbol) \(timeframe) bar count", sourceLocation: sourceLocation)
            let differing = zip(got, want).filter { $0 != $1 }
            #expect(differing.count == 0, "\(symbol) \(timeframe): \(differing.count) bars differ, first \(differing.first.map { "\($0)" } ?? "")",
                    sourceLocation: sourceLocation)
        }
    }

    /// Batches of 777 trades go through the statement that merges their bars into the stored ones, of 25,000 through
    /// `COPY` and bars recomputed from the stored trades; recording everything again, through the staging table.
    @Test("the real sample in batches gives exactly the SQLite store's bars; recording it again changes nothing",
          .enabled(if: SharedData.isAvailable, "\(SharedData.skipReason)"), arguments: [777, 25_000])
    func sameBarsAsSQLite(batchSize: Int) async throws {
        let (ticks, expected) = try Self.sample()
        let store = try await connect()
        #expect(try await Self.record(ticks, inBatchesOf: batchSize, into: store) == ticks.count)
        #expect(try await store.tickCount() == ticks.count)
        try await expectSameBars(store, expected)
        let again = try await store.record(ticks, timeframes: Timeframe.defaults)
        #expect(again.inserted == 0 && again.duplicates == ticks.count)
        try await expectSameBars(store, expected)
        await store.close()
    }

    @Test("two writers at once, each with half the trades and repeats of the other's, leave the bars of one writer",
          .enabled(if: SharedData.isAvailable, "\(SharedData.skipReason)"))
    func concurrentWriters() async throws {
        let (ticks, expected) = try Self.sample()
        let url = try PostgresURL(try server.createDatabase())
        let first = try await PostgresStore.connect(url, logger: .quiet)
        let second = try await PostgresStore.connect(url, logger: .quiet)
        let even = ticks.filter { $0.tradeID % 2 == 0 }, odd = ticks.filter { $0.tradeID % 2 != 0 }
        async let a: Void = {
            for start in stride(from: 0, to: even.count, by: 300) {
                _ = try await first.record(Array(even[start..<min(start + 300, even.count)]), timeframes: Timeframe.defaults)
            }
        }()
        async let b: Void = {
            for start in stride(from: 0, to: odd.count, by: 300) {
                // Each batch also repeats some of the other writer's trades.
                let repeats = even[min(start, even.count)..<min(start + 50, even.count)]
                _ = try await second.record(Array(odd[start..<min(start + 300, odd.count)]) + repeats, timeframes: Timeframe.defaults)
            }
        }()
        try await a
        try await b
        #expect(try await first.tickCount() == ticks.count)
        try await expectSameBars(first, expected)
        await first.close()
        await second.close()
    }

    @Test("batches of two symbols, written at once on two connections, give each symbol exactly the SQLite store's bars")
    func twoSymbolsAtOnce() async throws {
        let (ticks, expected) = try Self.simulated()
        let store = try await connect()
        #expect(try await Self.record(ticks, inBatchesOf: 5_000, into: store) == ticks.count)
        #expect(try await store.tickCount(of: "BTCUSDT") + store.tickCount(of: "ETHUSDT") == ticks.count)
        for (symbol, bars) in expected { try await expectSameBars(store, bars, of: symbol) }
        await store.close()
    }

    @Test("writers keeping different timeframes (1m,5m / 5m / 1s,5m) leave 5m bars of every trade")
    func writersWithDifferentTimeframes() async throws {
        let (ticks, expected) = try Self.simulated()
        let btc = ticks.filter { $0.symbol == "BTCUSDT" }
        let store = try await connect()
        let lists: [[Timeframe]] = [[.oneMinute, .fiveMinutes], [.fiveMinutes], [.oneSecond, .fiveMinutes]]
        // Batches of 700 trades (a few seconds): each 5m bar gets trades from every list, and 1m bars miss some.
        for (number, start) in stride(from: 0, to: btc.count, by: 700).enumerated() {
            _ = try await store.record(Array(btc[start..<min(start + 700, btc.count)]), timeframes: lists[number % lists.count])
        }
        let got = try await store.bars(for: "BTCUSDT", timeframe: .fiveMinutes, in: .all).bars
        let want = expected["BTCUSDT"]?[.fiveMinutes] ?? []
        #expect(!want.isEmpty && got == want, "5m bars: \(got.count) stored, \(want.count) expected")
        await store.close()
    }

    @Test("a batch with stored trades and a trade id repeated in it stores each trade once, in its earliest version")
    func storedAndRepeatedTrades() async throws {
        let (ticks, expected) = try Self.simulated()
        let store = try await connect()
        let half = ticks.count / 2
        _ = try await store.record(Array(ticks[..<half]), timeframes: Timeframe.defaults)
        // Given a batch that repeats 1,000 stored trades and holds a later version of 200 of its new trades, 100 before
        // the trade and 100 after it
        func later(_ trades: ArraySlice<Tick>) -> [Tick] {
            trades.map { tick in
                var moved = tick
                moved.timestamp = tick.timestamp + .seconds(90)
                moved.price = tick.price * 2
                return moved
            }
        }
        let batch = Array(ticks[(half - 1_000)..<half]) + later(ticks[half..<(half + 100)]) + Array(ticks[half...])
            + later(ticks[(half + 100)..<(half + 200)])
        // When it is recorded
        let result = try await store.record(batch, timeframes: Timeframe.defaults)
        // Then only the new trades are stored, as first traded, and the bars are those of all the trades once
        #expect(result.inserted == ticks.count - half && result.duplicates == 1_200)
        #expect(try await store.tickCount() == ticks.count)
        for (symbol, bars) in expected { try await expectSameBars(store, bars, of: symbol) }
        await store.close()
    }

    @Test("volumes are exact decimals: 0.1 + 0.2 is 0.3")
    func exactVolumes() async throws {
        let store = try await connect()
        let t0 = Timestamp(milliseconds: 1_721_347_200_000)
        _ = try await store.record([.sample(id: 1, at: t0, quantity: 0.1), .sample(id: 2, at: t0 + .seconds(1), quantity: 0.2)],
                                   timeframes: [.oneSecond, .oneMinute])
        let bar = try #require(try await store.bars(for: "BTCUSDT", timeframe: .oneMinute, in: .all).bars.first)
        #expect(bar.volume == 0.3 && bar.quoteVolume == 30 && bar.trades == 2)
        await store.close()
    }

    @Test("trades in a minute with a bar of imported klines make it the trades' bar; later trades merge into that")
    func tradesAfterKlines() async throws {
        let store = try await connect()
        let minute = Timestamp(milliseconds: 1_721_347_200_000)
        let kline = Bar(openTime: minute, open: 50, high: 500, low: 5, close: 60, volume: 9, quoteVolume: 900, trades: 77,
                        takerBuyVolume: 4)
        _ = try await store.writeKlines([kline], interval: .oneMinute, of: "BTCUSDT", timeframes: [.oneMinute])
        // Given a 1m bar of klines and no trades in its minute, when two batches of trades of that minute are recorded
        _ = try await store.record([.sample(id: 2, at: minute + .seconds(10), price: 101, quantity: 0.5),
                                    .sample(id: 1, at: minute + .seconds(10), price: 100, quantity: 0.25, buyerMaker: true)],
                                   timeframes: [.oneMinute])
        _ = try await store.record([.sample(id: 3, at: minute + .seconds(5), price: 99, quantity: 0.125),
                                    .sample(id: 4, at: minute + .seconds(30), price: 102, quantity: 1)], timeframes: [.oneMinute])
        // Then the bar is that of the four trades: the klines' values are gone, open and close by time then trade id
        let bar = try #require(try await store.bars(for: "BTCUSDT", timeframe: .oneMinute, in: .all).bars.first)
        #expect(bar == Bar(openTime: minute, open: 99, high: 102, low: 99, close: 102, volume: 1.875,
                           quoteVolume: 99 * 0.125 + 100 * 0.25 + 101 * 0.5 + 102, trades: 4, takerBuyVolume: 1.625))
        await store.close()
    }

    @Test("collectors starting at once on a new database migrate it one after the other, none fails")
    func concurrentMigrations() async throws {
        let url = try PostgresURL(try server.createDatabase())
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<6 {
                group.addTask { try await PostgresStore.connect(url, logger: .quiet).close() }
            }
            try await group.waitForAll()
        }
        let trades = try await PostgresStore.withStore(url, logger: .quiet) { store in
            try await store.record([.sample(id: 1)], timeframes: Timeframe.defaults).inserted
        }
        #expect(trades == 1)
    }

    @Test("a bad URL is one line naming what is wrong; a server that is not there is one line too")
    func badURLs() async throws {
        #expect(throws: PostgresStoreError.badURL("postgres://host/db", reason: "no user (postgres://USER@host/database)")) {
            try PostgresURL("postgres://host/db")
        }
        #expect(throws: PostgresStoreError.badURL("postgres://u@host", reason: "no database name (postgres://user@host/DATABASE)")) {
            try PostgresURL("postgres://u@host")
        }
        #expect(throws: PostgresStoreError.badURL("postgres://u:***@h/db?sslmode=maybe", reason: "sslmode must be disable, require or verify-full")) {
            try PostgresURL("postgres://u:secret@h/db?sslmode=maybe")
        }
        let url = try PostgresURL("postgres://u@127.0.0.1:\(try LoopbackHTTP.freePort())/db", environment: ["PGPASSWORD": "pw"])
        #expect(url.password == "pw" && !url.description.contains("pw"))
        await #expect(throws: PostgresStoreError.self) { try await PostgresStore.connect(url, logger: .quiet) }
    }
}
