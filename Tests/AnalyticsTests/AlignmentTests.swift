import Analytics
import Market
import Testing

@Suite("AlignedPair joins on common open times without forward fill")
struct AlignmentTests {
    static func series(_ symbol: Symbol, _ times: [Int64]) -> BarSeries {
        BarSeries(symbol: symbol, timeframe: .oneMinute, bars: times.map { t in
            let c = Double(t)
            return Bar(openTime: Timestamp(milliseconds: t), open: c, high: c, low: c, close: c, volume: 0, quoteVolume: 0,
                       trades: 0, takerBuyVolume: 0)
        })
    }

    @Test("inner join with dropped counts per side")
    func join() {
        let a = AlignedPair(base: Self.series("BTCUSDT", [0, 1, 2, 4, 5, 9]), quote: Self.series("ETHUSDT", [1, 2, 3, 5, 6]))
        #expect(a.timestamps.map(\.milliseconds) == [1, 2, 5])
        #expect(a.base == [1, 2, 5])
        #expect(a.quote == [1, 2, 5])
        #expect(a.droppedBase == 3)
        #expect(a.droppedQuote == 2)
    }

    @Test("empty and disjoint inputs")
    func empty() {
        let a = AlignedPair(base: Self.series("BTCUSDT", []), quote: Self.series("ETHUSDT", [1, 2]))
        #expect(a.count == 0)
        #expect(a.droppedQuote == 2)
        let b = AlignedPair(base: Self.series("BTCUSDT", [1, 3]), quote: Self.series("ETHUSDT", [2, 4]))
        #expect(b.count == 0 && b.droppedBase == 2 && b.droppedQuote == 2)
    }
}
