import Foundation
import Market
import PairbookTestSupport
import Storage
import Testing

/// `Store.deleteTicks(before:limit:)`: old trades go in batches, newer ones and every bar stay.
struct TickRetentionStoreTests {
    let t0 = Timestamp(milliseconds: 1_721_347_200_000)

    @Test("trades before the cutoff are removed in batches per symbol, those at and after it and all bars stay")
    func batches() throws {
        // Given 1,000 trades of each of two symbols, one per second (several at the same millisecond too), and a bar
        let store = try Store.inMemory()
        let ticks = ["BTCUSDT", "ETHUSDT"].flatMap { symbol in
            (0..<1_000).map { i in Tick.sample(Symbol(stringLiteral: symbol), id: Int64(i), at: t0 + .seconds(Int64(i / 2))) }
        }
        let bar = Bar(openTime: t0, open: 1, high: 2, low: 1, close: 2, volume: 3, quoteVolume: 4, trades: 5, takerBuyVolume: 1)
        try store.write { tx in
            _ = try tx.insert(contentsOf: ticks)
            try tx.upsert(bar, of: "BTCUSDT", timeframe: .oneMinute)
        }
        let cutoff = t0 + .seconds(300)  // trades 0–599 of each symbol are older

        // When batches of 250 per symbol are removed until none is left
        var passes: [Int] = []
        while true {
            let deleted = try store.deleteTicks(before: cutoff, limit: 250)
            passes.append(deleted)
            if deleted == 0 { break }
        }

        // Then 600 of each went, 250 + 250 + 100 per symbol, and the rest is untouched
        #expect(passes == [500, 500, 200, 0])
        for symbol: Symbol in ["BTCUSDT", "ETHUSDT"] {
            #expect(try store.tickCount(of: symbol) == 400)
            #expect(try store.tickCount(of: symbol, in: TimeRange(start: t0, end: cutoff)) == 0)
            #expect(try store.tickCount(of: symbol, in: TimeRange(start: cutoff, end: cutoff + .hours(1))) == 400)
        }
        #expect(try store.bars(for: "BTCUSDT", timeframe: .oneMinute, in: TimeRange(start: t0, end: t0 + .hours(1))).bars == [bar])
    }
}
