import Collector
import Market
import PairbookTestSupport
import Storage
import Testing

struct ResamplerTests {
    let base = Timestamp(milliseconds: 1_721_347_200_000)  // 2024-07-19T00:00:00Z

    func tick(_ id: Int64, at offset: Int64, _ price: Double, _ quantity: Double = 1, maker: Bool = false,
              symbol: Symbol = "BTCUSDT") -> Tick {
        .sample(symbol, id: id, at: base + TimeSpan(milliseconds: offset), price: price, quantity: quantity, buyerMaker: maker)
    }

    @Test("bars open aligned in UTC with first/max/min/last and sums")
    func ohlcv() throws {
        var resampler = Resampler(timeframes: [.oneSecond, .oneMinute])
        for t in [tick(1, at: 10, 100, 1, maker: true), tick(2, at: 500, 103, 2), tick(3, at: 999, 99, 3), tick(4, at: 1_200, 101, 4)] {
            try resampler.add(t)
        }
        let bars = resampler.takeTouched()
        let seconds = bars.filter { $0.timeframe == .oneSecond }.map(\.bar)
        #expect(seconds.count == 2)
        #expect(seconds[0] == Bar(openTime: base, open: 100, high: 103, low: 99, close: 99, volume: 6,
                                  quoteVolume: 100 + 206 + 297, trades: 3, takerBuyVolume: 5))
        #expect(seconds[1].openTime == base + .seconds(1))
        let minute = try #require(bars.first { $0.timeframe == .oneMinute }?.bar)
        #expect(minute.openTime == base)
        #expect(minute.open == 100 && minute.close == 101 && minute.high == 103 && minute.low == 99 && minute.trades == 4)
    }

    @Test("no bar for an interval without trades")
    func gaps() throws {
        var resampler = Resampler(timeframes: [.oneSecond])
        try resampler.add(tick(1, at: 0, 100))
        try resampler.add(tick(2, at: 5_000, 101))
        let opens = resampler.takeTouched().map(\.bar.openTime)
        #expect(opens == [base, base + .seconds(5)])
    }

    @Test("a bar still open is updated in place and reported again")
    func openBarUpdated() throws {
        var resampler = Resampler(timeframes: [.oneMinute])
        try resampler.add(tick(1, at: 0, 100))
        #expect(resampler.takeTouched().map(\.bar.trades) == [1])
        #expect(resampler.takeTouched().isEmpty)
        try resampler.add(tick(2, at: 30_000, 105))
        let again = resampler.takeTouched()
        #expect(again.count == 1)
        #expect(again[0].bar.trades == 2 && again[0].bar.close == 105 && again[0].bar.open == 100)
    }

    @Test("late trades keep open and close in trade order")
    func outOfOrder() throws {
        var resampler = Resampler(timeframes: [.oneMinute])
        try resampler.add(tick(2, at: 20_000, 102))
        try resampler.add(tick(3, at: 40_000, 103))
        try resampler.add(tick(1, at: 10_000, 101))   // late: becomes the open, not the close
        try resampler.add(tick(4, at: 61_000, 104))   // next minute
        try resampler.add(tick(5, at: 50_000, 90))    // late for the first minute
        let bars = resampler.takeTouched().map(\.bar)
        #expect(bars.count == 2)
        #expect(bars[0].open == 101 && bars[0].close == 90 && bars[0].low == 90 && bars[0].trades == 4)
        #expect(bars[1].open == 104 && bars[1].trades == 1)
    }

    @Test("symbols are kept apart", arguments: [Timeframe.oneSecond, .fiveMinutes, .oneHour])
    func symbols(timeframe: Timeframe) throws {
        var resampler = Resampler(timeframes: [timeframe])
        try resampler.add(tick(1, at: 0, 100, symbol: "BTCUSDT"))
        try resampler.add(tick(1, at: 1, 5, symbol: "ETHUSDT"))
        try resampler.add(tick(2, at: 2, 101, symbol: "BTCUSDT"))
        let bars = resampler.takeTouched()
        #expect(bars.count == 2)
        #expect(resampler.currentBar(of: "BTCUSDT", timeframe: timeframe)?.trades == 2)
        #expect(resampler.currentBar(of: "ETHUSDT", timeframe: timeframe)?.close == 5)
    }

    @Test("a trade for a stored bar it does not hold rebuilds that bar from the stored trades")
    func rebuildsStoredBar() throws {
        // Given a store with two trades of the first minute and their bars
        let store = try Store.inMemory()
        let first = Recorder(store: store, timeframes: [.oneMinute], logger: .quiet)
        _ = try first.record([tick(1, at: 0, 100), tick(3, at: 30_000, 103)])
        // When a fresh recorder (no bars in memory) records a late trade between them
        let second = Recorder(store: store, timeframes: [.oneMinute], logger: .quiet)
        _ = try second.record([tick(2, at: 10_000, 90)])
        // Then the bar keeps open and close from trade order and counts all three
        let bar = try #require(try store.bars(for: "BTCUSDT", timeframe: .oneMinute, in: .all).bars.first)
        #expect(bar.open == 100 && bar.close == 103 && bar.low == 90 && bar.trades == 3 && bar.volume == 3)
    }
}
