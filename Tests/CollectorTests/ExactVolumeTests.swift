import Collector
import Foundation
import Market
import PairbookTestSupport
import Storage
import Testing

/// Stored volumes are the exact decimal sums of what Binance sent, as Binance's own klines print them (issue 12 item 18).
struct ExactVolumeTests {
    /// Per bar open (ms), the exact decimal sums of three columns of a CSV's rows, computed with Foundation's `Decimal`
    /// from the text: the oracle, independent of `ExactSum`.
    struct DecimalSums {
        var sums: [Int64: (Decimal, Decimal, Decimal)] = [:]

        mutating func add(_ open: Int64, _ a: Decimal, _ b: Decimal, _ c: Decimal) {
            let s = sums[open] ?? (0, 0, 0)
            sums[open] = (s.0 + a, s.1 + b, s.2 + c)
        }
    }

    static func decimal(_ text: some StringProtocol) throws -> Decimal {
        try #require(Decimal(string: String(text), locale: Locale(identifier: "en_US_POSIX")))
    }

    static func double(_ value: Decimal) -> Double { Double(value.description)! }

    /// Every bar's volumes equal the exact sums; and some bars' plain double sum drifts (so the test fails with one).
    static func expectExact(_ bars: [Bar], _ expected: DecimalSums, doubleSums: [Int64: Double],
                            sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        var drifting = 0
        for bar in bars {
            let sums = try #require(expected.sums[bar.openTime.milliseconds], sourceLocation: sourceLocation)
            #expect(bar.volume == double(sums.0), "volume of \(bar.openTime)", sourceLocation: sourceLocation)
            #expect(bar.quoteVolume == double(sums.1), "quote volume of \(bar.openTime)", sourceLocation: sourceLocation)
            #expect(bar.takerBuyVolume == double(sums.2), "taker-buy volume of \(bar.openTime)", sourceLocation: sourceLocation)
            if doubleSums[bar.openTime.milliseconds] != double(sums.0) { drifting += 1 }
        }
        #expect(drifting > 0, "no bar of the sample drifts with double sums", sourceLocation: sourceLocation)
    }

    @Test("trades become 1m bars whose volumes are the exact decimal sums of the quantities",
          .enabled(if: SharedData.isAvailable, "\(SharedData.skipReason)"))
    func tradesToBars() throws {
        let path = "binance-usdm-trades-2024-07-18/derived/BTCUSDT-um-trades-20240718-19.derived.csv"
        var expected = DecimalSums()
        var doubleSums: [Int64: Double] = [:]
        for line in try String(contentsOf: SharedData.url(path), encoding: .utf8).split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",")  // id,price,qty,quote_qty,time,is_buyer_maker
            let open = Int64(f[4])! / 60_000 * 60_000
            let quantity = try Self.decimal(f[2])
            expected.add(open, quantity, try Self.decimal(f[1]) * quantity, f[5] == "false" ? quantity : 0)
            doubleSums[open, default: 0] += Double(f[2])!
        }
        let store = try Store.inMemory()
        _ = try CSVImporter(store: store, timeframes: [.oneSecond, .oneMinute], logger: .quiet).importFile(at: SharedData.url(path))
        let bars = try store.bars(for: "BTCUSDT", timeframe: .oneMinute, in: .all).bars
        #expect(bars.count == expected.sums.count)
        try Self.expectExact(bars, expected, doubleSums: doubleSums)
    }

    @Test("1m klines roll up to 5m bars whose volumes are the exact decimal sums, like Binance's 5m klines",
          .enabled(if: SharedData.isAvailable, "\(SharedData.skipReason)"))
    func klineRollUp() throws {
        let path = "\(KlineImportTests.directory)/ETHUSDT-1m-2023-01-01.csv"
        var expected = DecimalSums()
        var doubleSums: [Int64: Double] = [:]
        for line in try String(contentsOf: SharedData.url(path), encoding: .utf8).split(separator: "\n").dropFirst() {
            // open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,…
            let f = line.split(separator: ",")
            let open = Int64(f[0])! / 300_000 * 300_000
            expected.add(open, try Self.decimal(f[5]), try Self.decimal(f[7]), try Self.decimal(f[9]))
            doubleSums[open, default: 0] += Double(f[5])!
        }
        let store = try Store.inMemory()
        _ = try CSVImporter(store: store, timeframes: [.oneMinute, .fiveMinutes], logger: .quiet).importFile(at: SharedData.url(path))
        let bars = try store.bars(for: "ETHUSDT", timeframe: .fiveMinutes, in: .all).bars
        #expect(bars.count == 288)
        try Self.expectExact(bars, expected, doubleSums: doubleSums)
    }
}
