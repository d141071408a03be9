import Collector
import Foundation
import Market
import PairbookTestSupport
import Storage
import Testing

/// Two writers of one symbol into one database file (two collectors, or an import beside a collector; each with its
/// own connection, as two processes have) leave the bars that one writer of all the trades leaves (issue 12 item 4).
struct TwoWritersTests {
    static let path = "binance-usdm-trades-2024-07-18/derived/BTCUSDT-um-trades-20240718-19.derived.csv"

    /// The sample's trades, in file (time) order.
    static func sampleTicks() throws -> [Tick] {
        let store = try Store.inMemory()
        _ = try CSVImporter(store: store, logger: .quiet).importFile(at: SharedData.url(path))
        var ticks: [Tick] = []
        try store.forEachTick(of: "BTCUSDT", in: .all) { ticks.append($0) }
        return ticks
    }

    static func allBars(_ store: Store) throws -> [Timeframe: [Bar]] {
        var result: [Timeframe: [Bar]] = [:]
        for timeframe in Timeframe.defaults { result[timeframe] = try store.bars(for: "BTCUSDT", timeframe: timeframe, in: .all).bars }
        return result
    }

    @Test("two recorders taking turns over the same bars, with overlaps, leave exactly the bars of one",
          .enabled(if: SharedData.isAvailable, "\(SharedData.skipReason)"))
    func interleavedWriters() throws {
        let ticks = try Self.sampleTicks()
        #expect(ticks.count == 10_701)
        let reference = try Store.inMemory()
        _ = try Recorder(store: reference, logger: .quiet).record(ticks)

        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-two-writers")
        let db = dir.appendingPathComponent("shared.sqlite").path
        // Two stores on one file: two connections, as two processes would have.
        let first = Recorder(store: try Store(path: db, logger: .quiet), logger: .quiet)
        let second = Recorder(store: try Store(path: db, logger: .quiet), logger: .quiet)
        // Even trade ids go to the first writer and odd ones to the second, in chunks of 250 that take turns, so every
        // bar gets trades from both; the second also repeats the first's previous chunk (duplicates must not count).
        let even = ticks.filter { $0.tradeID % 2 == 0 }
        let odd = ticks.filter { $0.tradeID % 2 != 0 }
        var previousEven: ArraySlice<Tick> = []
        for start in stride(from: 0, to: max(even.count, odd.count), by: 250) {
            let evenChunk = even[min(start, even.count)..<min(start + 250, even.count)]
            let oddChunk = odd[min(start, odd.count)..<min(start + 250, odd.count)]
            _ = try first.record(evenChunk)
            _ = try second.record(Array(previousEven) + Array(oddChunk))
            previousEven = evenChunk
        }
        let shared = try Store(path: db, logger: .quiet)
        #expect(try shared.tickCount() == ticks.count)
        let expected = try Self.allBars(reference)
        let actual = try Self.allBars(shared)
        for timeframe in Timeframe.defaults {
            let want = try #require(expected[timeframe]), got = try #require(actual[timeframe])
            #expect(got.count == want.count, "\(timeframe) bar count")
            let differing = zip(got, want).filter { $0 != $1 }
            #expect(differing.count == 0, "\(timeframe): \(differing.count) bars differ, first \(differing.first.map { "\($0)" } ?? "")")
        }
    }

    @Test("another writer's earlier trade between two batches of a recorder stays in the bar its next batch writes")
    func writerBetweenBatches() throws {
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-two-writers")
        let db = dir.appendingPathComponent("shared.sqlite").path
        let t0 = Timestamp(milliseconds: 1_721_347_200_000)  // 2024-07-19T00:00:00Z
        func tick(_ id: Int64, _ ms: Int64, _ price: Double) -> Tick {
            .sample(id: id, at: t0 + TimeSpan(milliseconds: ms), price: price, quantity: 0.001)
        }
        let recorder = Recorder(store: try Store(path: db, logger: .quiet), timeframes: [.oneMinute], logger: .quiet)
        _ = try recorder.record([tick(1, 1_000, 100)])
        // Another writer adds an earlier trade of the same minute (a backfill by another process).
        _ = try Recorder(store: try Store(path: db, logger: .quiet), timeframes: [.oneMinute], logger: .quiet).record([tick(0, 500, 90)])
        _ = try recorder.record([tick(2, 2_000, 110)])
        let bar = try #require(try Store(path: db, logger: .quiet).bars(for: "BTCUSDT", timeframe: .oneMinute, in: .all).bars.first)
        #expect(bar.open == 90 && bar.close == 110 && bar.low == 90 && bar.high == 110 && bar.trades == 3)
        #expect(bar.volume == 0.003)
    }
}
