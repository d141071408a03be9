import Collector
import Foundation
import Market
import PairbookTestSupport
import PostgresStorage
import Storage
import Testing

/// What the dashboard reads and writes on PostgreSQL, against the SQLite store's answers for the same rows.
@Suite("PostgreSQL store: the dashboard's reads and writes", .serialized,
       .enabled(if: PostgresTestServer.isAvailable, "\(PostgresTestServer.skipReason)"))
struct PostgresDashboardReadsTests {
    func withStore(_ body: (PostgresStore) async throws -> Void) async throws {
        try await PostgresTestServer.withServer { server in
            try await PostgresStore.withStore(try PostgresURL(try await server.newDatabase()), logger: .quiet, body)
        }
    }

    @Test("alert rules: stored, listed, renamed, refused under a taken name, deleted, as on SQLite")
    func alertRules() async throws {
        try await withStore { store in
            let t0 = Timestamp(milliseconds: 1_700_000_000_000)
            let sqlite = try Store.inMemory()
            for s in [sqlite] as [Store] {
                _ = try s.insertAlertRule(name: "wide", definition: "{\"a\":1}", enabled: true, at: t0)
                _ = try s.insertAlertRule(name: "tight", definition: "{\"a\":2}", enabled: false, at: t0)
            }
            let wide = try await store.insertAlertRule(name: "wide", definition: "{\"a\":1}", enabled: true, at: t0)
            _ = try await store.insertAlertRule(name: "tight", definition: "{\"a\":2}", enabled: false, at: t0)
            #expect(try await store.alertRules() == (try sqlite.alertRules()))

            await #expect(throws: StoreError.duplicateAlertRule(name: "wide")) {
                try await store.insertAlertRule(name: "wide", definition: "{}", enabled: true, at: t0)
            }
            await #expect(throws: StoreError.duplicateAlertRule(name: "tight")) {
                try await store.updateAlertRule(id: wide.id, name: "tight", definition: "{}", enabled: true, at: t0)
            }
            let renamed = try await store.updateAlertRule(id: wide.id, name: "wider", definition: "{\"a\":3}", enabled: false, at: t0 + .seconds(5))
            #expect(renamed == AlertRuleRecord(id: wide.id, name: "wider", definition: "{\"a\":3}", enabled: false, createdAt: t0,
                                               updatedAt: t0 + .seconds(5)))
            #expect(try await store.updateAlertRule(id: 999, name: "x", definition: "{}", enabled: true, at: t0) == nil)
            #expect(try await store.deleteAlertRule(id: wide.id))
            #expect(try await !store.deleteAlertRule(id: wide.id))
            #expect(try await store.alertRules().map(\.name) == ["tight"])
        }
    }

    @Test("alert history: the newest state of each alert, the recent transitions, a range; analytics rows replaced")
    func alertHistoryAndAnalytics() async throws {
        try await withStore { store in
            let t0 = Timestamp(milliseconds: 1_700_000_000_000)
            func event(_ rule: String, _ state: String, _ minutes: Int64) -> AlertEventRecord {
                AlertEventRecord(source: "dashboard", rule: rule, symbolPair: "BTCUSDT/ETHUSDT", metric: "z_score", value: 2.5,
                                 threshold: 2, state: state, time: t0 + .minutes(minutes), reportRun: nil)
            }
            let events = [event("a", "pending", 1), event("a", "firing", 2), event("b", "pending", 3), event("a", "resolved", 4)]
            let sqlite = try Store.inMemory()
            try sqlite.recordAlertEvents(events)
            #expect(try await store.recordAlertEvents(events) == 4)
            #expect(try await store.recordAlertEvents(events) == 0)
            #expect(try await store.currentAlertStates() == (try sqlite.currentAlertStates()))
            #expect(try await store.recentAlertEvents(limit: 3) == (try sqlite.recentAlertEvents(limit: 3)))
            let range = TimeRange(start: t0 + .minutes(2), end: t0 + .minutes(4))
            #expect(try await store.alertEvents(in: range) == (try sqlite.alertEvents(in: range)))

            let before = try await store.changeCounter()
            let rows = (0..<3).map { i in
                AnalyticsResultRecord(symbolPair: "BTCUSDT/ETHUSDT", timeframe: .oneMinute, time: t0 + .minutes(Int64(i)), hedgeRatio: 19,
                                      intercept: nil, spread: 1, zScore: Double(i), correlation: 0.9, adfStatistic: nil, adfPValue: nil,
                                      spreadMean: nil, spreadStd: nil, halfLife: nil)
            }
            #expect(try await store.replaceAnalyticsResults(rows, symbolPair: "BTCUSDT/ETHUSDT", timeframe: .oneMinute) == 3)
            #expect(try await store.replaceAnalyticsResults(rows, symbolPair: "BTCUSDT/ETHUSDT", timeframe: .oneMinute) == 3)
            #expect(try await store.changeCounter() != before)
        }
    }

    @Test("bars and trades: catalog, timeframes, newest bars, counts, closes and trades in a range, as on SQLite")
    func barsAndTrades() async throws {
        try await withStore { store in
            let start = Timestamp(seconds: 1_704_067_200)
            let ticks = Array(Simulator().ticks(in: TimeRange(start: start, end: start + .minutes(30))))
            let sqlite = try Store.inMemory()
            _ = try Recorder(store: sqlite, logger: .quiet).record(ticks)
            _ = try await store.record(ticks, timeframes: Timeframe.defaults)

            #expect(try await store.catalog() == (try sqlite.catalog()))
            #expect(try await store.symbolsWithBars() == (try await sqlite.symbolsWithBars()))
            let symbols = try sqlite.symbols()
            #expect(symbols.count == 2)
            for symbol in symbols {
                #expect(try await store.timeframes(for: symbol) == (try sqlite.timeframes(for: symbol)))
                let range = TimeRange(start: start + .minutes(5), end: start + .minutes(17))
                for timeframe in Timeframe.defaults {
                    #expect(try await store.lastBar(for: symbol, timeframe: timeframe) == (try sqlite.lastBar(for: symbol, timeframe: timeframe)))
                    #expect(try await store.lastBar(for: symbol, timeframe: timeframe, before: range.end)
                            == (try sqlite.lastBar(for: symbol, timeframe: timeframe, before: range.end)))
                    #expect(try await store.barCount(for: symbol, timeframe: timeframe, in: range)
                            == (try sqlite.barCount(for: symbol, timeframe: timeframe, in: range)))
                    #expect(try await store.closes(for: symbol, timeframe: timeframe, in: range)
                            == (try sqlite.closes(for: symbol, timeframe: timeframe, in: range)))
                }
                #expect(try await store.tickCount(of: symbol, in: range) == (try sqlite.tickCount(of: symbol, in: range)))
                var expected: [Tick] = []
                try sqlite.forEachTick(of: symbol, in: range) { expected.append($0) }
                var pages: [Tick] = []
                var after: (time: Timestamp, tradeID: Int64)?
                while true {
                    let page = try await store.trades(of: symbol, in: range, after: after, limit: 1_000)
                    pages += page
                    guard let last = page.last, page.count == 1_000 else { break }
                    after = (last.timestamp, last.tradeID)
                }
                #expect(pages == expected && expected.count > 2_000)
            }
            let newest = try await store.lastBars(of: symbols, timeframes: Timeframe.defaults)
            let reference = try await sqlite.lastBars(of: symbols, timeframes: Timeframe.defaults)
            #expect(newest.map(\.bar) == reference.map(\.bar))
        }
    }
}
