import Analytics
import Charts
import Foundation
import Hummingbird
import Market
import ReportEngine
import Storage

// MARK: - Symbols, status cards, bars, pair analytics, heatmap

extension Dashboard {
    func addDataRoutes(to routes: RouteCollection<BasicRequestContext>) {
        routes.get("/api/symbols") { _, _ in
            let summaries = try await offload { try catalog.value(at: try store.changeCounter()) { try store.catalog() } }
            return JSONBody.response(SymbolsBody(now: now().milliseconds, symbols: summaries.map(SymbolsBody.Item.init)))
        }

        routes.get("/api/overview") { request, _ in
            let query = QueryParameters(request)
            let at = now()
            let view = collector()
            let items = try await offload {
                let symbols = try query["symbols"] == nil ? store.symbols() : query.symbols()
                return try symbols.map { try OverviewItem.read($0, store: store, collector: view, now: at) }
            }
            return JSONBody.response(OverviewBody(now: at.milliseconds, symbols: items))
        }

        routes.get("/api/bars") { request, _ in
            let query = QueryParameters(request)
            let symbol = try query.symbol()
            let timeframe = try query.timeframe()
            let points = try query.integer("points", in: 10...100_000)
            let text = try await offload {
                let range = try query.range(of: "\(timeframe) bars of \(symbol)") {
                    try store.lastBar(for: symbol, timeframe: timeframe).map { $0.openTime + timeframe.span }
                }
                return try answers.text(for: .init(route: "bars", query: query.values, range: range, version: try store.changeCounter())) {
                    let series = try store.candles(for: symbol, timeframe: timeframe, in: range, points: points)
                    return JSONText.encode(BarsBody(symbol: symbol, timeframe: timeframe, range: range, series: series))
                }
            }
            return JSONBody.response(text: text)
        }

        routes.get("/api/pair") { request, _ in
            let query = QueryParameters(request)
            let text = try await offload {
                let question = try pairQuestion(query)
                let selection = try PairSeriesSelection(parsing: query["series"])
                return try answers.text(for: .init(route: "pair", query: query.values, range: question.range, version: try store.changeCounter())) {
                    let analysis = try analyse(question)
                    let bucket = Decimation.bucketSize(count: analysis.series.timestamps.count, points: question.points)
                    let series = Decimation.pairSeries(selection.apply(to: analysis.series), bucket: bucket)
                    let body = PairBody(analysis: analysis, bucket: bucket, range: question.range, latest: .init(analysis.series))
                    return SeriesJSON.encode(body, series: series, at: \.analysis.series)
                }
            }
            return JSONBody.response(text: text)
        }

        routes.get("/api/spread") { request, _ in
            let query = QueryParameters(request)
            let text = try await offload {
                let question = try pairQuestion(query)
                return try answers.text(for: .init(route: "spread", query: query.values, range: question.range, version: try store.changeCounter())) {
                    let spread = try spread(question)
                    let series = SpreadBody.series(of: spread)
                    let bucket = Decimation.bucketSize(count: series.timestamps.count, points: question.points)
                    let body = SpreadBody(question: question, spread: spread, bucket: bucket, series: series, latest: .init(series))
                    return SeriesJSON.encode(body, series: Decimation.pairSeries(series, bucket: bucket), at: \.series)
                }
            }
            return JSONBody.response(text: text)
        }

        routes.get("/api/heatmap.png") { request, _ in
            let query = QueryParameters(request)
            let symbols = try query.symbols()
            guard (2...12).contains(symbols.count) else { throw APIError.badRequest("symbols: give 2 to 12 symbols") }
            let timeframe = try query.timeframe()
            let width = try query.integer("width", default: 520, in: 200...2000) ?? 520
            let png = try await offload {
                let range = try query.range(of: "\(timeframe) bars of \(symbols.map(\.name).joined(separator: ", "))") {
                    try symbols.compactMap { try store.lastBar(for: $0, timeframe: timeframe) }.map(\.openTime).max().map { $0 + timeframe.span }
                }
                let series = try symbols.map { try store.bars(for: $0, timeframe: timeframe, in: range) }.filter { $0.count >= 3 }
                guard series.count >= 2 else { throw APIError.badRequest("fewer than two of these symbols have \(timeframe) bars in \(range)") }
                let matrix = try CorrelationMatrix(logReturnsOf: series)
                let chart = Heatmap(title: "Correlation of log returns",
                                    subtitle: "\(matrix.symbols.count) symbols · \(timeframe) · \(matrix.observations) returns",
                                    labels: matrix.symbols.map(\.name), values: matrix.values)
                let height = Double(max(320, min(900, 140 + 52 * matrix.symbols.count)))
                return try chart.pngData(size: Size(width: Double(width), height: height))
            }
            return Response(status: .ok, headers: [.contentType: "image/png", .cacheControl: "no-store"],
                            body: .init(byteBuffer: ByteBuffer(bytes: Array(png))))
        }
    }

