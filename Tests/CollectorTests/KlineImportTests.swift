import Collector
import Foundation
import Market
import PairbookTestSupport
import Storage
import Testing

struct KlineImportTests {
    static let directory = "binance-usdm-klines-1m-2023-01-01_03"

    @Test("1m kline dumps become 1m bars and roll up to 5m and 1h like pandas",
          .enabled(if: SharedData.isAvailable, "\(SharedData.skipReason)"), arguments: ["BTCUSDT", "ETHUSDT"])
    func rollUp(symbol: String) throws {
        let store = try Store.inMemory()
        let importer = CSVImporter(store: store, timeframes: [.oneSecond, .oneMinute, .fiveMinutes, .oneHour], logger: .quiet)
        // Import out of date order: roll-ups are recomputed from stored bars, so order doesn't matter.
        for day in ["03", "01", "02"] {
            let summary = try importer.importFile(at: SharedData.url("\(Self.directory)/\(symbol)-1m-2023-01-\(day).csv"))
            #expect(summary.kind == .klines(.oneMinute))
            #expect(summary.recorded.inserted == 1440)
        }
        let sym = try Symbol(parsing: symbol)
        #expect(try store.bars(for: sym, timeframe: .oneMinute, in: .all).count == 4320)
        #expect(try store.bars(for: sym, timeframe: .oneSecond, in: .all).isEmpty)
        for (timeframe, name) in [(Timeframe.fiveMinutes, "5m"), (.oneHour, "1h")] {
            let expected = try BarFixtures.bars("klines-rollup-\(symbol)-\(name).csv")
            expectBars(try store.bars(for: sym, timeframe: timeframe, in: .all).bars, equal: expected, "\(symbol) \(name)")
        }
        // Re-importing changes nothing.
        let before = try StoreSnapshot(store)
        _ = try importer.importFile(at: SharedData.url("\(Self.directory)/\(symbol)-1m-2023-01-02.csv"))
        #expect(try StoreSnapshot(store) == before)
    }

    @Test("klines without a header and without an interval in the name take the interval from the rows")
    func noHeader() throws {
        let dir = try temporaryDirectory()
        let rows = """
            1672531200000,16537.50,16538.00,16534.30,16538.00,170.576,1672531259999,2820697.45580,946,103.782,1716164.80590,0
            1672531260000,16538.00,16538.00,16534.90,16534.90,44.287,1672531319999,732363.28620,570,19.098,315817.81330,0

            """
        let url = try writeFile(rows, named: "BTCUSDT-klines.csv", in: dir)
        let store = try Store.inMemory()
        let summary = try CSVImporter(store: store, logger: .quiet).importFile(at: url, options: ImportOptions(kind: .klines(nil)))
        #expect(summary.kind == .klines(.oneMinute))
        let bars = try store.bars(for: "BTCUSDT", timeframe: .oneMinute, in: .all).bars
        #expect(bars.count == 2)
        #expect(bars[0] == Bar(openTime: Timestamp(milliseconds: 1_672_531_200_000), open: 16537.5, high: 16538, low: 16534.3,
                               close: 16538, volume: 170.576, quoteVolume: 2820697.4558, trades: 946, takerBuyVolume: 103.782))
        let fiveMinute = try store.bars(for: "BTCUSDT", timeframe: .fiveMinutes, in: .all).bars
        #expect(fiveMinute.count == 1 && fiveMinute[0].trades == 1516 && fiveMinute[0].close == 16534.9)
    }

    @Test("a misaligned kline is a bad row")
    func misaligned() throws {
        let dir = try temporaryDirectory()
        let url = try writeFile("1672531201000,1,1,1,1,1,1672531260999,1,1,1,1,0\n", named: "BTCUSDT-1m-2023-01-01.csv", in: dir)
        #expect(throws: ImportError.self) { try CSVImporter(store: try Store.inMemory(), logger: .quiet).importFile(at: url) }
    }
}
