import Foundation
import HummingbirdTesting
import Market
import PairbookTestSupport
import Storage
import Testing

@testable import Dashboard

@Suite("/api/bars reads wide candles from the coarser stored bars")
struct CoarseCandlesTests {
    /// The synthetic day of 1 m bars, and the 5 m bars merged from them (as the recorder writes both).
    static func store() throws -> (Store, [Bar]) {
        let (base, _) = syntheticBars()
        var fiveMinute: [Bar] = []
        for (i, bar) in base.enumerated() {
            if i % 5 == 0 { fiveMinute.append(bar) } else { fiveMinute[fiveMinute.count - 1].merge(bar) }
        }
        let store = try Store.inMemory()
        try store.write { tx in
            try tx.upsert(contentsOf: base, of: "BTCUSDT", timeframe: .oneMinute)
            try tx.upsert(contentsOf: fiveMinute, of: "BTCUSDT", timeframe: .fiveMinutes)
        }
        return (store, base)
    }

    @Test("each candle is exactly the merge of the fine bars of its window, over an unaligned range")
    func exactWindows() async throws {
        let (store, base) = try Self.store()
        let from = dayStart + .minutes(7), to = dayStart + .minutes(1438)
        let series = try store.candles(for: "BTCUSDT", timeframe: .oneMinute, in: TimeRange(start: from, end: to), points: 100)
        let fine = base.filter { $0.openTime >= from && $0.openTime < to }
        #expect(series.count == fine.count)
        #expect(series.bucket == 15)
        #expect(series.candles.count < 110 && series.candles.count > 90, "\(series.candles.count)")
        // A head of the 3 minutes before the first 5-minute boundary, 15-minute candles, a tail of 3 minutes.
        #expect(series.candles.first?.openTime == from)
        #expect(series.candles.dropFirst().first?.openTime == dayStart + .minutes(10))
        for (i, candle) in series.candles.enumerated() {
            let end = i + 1 < series.candles.count ? series.candles[i + 1].openTime : to
            let members = fine.filter { $0.openTime >= candle.openTime && $0.openTime < end }
            var merged = try #require(members.first)
            for bar in members.dropFirst() { merged.merge(bar) }
            // Prices and counts exactly; sums to the last bits (they are added in another order).
            #expect([candle.open, candle.high, candle.low, candle.close] == [merged.open, merged.high, merged.low, merged.close],
                    "candle \(i) at \(candle.openTime)")
            #expect(candle.trades == merged.trades)
            for (a, b) in [(candle.volume, merged.volume), (candle.quoteVolume, merged.quoteVolume), (candle.takerBuyVolume, merged.takerBuyVolume)] {
                #expect(abs(a - b) <= 1e-12 * max(1, abs(b)), "candle \(i): \(a) vs \(b)")
            }
        }
    }

    @Test("without coarser bars the fine bars are merged, n at a time, as before")
    func fallsBack() throws {
        let store = try storeWithBars()  // 1 m bars only
        let (base, _) = syntheticBars()
        let series = try store.candles(for: "BTCUSDT", timeframe: .oneMinute, in: .all, points: 100)
        #expect(series.bucket == 15 && series.candles.count == 96)
        #expect(series.candles[3].high == base[45..<60].map(\.high).max())
    }
}
