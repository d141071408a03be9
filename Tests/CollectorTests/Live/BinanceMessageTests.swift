import Collector
import Foundation
import Market
import PairbookTestSupport
import Testing

@Suite("BinanceMessage decoding")
struct BinanceMessageTests {
    @Test("a combined-stream futures trade frame decodes to a tick")
    func tradeFrame() throws {
        var decoder = BinanceMessageDecoder()
        let frame = #"{"stream":"btcusdt@trade","data":{"e":"trade","E":1721347202813,"T":1721347202812,"s":"BTCUSDT","t":5182006711,"p":"63960.00","q":"0.310","X":"MARKET","m":false}}"#
        let message = try decoder.decode(frame)
        #expect(message == .trade(Tick(symbol: "BTCUSDT", tradeID: 5_182_006_711, timestamp: Timestamp(milliseconds: 1_721_347_202_812),
                                       price: 63960.00, quantity: 0.310, isBuyerMaker: false)))
    }

    @Test("a direct (unwrapped) trade event decodes too, with whitespace")
    func directTrade() throws {
        var decoder = BinanceMessageDecoder()
        let frame = #" { "e" : "trade", "E":1,"T":1721347202812,"s":"ETHUSDT","t":7,"p":"3424.99","q":"0.022","X":"MARKET","m":true } "#
        #expect(try decoder.decode(frame) == .trade(Tick(symbol: "ETHUSDT", tradeID: 7, timestamp: Timestamp(milliseconds: 1_721_347_202_812),
                                                         price: 3424.99, quantity: 0.022, isBuyerMaker: true)))
    }

    @Test("futures and spot aggTrade frames use the aggregate id, keys in any order")
    func aggTrade() throws {
        var decoder = BinanceMessageDecoder()
        let futures = #"{"stream":"ctkusdt@aggTrade","data":{"e":"aggTrade","E":1626992741575,"a":16599292,"s":"CTKUSDT","p":"1.01100","q":"10","f":23961322,"l":23961322,"T":1626992741421,"m":false}}"#
        let spot = #"{"stream":"nknusdt@aggTrade","data":{"e":"aggTrade","E":1633998523963,"s":"NKNUSDT","a":15683430,"p":"0.35280000","q":"58.00000000","f":19862790,"l":19862790,"T":1633998523963,"m":false,"M":true}}"#
        #expect(try decoder.decode(futures) == .trade(Tick(symbol: "CTKUSDT", tradeID: 16_599_292, timestamp: Timestamp(milliseconds: 1_626_992_741_421),
                                                           price: 1.011, quantity: 10, isBuyerMaker: false)))
        #expect(try decoder.decode(spot) == .trade(Tick(symbol: "NKNUSDT", tradeID: 15_683_430, timestamp: Timestamp(milliseconds: 1_633_998_523_963),
                                                        price: 0.3528, quantity: 58, isBuyerMaker: false)))
    }

    @Test("a trade that is not a MARKET trade is reported with its id but not as a tick")
    func insuranceFundTrade() throws {
        var decoder = BinanceMessageDecoder()
        let frame = #"{"stream":"btcusdt@trade","data":{"e":"trade","E":1,"T":1721347202812,"s":"BTCUSDT","t":99,"p":"63960.00","q":"0.310","X":"INSURANCE_FUND","m":false}}"#
        #expect(try decoder.decode(frame) == .nonMarketTrade(symbol: "BTCUSDT", tradeID: 99, timestamp: Timestamp(milliseconds: 1_721_347_202_812)))
    }

    @Test("non-trade frames are classified and ignored", arguments: [
        (#"{"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":4984035701909,"s":"BTCUSDT","b":"63959.90","B":"20.327","a":"63960.00","A":"4.952","T":1721347202812,"E":1721347202813}}"#, BinanceMessage.IgnoredKind.bookTicker),
        (#"{"stream":"btcusdt@depth@0ms","data":{"e":"depthUpdate","E":1721347201585,"T":1721347201533,"s":"BTCUSDT","U":4984034747463,"u":4984034747463,"pu":4984033952967,"b":[],"a":[["64020.40","0.000"],["64024.70","0.005"]]}}"#, .depth),
        (#"{"stream":"sushiusdt@kline_1m","data":{"e":"kline","E":1,"s":"SUSHIUSDT","k":{"t":1,"T":2,"s":"SUSHIUSDT","i":"1m","o":"7.6","x":false}}}"#, .kline),
        (#"{"lastUpdateId":4984028384061,"E":1721347022759,"T":1721347022750,"bids":[["63943.90","46.372"]],"asks":[]}"#, .snapshot),
        (#"{"result":null,"id":1}"#, .reply),
        (#"{"stream":"x@markPrice","data":{"e":"markPriceUpdate","E":1,"s":"BTCUSDT","p":"1"}}"#, .unknown),
        (#"{}"#, .unknown),
    ])
    func ignored(frame: String, kind: BinanceMessage.IgnoredKind) throws {
        var decoder = BinanceMessageDecoder()
        #expect(try decoder.decode(frame) == .ignored(kind))
    }

    @Test("malformed frames throw instead of crashing", arguments: [
        "",
        "not json",
        #"{"stream":"btcusdt@trade","data":{"e":"trade","E":1,"T":2,"s":"BTCUSDT","t":5,"#,
        #"{"e":"trade","T":1721347202812,"s":"BTCUSDT","t":5,"p":"abc","q":"1","X":"MARKET","m":true}"#,
        #"{"e":"trade","T":1721347202812,"s":"BTCUSDT","t":5,"q":"1","X":"MARKET","m":true}"#,
        #"{"e":"trade","T":1721347202812,"s":"BTC-USDT","t":5,"p":"1","q":"1","X":"MARKET","m":true}"#,
        #"{"e":"aggTrade","T":1721347202812,"s":"BTCUSDT","t":5,"p":"1","q":"1","m":true}"#,
        #"{"e":"trade","T":"2","s":"BTCUSDT","t":5,"p":"1","q":"1","X":"MARKET","m":true}"#,
        #"{"e":"trade","T":1721347202812,"s":"BTCUSDT","t":5,"p":"1","q":"1","X":"MARKET","m":true} trailing"#,
        #"[1,2,3]"#,
    ])
    func malformed(frame: String) {
        var decoder = BinanceMessageDecoder()
        #expect(throws: BinanceMessageError.self) { try decoder.decode(frame) }
    }

    @Test("absurd trade times and ids are malformed, not trades", arguments: [
        (#""T":-9223372036854775807,"t":5"#, "T"),
        (#""T":99999999999999,"t":5"#, "T"),
        (#""T":1483228799999,"t":5"#, "T"),
        (#""T":1721433602814,"t":5"#, "T"),
        (#""T":1721347202812,"t":9223372036854775807"#, "t"),
        (#""T":1721347202812,"t":-3"#, "t"),
    ])
    func implausible(fields: String, field: String) {
        // Given a clock at 2024-07-19T00:00:02.813Z: times up to one day later are accepted
        var decoder = BinanceMessageDecoder(wallClock: { Timestamp(milliseconds: 1_721_347_202_813) })
        for (event, market) in [("trade", #","X":"MARKET""#), ("trade", #","X":"ADL""#)] {
            let frame = #"{"e":"\#(event)",\#(fields),"s":"BTCUSDT","p":"1","q":"1"\#(market),"m":true}"#
            #expect(throws: BinanceMessageError.invalidValue(event: event, field: field)) { try decoder.decode(frame) }
        }
        let edge = #"{"e":"trade","T":1721433602813,"s":"BTCUSDT","t":5,"p":"1","q":"1","X":"MARKET","m":true}"#
        #expect(throws: Never.self) { try decoder.decode(edge) }
    }

    @Test("prices and quantities parse to the nearest double, like strtod", arguments: [
        "63943.90", "0.003", "3424.98", "0.00000638", "100", "1.01100", "123456789012345.6", "0.1", "99999.999999999999999", "5e-3",
    ])
    func decimals(text: String) throws {
        var decoder = BinanceMessageDecoder()
        let frame = #"{"e":"trade","T":1721347202812,"s":"BTCUSDT","t":5,"p":"\#(text)","q":"\#(text)","X":"MARKET","m":true}"#
        guard case .trade(let tick) = try decoder.decode(frame) else {
            Issue.record("not a trade")
            return
        }
        #expect(tick.price == Double(text))
        #expect(tick.quantity == Double(text))
    }

    @Test("every frame of the real 2024-07-18/19 captures: trades decode, the rest is ignored, nothing is malformed",
          .enabled(if: SharedData.isAvailable, Comment(rawValue: SharedData.skipReason)))
    func realCaptures() throws {
        var decoder = BinanceMessageDecoder()
        for (file, trades, firstID, lastID) in [
            ("btcusdt_20240718.gz", 974, Int64(5_182_005_737), Int64(5_182_006_710)),
            ("btcusdt_20240719.gz", 9727, 5_182_006_711, 5_182_016_437),
            ("ethusdt_20240718.gz", 1640, 4_217_896_584, 4_217_898_223),
            ("ethusdt_20240719.gz", 12015, 4_217_898_224, 4_217_910_238),
        ] {
            var ticks: [Tick] = []
            var ignored: [BinanceMessage.IgnoredKind: Int] = [:]
            for frame in try FakeBinanceServer.Capture.frames([file]) {
                switch try decoder.decode(Array(frame.utf8)) {
                case .trade(let tick): ticks.append(tick)
                case .ignored(let kind): ignored[kind, default: 0] += 1
                case .nonMarketTrade: Issue.record("all captured trades are MARKET trades")
                }
            }
            #expect(ticks.count == trades, "\(file)")
            #expect(ticks.first?.tradeID == firstID && ticks.last?.tradeID == lastID, "\(file)")
            #expect(zip(ticks, ticks.dropFirst()).allSatisfy { $1.tradeID == $0.tradeID + 1 }, "\(file)")
            #expect(ignored[.unknown] == nil, "\(file)")
            #expect((ignored[.depth] ?? 0) > 0 && (ignored[.bookTicker] ?? 0) > 0, "\(file)")
            #expect(ignored[.snapshot] == (file.hasSuffix("18.gz") ? 1 : nil), "\(file)")
        }
    }

    @Test("the decoded trades equal the derived data.binance.vision CSV row by row",
          .enabled(if: SharedData.isAvailable, Comment(rawValue: SharedData.skipReason)))
    func matchesDerivedCSV() throws {
        var decoder = BinanceMessageDecoder()
        var ticks: [Tick] = []
        for frame in try FakeBinanceServer.Capture.frames(["btcusdt_20240718.gz", "btcusdt_20240719.gz"]) {
            if case .trade(let tick) = try decoder.decode(frame) { ticks.append(tick) }
        }
        let csv = try String(contentsOf: SharedData.url("binance-usdm-trades-2024-07-18/derived/BTCUSDT-um-trades-20240718-19.derived.csv"), encoding: .utf8)
        let rows = csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",") }
        #expect(rows.count == ticks.count)
        for (tick, row) in zip(ticks.sorted { $0.tradeID < $1.tradeID }, rows) {
            #expect(tick.tradeID == Int64(row[0]))
            #expect(tick.price == Double(row[1]))
            #expect(tick.quantity == Double(row[2]))
            #expect(tick.timestamp.milliseconds == Int64(row[4]))
            #expect(tick.isBuyerMaker == (row[5] == "true"))
        }
    }

    @Test("all 665 USD-M aggTrade frames of the cryptofeed captures decode",
          .enabled(if: SharedData.isAvailable, Comment(rawValue: SharedData.skipReason)))
    func cryptofeedAggTrades() throws {
        var decoder = BinanceMessageDecoder()
        let text = try String(contentsOf: SharedData.url("ws-samples/cryptofeed/usdm_aggTrade_combined_2021.extract.jsonl"), encoding: .utf8)
        var symbols: [Symbol: Int] = [:]
        for line in text.split(separator: "\n") {
            guard case .trade(let tick) = try decoder.decode(String(line)) else {
                Issue.record("not a trade: \(line)")
                continue
            }
            symbols[tick.symbol, default: 0] += 1
        }
        #expect(symbols.values.reduce(0, +) == 665)
        #expect(symbols["SANDUSDT"] == 166 && symbols["NEOUSDT"] == 180 && symbols["KEEPUSDT"] == 5)
    }
}
