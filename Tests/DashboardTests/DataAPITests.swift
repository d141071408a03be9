import Analytics
import Foundation
import Hummingbird
import HummingbirdTesting
import Market
import Testing

@testable import Dashboard

struct DataAPITests {
    @Test("GET /api/symbols lists each symbol with its bars per timeframe")
    func symbols() async throws {
        let app = try makeApplication(try makeDashboard(store: try storeWithBars()))
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/symbols", method: .get) { response in
                #expect(response.status == .ok)
                let body = try json(response)
                let symbols = try #require(body["symbols"] as? [[String: Any]])
                #expect(symbols.map { $0["symbol"] as? String } == ["BTCUSDT", "ETHUSDT"])
                let coverage = try #require(symbols[0]["timeframes"] as? [[String: Any]])
                #expect(coverage.first?["timeframe"] as? String == "1m")
                #expect(coverage.first?["bars"] as? Int == 1440)
            }
        }
    }

    @Test("GET /api/bars without points sends every bar of the window as columns")
    func everyBar() async throws {
        let (base, _) = syntheticBars()
        let app = try makeApplication(try makeDashboard(store: try storeWithBars()))
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/bars?symbol=BTCUSDT&timeframe=1m&from=2023-01-01T06:00:00Z&to=2023-01-01T07:00:00Z", method: .get) { response in
                #expect(response.status == .ok)
                let body = try json(response)
                #expect(body["bucket"] as? Int == 1)
                #expect(body["count"] as? Int == 60)
                let t = try #require(body["t"] as? [Int64])
                let c = try #require(body["c"] as? [Double])
                #expect(t.first == base[360].openTime.milliseconds)
                #expect(c == Array(base[360..<420].map(\.close)))
            }
        }
    }

    @Test("GET /api/bars with points merges bars into candles that keep every high and low")
    func decimatedBars() async throws {
        let (base, _) = syntheticBars()
        let app = try makeApplication(try makeDashboard(store: try storeWithBars()))
        try await app.test(.router) { client in
            // No range: the last 24 h ending at the end of the newest bar = the whole day.
            try await client.execute(uri: "/api/bars?symbol=BTCUSDT&points=100", method: .get) { response in
                #expect(response.status == .ok)
                let body = try json(response)
                #expect(body["count"] as? Int == 1440)
                #expect(body["bucket"] as? Int == 15)
                let h = try #require(body["h"] as? [Double]), l = try #require(body["l"] as? [Double])
                let o = try #require(body["o"] as? [Double]), c = try #require(body["c"] as? [Double])
                #expect(h.count == 96)
                #expect(h.max() == base.map(\.high).max())
                #expect(l.min() == base.map(\.low).min())
                #expect(h[3] == base[45..<60].map(\.high).max())
                #expect(o[3] == base[45].open)
                #expect(c[3] == base[59].close)
            }
        }
    }

    @Test("bad parameters are 400 with a one-line JSON reason naming the parameter",
          arguments: [
            ("/api/bars", "missing parameter symbol"),
            ("/api/bars?symbol=BTCUSDT&timeframe=7x", "timeframe:"),
            ("/api/bars?symbol=BTCUSDT&from=yesterday", "from:"),
            ("/api/bars?symbol=BTCUSDT&lookback=1h&from=2023-01-01", "either lookback or from/to"),
            ("/api/bars?symbol=BTCUSDT&points=3", "points:"),
            ("/api/pair?pair=BTCUSDT", "pair:"),
            ("/api/pair?pair=BTCUSDT/ETHUSDT&window=1", "window:"),
            ("/api/pair?pair=BTCUSDT/ETHUSDT&hedge=magic", "hedge:"),
            ("/api/pair?pair=BTCUSDT/XRPUSDT", "no 1m bars of XRPUSDT"),
            ("/api/pair?pair=BTCUSDT/ETHUSDT&series=spread,z", "series: unknown series 'z' (known: base, quote, spread,"),
            ("/api/pair?pair=BTCUSDT/ETHUSDT&series=" + String(repeating: "a", count: 500), "series: unknown series '\(String(repeating: "a", count: 40))…' (known:"),
            ("/api/spread?pair=BTCUSDT/ETHUSDT&window=1", "window:"),
            ("/api/spread?pair=BTCUSDT/XRPUSDT", "no 1m bars of XRPUSDT"),
            ("/api/spread?pair=BTCUSDT/ETHUSDT&from=2023-01-01T00:00:00Z&to=2023-01-01T00:02:00Z", "BTCUSDT/ETHUSDT 1m: pair analysis: needs at least 3 observations, got 2"),
            ("/api/heatmap.png?symbols=BTCUSDT", "symbols:"),
          ])
    func badParameters(uri: String, reason: String) async throws {
        let app = try makeApplication(try makeDashboard(store: try storeWithBars()))
        try await app.test(.router) { client in
            try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status == .badRequest)
                let message = try #require(try json(response)["error"] as? String)
                #expect(message.contains(reason), "\(message)")
                #expect(!message.contains("\n"))
            }
        }
    }

    @Test("GET /api/pair is the analysis JSON of `pairbook analyze`, for the same bars and window")
    func pairMatchesAnalysis() async throws {
        let (base, quote) = syntheticBars()
        let expected = try PairAnalysis.compute(
            base: BarSeries(symbol: "BTCUSDT", timeframe: .oneMinute, bars: base),
            quote: BarSeries(symbol: "ETHUSDT", timeframe: .oneMinute, bars: quote), options: .init(window: 30))
        let app = try makeApplication(try makeDashboard(store: try storeWithBars()))
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/pair?pair=BTCUSDT/ETHUSDT&timeframe=1m&window=30", method: .get) { response in
                #expect(response.status == .ok)
                let decoded = try JSONDecoder().decode(PairAnalysis.self, from: Data(response.body.readableBytesView))
                #expect(decoded == expected)
                #expect(try json(response)["bucket"] as? Int == 1)
            }
        }
    }

    @Test("GET /api/pair with points thins the series but keeps each bucket's extremes")
    func pairDecimated() async throws {
        let (base, quote) = syntheticBars()
        let full = try PairAnalysis.compute(
            base: BarSeries(symbol: "BTCUSDT", timeframe: .oneMinute, bars: base),
            quote: BarSeries(symbol: "ETHUSDT", timeframe: .oneMinute, bars: quote), options: .init(window: 60))
        let app = try makeApplication(try makeDashboard(store: try storeWithBars()))
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/pair?pair=BTCUSDT/ETHUSDT&points=200", method: .get) { response in
                #expect(response.status == .ok)
                let decoded = try JSONDecoder().decode(PairAnalysis.self, from: Data(response.body.readableBytesView))
                #expect(decoded.series.timestamps.count <= 2 * 200)
                #expect(decoded.hedge == full.hedge)
                #expect(decoded.series.zScore.compactMap { $0 }.max() == full.series.zScore.compactMap { $0 }.max())
                #expect(decoded.series.zScore.compactMap { $0 }.min() == full.series.zScore.compactMap { $0 }.min())
                #expect(decoded.series.spread.max() == full.series.spread.max())
            }
        }
    }

    @Test("GET /api/pair with series sends those series as in the full answer and the others empty")
    func pairSeriesSelection() async throws {
        let app = try makeApplication(try makeDashboard(store: try storeWithBars()))
        try await app.test(.router) { client in
            let full = try await client.execute(uri: "/api/pair?pair=BTCUSDT/ETHUSDT&points=200", method: .get) { response in
                try JSONDecoder().decode(PairAnalysis.self, from: Data(response.body.readableBytesView))
            }
            try await client.execute(uri: "/api/pair?pair=BTCUSDT/ETHUSDT&points=200&series=spread,zScore", method: .get) { response in
                #expect(response.status == .ok)
                let part = try JSONDecoder().decode(PairAnalysis.self, from: Data(response.body.readableBytesView))
                #expect(part.series.timestamps == full.series.timestamps)
                #expect(part.series.spread == full.series.spread)
                #expect(part.series.zScore == full.series.zScore)
                #expect(part.series.spreadMean.isEmpty && part.series.hedgeRatio.isEmpty && part.series.base.isEmpty)
                #expect(part.hedge == full.hedge && part.adf == full.adf)
                #expect(response.body.readableBytes * 3 < (try JSONEncoder().encode(full)).count)
            }
        }
    }

    @Test("GET /api/spread is /api/pair's spread, rolling mean, standard deviation and z-score, to the last bit",
          arguments: ["window=30", "window=45&hedge=tls&points=150", "window=20&from=2023-01-01T03:00:00Z&to=2023-01-01T09:00:00Z"])
    func spreadMatchesPair(query: String) async throws {
        let app = try makeApplication(try makeDashboard(store: try storeWithBars()))
        try await app.test(.router) { client in
            let pair = try await client.execute(uri: "/api/pair?pair=BTCUSDT/ETHUSDT&\(query)", method: .get) { response in
                #expect(response.status == .ok)
                return try json(response)
            }
            try await client.execute(uri: "/api/spread?pair=BTCUSDT/ETHUSDT&\(query)", method: .get) { response in
                #expect(response.status == .ok)
                let spread = try json(response)
                for key in ["base", "quote", "timeframe", "observations", "droppedBase", "droppedQuote", "hedge", "bucket", "from", "to"] {
                    #expect(spread[key] as? NSObject == pair[key] as? NSObject, "\(key)")
                }
                let options = try #require(spread["options"] as? [String: Any]), pairOptions = try #require(pair["options"] as? [String: Any])
                #expect(options["window"] as? Int == pairOptions["window"] as? Int && options["hedge"] as? String == pairOptions["hedge"] as? String)
                let series = try #require(spread["series"] as? [String: Any]), pairSeries = try #require(pair["series"] as? [String: Any])
                for key in ["timestamps", "spread", "spreadMean", "spreadStandardDeviation", "zScore"] {
                    let values = try #require(series[key] as? NSArray)
                    #expect(values.count > 0 && values == pairSeries[key] as? NSArray, "\(key)")
                }
                for key in ["base", "quote", "hedgeRatio", "intercept", "priceCorrelation", "returnCorrelation"] {
                    #expect((series[key] as? [Any])?.isEmpty == true, "\(key)")
                }
                let latest = try #require(spread["latest"] as? [String: Any]), pairLatest = try #require(pair["latest"] as? [String: Any])
                #expect(latest["zScore"] as? Double == pairLatest["zScore"] as? Double && latest["time"] as? Int64 == pairLatest["time"] as? Int64)
                #expect(spread["adf"] == nil)
            }
        }
    }

    @Test("GET /api/heatmap.png draws a PNG of the symbols' correlations")
    func heatmap() async throws {
        let app = try makeApplication(try makeDashboard(store: try storeWithBars()))
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/heatmap.png?symbols=BTCUSDT,ETHUSDT&width=400", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "image/png")
                #expect(Array(response.body.readableBytesView.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
            }
        }
    }

    @Test("GET /api/overview gives the last price, 24 h change and freshness per symbol")
    func overview() async throws {
        let (base, _) = syntheticBars()
        let app = try makeApplication(try makeDashboard(store: try storeWithBars()))
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/overview?symbols=BTCUSDT", method: .get) { response in
                #expect(response.status == .ok)
                let item = try #require((try json(response)["symbols"] as? [[String: Any]])?.first)
                #expect(item["last_price"] as? Double == base.last?.close)
                #expect(item["connection"] as? String == "not collecting")
                #expect(item["freshness_ms"] as? Int == 0)  // now = end of the last bar
            }
        }
    }
}