    /// What a pair request asks for: the pair, its timeframe, window, hedge, thinning and time range.
    struct PairQuestion {
        var pair: Pair
        var timeframe: Timeframe
        var window: Int
        var hedge: HedgeMethod
        var points: Int?
        var range: TimeRange
    }

    /// The pair question of a request's parameters (the range's default end: the older of the legs' newest bars).
    func pairQuestion(_ query: QueryParameters) throws -> PairQuestion {
        let pair = try query.pair()
        let timeframe = try query.timeframe()
        let window = try query.integer("window", default: 60, in: 2...100_000) ?? 60
        let points = try query.integer("points", in: 10...100_000)
        let hedge: HedgeMethod
        switch query["hedge"] ?? "ols" {
        case "ols": hedge = .ols
        case "tls": hedge = .tls
        case let other: throw APIError.badRequest("hedge: expected ols or tls, got \(other)")
        }
        var ends: [Timestamp] = []
        for symbol in [pair.base, pair.quote] {
            guard let last = try store.lastBar(for: symbol, timeframe: timeframe) else {
                throw APIError.badRequest("no \(timeframe) bars of \(symbol) (check /api/symbols)")
            }
            ends.append(last.openTime)
        }
        let range = try query.range(of: "\(timeframe) bars of \(pair)") { ends.min().map { $0 + timeframe.span } }
        return PairQuestion(pair: pair, timeframe: timeframe, window: window, hedge: hedge, points: points, range: range)
    }

    /// The spread and rolling z-score a question asks for (``analyse(_:)`` without what the Overview does not draw):
    /// reads only the legs' open times and closes.
    func spread(_ question: PairQuestion) throws -> PairSpread {
        let (base, quote) = try legs(question, { symbol, timeframe, range in try store.closes(for: symbol, timeframe: timeframe, in: range) },
                                     isEmpty: \.isEmpty)
        return try analyticsAnswer(question) {
            try PairSpread.compute(base: base, quote: quote, window: question.window, hedge: question.hedge)
        }
    }

    /// The pair analysis a question asks for.
    func analyse(_ question: PairQuestion) throws -> PairAnalysis {
        let (base, quote) = try legs(question, { symbol, timeframe, range in try store.bars(for: symbol, timeframe: timeframe, in: range) },
                                     isEmpty: \.isEmpty)
        return try analyticsAnswer(question) {
            try PairAnalysis.compute(base: base, quote: quote, options: .init(window: question.window, hedge: question.hedge))
        }
    }

    /// Both legs of a question read by `read` at once, on two threads (two of the pool's reader connections): on a
    /// day of 1 s bars each read is tens of milliseconds of SQLite stepping. A leg without bars in range is a 400.
    private func legs<Leg: Sendable>(_ question: PairQuestion, _ read: @Sendable (Symbol, Timeframe, TimeRange) throws -> Leg,
                                     isEmpty: (Leg) -> Bool) throws -> (Leg, Leg) {
        let (timeframe, range) = (question.timeframe, question.range)
        let legs = try Parallel.both({ try read(question.pair.base, timeframe, range) }, { try read(question.pair.quote, timeframe, range) })
        for (symbol, leg) in [(question.pair.base, legs.0), (question.pair.quote, legs.1)] where isEmpty(leg) {
            throw APIError.badRequest("no \(timeframe) bars of \(symbol) in \(range)")
        }
        return legs
    }

    /// `body`'s result, an analytics error in it a 400 that names the question's pair and timeframe.
    private func analyticsAnswer<T>(_ question: PairQuestion, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as AnalyticsError {
            throw APIError.badRequest("\(question.pair) \(question.timeframe): \(error)")
        }
    }
}

// MARK: - Bodies

struct SymbolsBody: Encodable {
    struct Item: Encodable {
        struct Coverage: Encodable {
            var timeframe: String
            var bars: Int
            var first: Int64
            var last: Int64
        }
        var symbol: String
        var firstTrade: Int64?
        var lastTrade: Int64?
        var openGaps: Int
        var timeframes: [Coverage]

