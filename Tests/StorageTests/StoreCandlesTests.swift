import Market
import PairbookTestSupport
import Testing

@testable import Storage

@Suite struct StoreCandlesTests {
    let btc: Symbol = "BTCUSDT"

    /// 1,000 one-second bars with every 7th second missing (no trade, no bar) and prices that wander.
    func storeWithGappyBars() throws -> (Store, [Bar]) {
        var generator = SplitMix64(seed: 42)
        func unit() -> Double { Double.random(in: 0..<1, using: &generator) }
        var price = 100.0
        let bars = (0..<1_000).filter { $0 % 7 != 3 }.map { i -> Bar in
            let open = price
            price += (unit() * 2 - 1)
            let close = price
            return Bar(openTime: Timestamp(milliseconds: 1_700_000_000_000 + Int64(i) * 1000), open: open,
                       high: max(open, close) + unit(), low: min(open, close) - unit(), close: close,
                       volume: unit() * 3, quoteVolume: unit() * 300, trades: Int64(i % 5 + 1),
                       takerBuyVolume: unit())
        }
        let store = try Store.inMemory()
        try store.write { tx in try tx.upsert(contentsOf: bars, of: btc, timeframe: .oneSecond) }
        return (store, bars)
    }

    /// The reference: the bars as read, merged `bucket` at a time with `Bar.merge`.
    func merged(_ bars: [Bar], bucket: Int) -> [Bar] {
        stride(from: 0, to: bars.count, by: bucket).map { start in
            var candle = bars[start]
            for bar in bars[(start + 1)..<min(start + bucket, bars.count)] { candle.merge(bar) }
            return candle
        }
    }

    @Test("candles equal the stored bars merged in buckets of consecutive bars, gaps and a partial last bucket included",
          arguments: [1, 2, 7, 50, 857, 2_000])
    func candlesMatchMergedBars(bucket: Int) throws {
        // Given 857 stored bars with gaps
        let (store, bars) = try storeWithGappyBars()
        let range = TimeRange(start: bars[0].openTime, end: bars[bars.count - 1].openTime + TimeSpan(milliseconds: 1000))

        // When they are read as candles of `bucket` bars
        var seenCount: Int?
        let series = try store.candles(for: btc, timeframe: .oneSecond, in: range) { count in
            seenCount = count
            return bucket
        }

        // Then the bucket size was chosen from the true count, and every candle is the merge of its bars
        #expect(seenCount == bars.count)
        #expect(series.count == bars.count)
        #expect(series.bucket == bucket)
        #expect(series.candles == merged(try store.bars(for: btc, timeframe: .oneSecond, in: range).bars, bucket: bucket))
    }

    @Test("a range in the middle merges only its own bars; an empty range has no candles")
    func partialAndEmptyRanges() throws {
        let (store, bars) = try storeWithGappyBars()
        let range = TimeRange(start: bars[100].openTime, end: bars[400].openTime)
        let series = try store.candles(for: btc, timeframe: .oneSecond, in: range) { _ in 10 }
        #expect(series.count == 300)
        #expect(series.candles == merged(Array(bars[100..<400]), bucket: 10))

        let empty = try store.candles(for: btc, timeframe: .oneMinute, in: range) { _ in 10 }
        #expect(empty == CandleSeries(count: 0, bucket: 10, candles: []))
        #expect(try store.candles(for: btc, timeframe: .oneSecond, in: range) { _ in 0 }.bucket == 1)
    }
}

@Suite struct StoreClosesTests {
    @Test("closes are the open times and closes of the bars in the range, gaps and range ends as bars(for:) reads them")
    func closesMatchBars() throws {
        let (store, bars) = try StoreCandlesTests().storeWithGappyBars()
        let btc: Symbol = "BTCUSDT"
        for range in [TimeRange(start: bars[0].openTime, end: bars[bars.count - 1].openTime + TimeSpan(milliseconds: 1000)),
                      TimeRange(start: bars[100].openTime, end: bars[400].openTime)] {
            let closes = try store.closes(for: btc, timeframe: .oneSecond, in: range)
            let read = try store.bars(for: btc, timeframe: .oneSecond, in: range)
            #expect(closes == CloseSeries(read))
            #expect(closes.count > 0)
        }
        #expect(try store.closes(for: btc, timeframe: .oneMinute, in: TimeRange(start: bars[0].openTime, end: bars[9].openTime)).isEmpty)
        #expect(try store.closes(for: "ETHUSDT", timeframe: .oneSecond, in: TimeRange(start: bars[0].openTime, end: bars[9].openTime)).isEmpty)
    }
}
