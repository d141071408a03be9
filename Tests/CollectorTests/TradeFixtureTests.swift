import Collector
import Foundation
import Market
import PairbookTestSupport
import Storage
import Testing

/// Bars from the real 2024-07-18/19 USD-M trades equal pandas' resample (scripts/fixtures/resample.py).
struct TradeFixtureTests {
    static let directory = "binance-usdm-trades-2024-07-18/derived"

    @Test("imported trades give pandas' 1s, 1m and 5m bars",
          .enabled(if: SharedData.isAvailable, "\(SharedData.skipReason)"), arguments: ["BTCUSDT", "ETHUSDT"])
    func bars(symbol: String) throws {
        let store = try Store.inMemory()
        // Small batches, so that bars straddle transactions and are continued from the store.
        let importer = CSVImporter(store: store, batchSize: 777, logger: .quiet)
        let summary = try importer.importFile(at: SharedData.url("\(Self.directory)/\(symbol)-um-trades-20240718-19.derived.csv"))
        #expect(summary.symbol == (try Symbol(parsing: symbol)))
        #expect(summary.recorded.inserted == (symbol == "BTCUSDT" ? 10_701 : 13_655))
        for (timeframe, name) in [(Timeframe.oneSecond, "1s"), (.oneMinute, "1m"), (.fiveMinutes, "5m")] {
            let expected = try BarFixtures.bars("trades-bars-\(symbol)-\(name).csv")
            let actual = try store.bars(for: try Symbol(parsing: symbol), timeframe: timeframe, in: .all).bars
            expectBars(actual, equal: expected, "\(symbol) \(name)")
        }
    }

    @Test("the pure resampler gives the same bars as the store path",
          .enabled(if: SharedData.isAvailable, "\(SharedData.skipReason)"))
    func pureResampler() throws {
        let store = try Store.inMemory()
        _ = try CSVImporter(store: store, logger: .quiet).importFile(at: SharedData.url("\(Self.directory)/BTCUSDT-um-trades-20240718-19.derived.csv"))
        var resampler = Resampler()
        var bars: [Timestamp: Bar] = [:]
        try store.forEachTick(of: "BTCUSDT", in: .all) { tick in
            try resampler.add(tick)
            for resampled in resampler.takeTouched() where resampled.timeframe == .oneSecond {
                bars[resampled.bar.openTime] = resampled.bar
            }
        }
        let expected = try BarFixtures.bars("trades-bars-BTCUSDT-1s.csv")
        expectBars(bars.keys.sorted().map { bars[$0]! }, equal: expected, "pure 1s")
    }
}
