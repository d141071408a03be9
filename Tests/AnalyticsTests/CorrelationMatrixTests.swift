import Analytics
import Market
import PairbookTestSupport
import Testing

@Suite("Correlation matrix of log returns")
struct CorrelationMatrixTests {
    @Test("matches the pair's return correlation and is symmetric with a unit diagonal",
          .enabled(if: SharedData.isAvailable, Comment(rawValue: SharedData.skipReason)))
    func klines() throws {
        let btc = try RealData.klines("BTCUSDT")
        let eth = try RealData.klines("ETHUSDT")
        let m = try CorrelationMatrix(logReturnsOf: [btc, eth, btc])
        let f = try Oracle.json("pair-klines-1m.json")
        let corr = try #require(f["correlation"] as? [String: Any])
        expectClose(m.values[0][1], Oracle.number(corr["returns"]), "r(BTC, ETH)")
        #expect(m.values[0][0] == 1 && m.values[1][1] == 1)
        #expect(m.values[1][0] == m.values[0][1])
        expectClose(m.values[0][2], 1, "r(BTC, BTC)", relative: 1e-12)
        #expect(m.observations == 4319)
        #expect(m.symbols == ["BTCUSDT", "ETHUSDT", "BTCUSDT"])
    }

    @Test("a constant leg gives undefined correlations; too few bars throw")
    func degenerate() throws {
        func series(_ s: Symbol, _ closes: [Double]) -> BarSeries {
            BarSeries(symbol: s, timeframe: .oneMinute, bars: closes.enumerated().map { i, c in
                Bar(openTime: Timestamp(milliseconds: Int64(i) * 60_000), open: c, high: c, low: c, close: c, volume: 0,
                    quoteVolume: 0, trades: 0, takerBuyVolume: 0)
            })
        }
        let m = try CorrelationMatrix(logReturnsOf: [series("BTCUSDT", [1, 2, 3, 2]), series("ETHUSDT", [5, 5, 5, 5])])
        #expect(m.values[0][1] == nil)
        #expect(m.values[1][1] == nil)
        #expect(throws: AnalyticsError.self) { try CorrelationMatrix(logReturnsOf: [series("BTCUSDT", [1, 2])]) }
    }
}
