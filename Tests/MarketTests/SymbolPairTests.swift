import Market
import Testing

@Suite struct SymbolPairTests {
    @Test func symbols() throws {
        #expect(try Symbol(parsing: "btcusdt").name == "BTCUSDT")
        #expect(try Symbol.parseList("BTCUSDT, ethusdt,BTCUSDT") == ["BTCUSDT", "ETHUSDT"])
        #expect(throws: MarketError.invalidSymbol("BTC/USDT")) { try Symbol(parsing: "BTC/USDT") }
        #expect(throws: MarketError.invalidSymbol("<script>")) { try Symbol(parsing: "<script>") }
    }

    @Test func pairs() throws {
        let pair = try Pair(parsing: "BTCUSDT/ethusdt")
        #expect(pair.base == "BTCUSDT" && pair.quote == "ETHUSDT")
        #expect(pair.description == "BTCUSDT/ETHUSDT")
        #expect(throws: MarketError.invalidPair("BTCUSDT/BTCUSDT")) { try Pair(parsing: "BTCUSDT/BTCUSDT") }
        #expect(throws: MarketError.invalidPair("BTCUSDT")) { try Pair(parsing: "BTCUSDT") }
    }

    @Test func barArithmetic() {
        let t0 = Timestamp(milliseconds: 0)
        var bar = Bar(openTime: t0, firstTrade: Tick(symbol: "BTCUSDT", tradeID: 1, timestamp: t0, price: 10, quantity: 2, isBuyerMaker: false))
        bar.add(Tick(symbol: "BTCUSDT", tradeID: 2, timestamp: t0, price: 12, quantity: 1, isBuyerMaker: true))
        bar.add(Tick(symbol: "BTCUSDT", tradeID: 3, timestamp: t0, price: 9, quantity: 1, isBuyerMaker: false))
        #expect(bar == Bar(openTime: t0, open: 10, high: 12, low: 9, close: 9, volume: 4, quoteVolume: 41, trades: 3, takerBuyVolume: 3))
    }
}
