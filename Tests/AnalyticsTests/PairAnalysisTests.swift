import Analytics
import Foundation
import Market
import PairbookTestSupport
import Testing

@Suite("PairAnalysis matches statsmodels and pandas on generated and real pairs")
struct PairAnalysisTests {
    static func series(_ symbol: Symbol, _ ts: [Int64], _ closes: [Double]) -> BarSeries {
        BarSeries(symbol: symbol, timeframe: .oneMinute, bars: zip(ts, closes).map { t, c in
            Bar(openTime: Timestamp(milliseconds: t), open: c, high: c, low: c, close: c, volume: 1, quoteVolume: c,
                trades: 1, takerBuyVolume: 0)
        })
    }

    /// Compares every static and rolling value of `analysis` with `pair-<name>.json` / `-rolling.csv`.
    static func compare(_ a: PairAnalysis, with name: String) throws {
        let f = try Oracle.json("pair-\(name).json")
        #expect(a.observations == f["count"] as? Int)
        let ols = try #require(f["ols"] as? [String: Any])
        expectClose(a.ols.slope, Oracle.number(ols["slope"]), "β")
        expectClose(a.ols.intercept, Oracle.number(ols["intercept"]), "α")
        expectClose(a.ols.rSquared, Oracle.number(ols["rsquared"]), "R²")
        expectClose(a.ols.residualSumOfSquares, Oracle.number(ols["ssr"]), "SSR")
        let tls = try #require(f["tls"] as? [String: Any])
        expectClose(a.tlsHedgeRatio, Oracle.number(tls["slope"]), "TLS β")
        let spread = try #require(f["spread"] as? [String: Any])
        expectClose(a.spreadMean, Oracle.number(spread["mean"]), "spread mean")
        expectClose(a.spreadStandardDeviation, Oracle.number(spread["std"]), "spread std")
        let corr = try #require(f["correlation"] as? [String: Any])
        expectClose(a.priceCorrelation, Oracle.number(corr["prices"]), "price correlation")
        expectClose(a.returnCorrelation, Oracle.number(corr["returns"]), "return correlation")

        let adf = try #require(f["adf"] as? [String: Any])
        let mine = try #require(a.adf, "ADF failed: \(String(describing: a.adfError))")
        #expect(mine.usedLag == adf["usedlag"] as? Int)
        #expect(mine.nobs == adf["nobs"] as? Int)
        expectClose(mine.statistic, Oracle.number(adf["statistic"]), "ADF statistic")
        expectClose(mine.pValue, Oracle.number(adf["pvalue"]), "ADF p", absolute: 1e-300)
        expectClose(mine.icBest, Oracle.number(adf["icbest"]), "ADF icbest")

        let coint = try #require(f["coint"] as? [String: Any])
        let eg = try #require(a.cointegration, "coint failed: \(String(describing: a.cointegrationError))")
        expectClose(eg.statistic, Oracle.number(coint["statistic"]), "coint statistic")
        // The p-value is Φ(polynomial in τ): on the oracle's own τ it must match to 1e-9; our τ carries its own
        // ≤ 1e-9 relative error, which the steep map amplifies by κ = |d ln p / d ln τ|, so ours gets 1e-9·κ.
        let tau = try #require(Oracle.number(coint["statistic"]))
        let oracleP = Oracle.number(coint["pvalue"])
        func p(_ t: Double) -> Double { MacKinnon.pValue(statistic: t, regression: .constant, n: 2) }
        expectClose(p(tau), oracleP, "coint p of the oracle's statistic", absolute: 1e-300)
        let kappa = abs((p(tau * (1 + 1e-6)) - p(tau * (1 - 1e-6))) / (2e-6 * p(tau)))
        expectClose(eg.pValue, oracleP, "coint p", absolute: 1e-300, relative: Oracle.relative * max(1, kappa))
        let crit = Oracle.doubles(coint["crit"])
        expectClose(eg.criticalValues.onePercent, crit[0], "coint crit 1%")
        expectClose(eg.criticalValues.fivePercent, crit[1], "coint crit 5%")
        expectClose(eg.criticalValues.tenPercent, crit[2], "coint crit 10%")

        let hl = try #require(f["half_life"] as? [String: Any])
        expectClose(a.halfLife, Oracle.number(hl["half_life"]), "half-life")
        expectClose(try HalfLife.fit(a.series.spread).lambda, Oracle.number(hl["lambda"]), "half-life λ")

        let hurst = try #require(f["hurst"] as? [String: Any])
        expectClose(a.hurst, Oracle.number(hurst["spread"]), "Hurst exponent of the spread")

        let r = try Oracle.csv("pair-\(name)-rolling.csv")
        #expect(a.series.timestamps.map { Double($0.milliseconds) } == r["ts"]?.map { $0 ?? 0 })
        expectSeriesClose(a.series.spread.map { $0 }, try #require(r["spread"]), "spread")
        expectSeriesClose(a.series.spreadMean, try #require(r["mean"]), "spread mean")
        expectSeriesClose(a.series.spreadStandardDeviation, try #require(r["std"]), "spread std")
        expectSeriesClose(a.series.zScore, try #require(r["z"]), "z", absolute: 1e-9)
        expectSeriesClose(a.series.hedgeRatio, try #require(r["beta"]), "rolling β", absolute: 1e-9)
        expectSeriesClose(a.series.intercept, try #require(r["alpha"]), "rolling α")
        expectSeriesClose(a.series.priceCorrelation, try #require(r["corr"]), "rolling price corr", absolute: 1e-9)
        expectSeriesClose(a.series.returnCorrelation, try #require(r["return_corr"]), "rolling return corr", absolute: 1e-9)
    }

    @Test("generated pairs (committed inputs)", arguments: ["cointegrated", "random-walk"])
    func generated(_ name: String) throws {
        // Given
        let f = try Oracle.json("pair-\(name).json")
        let input = try #require(f["input"] as? [String: Any])
        let ts = (input["ts"] as? [Any] ?? []).compactMap { Oracle.number($0).map { Int64($0) } }
        let base = Self.series("BTCUSDT", ts, Oracle.doubles(input["y"]))
        let quote = Self.series("ETHUSDT", ts, Oracle.doubles(input["x"]))
        // When
        let a = try PairAnalysis.compute(base: base, quote: quote, window: try #require(f["window"] as? Int))
        // Then
        try Self.compare(a, with: name)
    }

    @Test("BTCUSDT/ETHUSDT 1m klines 2023-01-01…03", .enabled(if: SharedData.isAvailable, Comment(rawValue: SharedData.skipReason)))
    func klines() throws {
        let btc = try RealData.klines("BTCUSDT")
        let eth = try RealData.klines("ETHUSDT")
        let a = try PairAnalysis.compute(base: btc, quote: eth, window: 60)
        try Self.compare(a, with: "klines-1m")
        try Self.compareLiquidity(a, with: "klines-1m")
    }

    @Test("BTCUSDT/ETHUSDT 1s bars built from trades of 2024-07-18/19", .enabled(if: SharedData.isAvailable, Comment(rawValue: SharedData.skipReason)))
    func tradeBars() throws {
        let btc = try RealData.tradeBars("BTCUSDT")
        let eth = try RealData.tradeBars("ETHUSDT")
        let a = try PairAnalysis.compute(base: btc, quote: eth, window: 30)
        try Self.compare(a, with: "trades-1s")
        try Self.compareLiquidity(a, with: "trades-1s")
        let f = try Oracle.json("pair-trades-1s.json")
        let alignment = try #require(f["alignment"] as? [String: Any])
        #expect(a.droppedBase == alignment["dropped_base"] as? Int)
        #expect(a.droppedQuote == alignment["dropped_quote"] as? Int)
    }

    static func compareLiquidity(_ a: PairAnalysis, with name: String) throws {
        let f = try Oracle.json("pair-\(name).json")
        let liq = try #require(f["liquidity"] as? [String: Any])
        for (mine, key) in [(a.baseLiquidity, "base"), (a.quoteLiquidity, "quote")] {
            let e = try #require(liq[key] as? [String: Any])
            #expect(mine.bars == e["bars"] as? Int)
            #expect(mine.trades == Int64(e["trades"] as? Int ?? -1))
            expectClose(mine.volume, Oracle.number(e["volume"]), "\(key) volume")
            expectClose(mine.quoteVolume, Oracle.number(e["quote_volume"]), "\(key) quote volume")
            expectClose(mine.vwap, Oracle.number(e["vwap"]), "\(key) VWAP")
            expectClose(mine.averageTradeSize, Oracle.number(e["avg_trade_size"]), "\(key) avg trade size")
            expectClose(mine.amihud, Oracle.number(e["amihud"]), "\(key) Amihud")
            expectClose(mine.rollSpread, Oracle.number(e["roll"]), "\(key) Roll")
        }
    }

    @Test("degenerate pairs: typed errors or explicit undefined values, never NaN")
    func degenerate() throws {
        let ts: [Int64] = (0..<100).map { Int64($0) * 60_000 }
        let walk: [Double] = (0..<100).map { (i: Int) -> Double in 3000 + Double(i % 7) * 1.5 + Double(i) * 0.1 }
        let flat = [Double](repeating: 60000, count: 100)
        // a constant quote leg: the hedge ratio is undefined
        #expect(throws: AnalyticsError.constantSeries(what: "OLS regressor")) {
            try PairAnalysis.compute(base: Self.series("BTCUSDT", ts, walk), quote: Self.series("ETHUSDT", ts, flat), window: 10)
        }
        // one bar
        #expect(throws: AnalyticsError.tooFewObservations(what: "pair analysis", needed: 3, got: 1)) {
            try PairAnalysis.compute(base: Self.series("BTCUSDT", [0], [1]), quote: Self.series("ETHUSDT", [0], [2]), window: 10)
        }
        // no common timestamps
        #expect(throws: AnalyticsError.self) {
            try PairAnalysis.compute(base: Self.series("BTCUSDT", [0, 1, 2], [1, 2, 3]),
                                     quote: Self.series("ETHUSDT", [5, 6, 7], [1, 2, 3]), window: 2)
        }
        #expect(throws: AnalyticsError.invalidWindow(1)) {
            try PairAnalysis.compute(base: Self.series("BTCUSDT", ts, walk), quote: Self.series("ETHUSDT", ts, walk), window: 1)
        }
        // a constant base leg: static results exist, the spread is −β·x, z defined; correlations undefined
        let a = try PairAnalysis.compute(base: Self.series("BTCUSDT", ts, flat), quote: Self.series("ETHUSDT", ts, walk), window: 10)
        #expect(a.priceCorrelation == nil)
        #expect(a.series.priceCorrelation.allSatisfy { $0 == nil })
        #expect(a.hedge.slope == 0)
        // fewer bars than the window: static results, rolling all undefined
        let shortBase: [Double] = walk[0..<8].map { (v: Double) -> Double in v * 20 + 5 * sin(v) }
        let short = try PairAnalysis.compute(base: Self.series("BTCUSDT", Array(ts[0..<8]), shortBase),
                                             quote: Self.series("ETHUSDT", Array(ts[0..<8]), Array(walk[0..<8])), window: 60)
        #expect(short.series.zScore.allSatisfy { $0 == nil })
        #expect(short.series.hedgeRatio.allSatisfy { $0 == nil })
        #expect(short.observations == 8)
        for v in [short.spreadMean, short.spreadStandardDeviation, short.hedge.slope] { #expect(v.isFinite) }
    }
}

@Suite("PairSpread is PairAnalysis' spread, to the last bit")
struct PairSpreadTests {
    @Test("the spread, rolling mean, standard deviation, z-score and hedge equal PairAnalysis' on generated pairs",
          arguments: ["cointegrated", "random-walk"], [HedgeMethod.ols, .tls])
    func equalsAnalysis(_ name: String, hedge: HedgeMethod) throws {
        let f = try Oracle.json("pair-\(name).json")
        let input = try #require(f["input"] as? [String: Any])
        // Drop a few bars of each leg so that the alignment has something to do.
        let ts = (input["ts"] as? [Any] ?? []).compactMap { Oracle.number($0).map { Int64($0) } }
        let ys = Oracle.doubles(input["y"]), xs = Oracle.doubles(input["x"])
        let keepBase = ts.indices.filter { $0 % 17 != 5 }, keepQuote = ts.indices.filter { $0 % 23 != 9 }
        let base = PairAnalysisTests.series("BTCUSDT", keepBase.map { ts[$0] }, keepBase.map { ys[$0] })
        let quote = PairAnalysisTests.series("ETHUSDT", keepQuote.map { ts[$0] }, keepQuote.map { xs[$0] })

        let analysis = try PairAnalysis.compute(base: base, quote: quote, options: .init(window: 40, hedge: hedge))
        let spread = try PairSpread.compute(base: CloseSeries(base), quote: CloseSeries(quote), window: 40, hedge: hedge)

        #expect(spread.aligned.timestamps == analysis.series.timestamps)
        #expect(spread.aligned.droppedBase == analysis.droppedBase && spread.aligned.droppedQuote == analysis.droppedQuote)
        #expect(spread.hedge == analysis.hedge)
        #expect(spread.spread == analysis.series.spread)
        #expect(spread.rollingMean == analysis.series.spreadMean)
        #expect(spread.rollingStandardDeviation == analysis.series.spreadStandardDeviation)
        #expect(spread.zScore == analysis.series.zScore)
        #expect(analysis.droppedBase > 0 && analysis.droppedQuote > 0)
    }

    @Test("bad input: the errors of PairAnalysis")
    func errors() throws {
        func closes(_ symbol: Symbol, _ values: [Double]) -> CloseSeries {
            CloseSeries(symbol: symbol, timeframe: .oneMinute, openTimes: values.indices.map { Timestamp(milliseconds: Int64($0) * 60_000) },
                        closes: values)
        }
        let walk = (0..<50).map { 100 + Double($0 % 7) }
        #expect(throws: AnalyticsError.invalidWindow(1)) {
            try PairSpread.compute(base: closes("BTCUSDT", walk), quote: closes("ETHUSDT", walk), window: 1)
        }
        #expect(throws: AnalyticsError.tooFewObservations(what: "pair analysis", needed: 3, got: 2)) {
            try PairSpread.compute(base: closes("BTCUSDT", [1, 2]), quote: closes("ETHUSDT", walk), window: 2)
        }
        #expect(throws: AnalyticsError.nonFiniteValue(what: "pair analysis ETHUSDT (price ≤ 0)", index: 3)) {
            try PairSpread.compute(base: closes("BTCUSDT", walk), quote: closes("ETHUSDT", [1, 2, 3, 0, 5]), window: 2)
        }
        #expect(throws: AnalyticsError.constantSeries(what: "OLS regressor")) {
            try PairSpread.compute(base: closes("BTCUSDT", walk), quote: closes("ETHUSDT", [Double](repeating: 3, count: 50)), window: 5)
        }
    }
}

@Suite("PairAnalysis options")
struct PairAnalysisOptionsTests {
    @Test("subtracting the intercept centres the spread and leaves z-scores and the ADF unchanged")
    func subtractIntercept() throws {
        let ts: [Int64] = (0..<400).map { Int64($0) * 60_000 }
        let x: [Double] = (0..<400).map { (i: Int) -> Double in 3000 + 20 * sin(Double(i) / 17) + Double(i) * 0.05 }
        let y: [Double] = x.enumerated().map { (i: Int, v: Double) -> Double in 500 + 19.8 * v + 3 * cos(Double(i) * 0.7) }
        let base = PairAnalysisTests.series("BTCUSDT", ts, y)
        let quote = PairAnalysisTests.series("ETHUSDT", ts, x)
        let plain = try PairAnalysis.compute(base: base, quote: quote, options: .init(window: 30))
        let centred = try PairAnalysis.compute(base: base, quote: quote, options: .init(window: 30, subtractIntercept: true))
        #expect(abs(centred.spreadMean) < 1e-9 * abs(plain.spreadMean))
        expectClose(centred.adf?.statistic, plain.adf?.statistic, "ADF τ", relative: 1e-9)
        expectSeriesClose(centred.series.zScore, plain.series.zScore, "z", absolute: 1e-7)
    }
}