        init(_ s: SymbolSummary) {
            symbol = s.symbol.name
            firstTrade = s.firstTrade?.milliseconds
            lastTrade = s.lastTrade?.milliseconds
            openGaps = s.openGapCount
            timeframes = s.barCounts.map { Coverage(timeframe: $0.timeframe.description, bars: $0.count, first: $0.first.milliseconds, last: $0.last.milliseconds) }
        }

        enum CodingKeys: String, CodingKey {
            case symbol, timeframes
            case firstTrade = "first_trade", lastTrade = "last_trade", openGaps = "open_gaps"
        }
    }
    var now: Int64
    var symbols: [Item]
}

/// `/api/bars`: columns, ready for the chart library.
struct BarsBody: Encodable {
    var symbol: String
    var timeframe: String
    var from: Int64
    var to: Int64
    var count: Int
    var bucket: Int
    var t: [Int64]
    var o: [Double]
    var h: [Double]
    var l: [Double]
    var c: [Double]
    var v: [Double]

    init(symbol: Symbol, timeframe: Timeframe, range: TimeRange, series: CandleSeries) {
        self.symbol = symbol.name
        self.timeframe = timeframe.description
        from = range.start.milliseconds
        to = range.end.milliseconds
        count = series.count
        bucket = series.bucket
        let bars = series.candles
        t = bars.map(\.openTime.milliseconds)
        o = bars.map(\.open)
        h = bars.map(\.high)
        l = bars.map(\.low)
        c = bars.map(\.close)
        v = bars.map(\.volume)
    }
}

/// `/api/pair`: `pairbook analyze --format json`, plus the bucket size of its series, the window it covers and the
/// newest values of the rolling series (the thinned series' last row is a bucket extreme, not always the newest).
struct PairBody: Encodable {
    struct Latest: Encodable {
        var time: Int64?
        var spread: Double?
        var zScore: Double?
        var hedgeRatio: Double?
        var priceCorrelation: Double?

        init(_ s: PairAnalysis.Series) {
            time = s.timestamps.last?.milliseconds
            spread = s.spread.last
            zScore = s.zScore.last ?? nil
            hedgeRatio = s.hedgeRatio.last ?? nil
            priceCorrelation = s.priceCorrelation.last ?? nil
        }
    }

    var analysis: PairAnalysis
    var bucket: Int
    var range: TimeRange
    var latest: Latest

    func encode(to encoder: any Encoder) throws {
        try analysis.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(bucket, forKey: .bucket)
        try container.encode(range.start.milliseconds, forKey: .from)
        try container.encode(range.end.milliseconds, forKey: .to)
        try container.encode(latest, forKey: .latest)
    }

    enum Key: String, CodingKey { case bucket, from, to, latest }
}

/// `/api/spread`: the spread, its rolling mean and standard deviation and the z-score of a pair (``PairSpread``), in
/// the keys of `/api/pair` for the fields they share (the other series come as empty arrays), so one page code draws
/// either answer.
struct SpreadBody: Encodable {
    struct Options: Encodable {
        var window: Int
        var hedge: HedgeMethod
    }

    var base: String
    var quote: String
    var timeframe: String
    var options: Options
    var observations: Int
    var droppedBase: Int
    var droppedQuote: Int
    var hedge: LinearFit
    var bucket: Int
    var from: Int64
    var to: Int64
    var latest: PairBody.Latest
    var series: PairAnalysis.Series

    init(question: Dashboard.PairQuestion, spread: PairSpread, bucket: Int, series: PairAnalysis.Series, latest: PairBody.Latest) {
        base = question.pair.base.name
        quote = question.pair.quote.name
        timeframe = question.timeframe.description
        options = Options(window: spread.window, hedge: spread.hedgeMethod)
        observations = spread.aligned.count
        droppedBase = spread.aligned.droppedBase
        droppedQuote = spread.aligned.droppedQuote
        hedge = spread.hedge
        self.bucket = bucket
        from = question.range.start.milliseconds
        to = question.range.end.milliseconds
        self.latest = latest
        self.series = series
    }

    /// `spread`'s series as a pair analysis' (the ones it does not have empty).
    static func series(of spread: PairSpread) -> PairAnalysis.Series {
        PairAnalysis.Series(timestamps: spread.aligned.timestamps, base: [], quote: [], spread: spread.spread,
                            spreadMean: spread.rollingMean, spreadStandardDeviation: spread.rollingStandardDeviation,
                            zScore: spread.zScore, hedgeRatio: [], intercept: [], priceCorrelation: [], returnCorrelation: [])
    }
}
