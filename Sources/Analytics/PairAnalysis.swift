import Market

/// Everything a report shows about a pair `base/quote` over a window of bars: static statistics of the
/// whole sample and rolling series per bar. Computed by ``compute(base:quote:options:)``.
///
/// Conventions (DESIGN.md): y = base closes, x = quote closes, joined on common open times;
/// hedge ratio β from y = α + β·x over the whole sample; **spread = y − β·x** (without α);
/// the ADF test runs on that spread with a constant, so α does not matter to it.
public struct PairAnalysis: Sendable, Hashable, Codable {
    /// Options of ``compute(base:quote:options:)``.
    public struct Options: Sendable, Hashable, Codable {
        /// Rolling window in bars (≥ 2).
        public var window: Int
        /// How the static hedge ratio is estimated (the rolling one is always OLS).
        public var hedge: HedgeMethod
        /// ADF deterministic terms for the spread test.
        public var adfRegression: ADFRegression
        /// ADF lag selection (`nil` = use the max lag).
        public var adfAutolag: ADFAutolag?
        /// ADF max lag (`nil` = statsmodels' default).
        public var adfMaxLag: Int?
        /// Whether the spread also subtracts the static intercept: y − α − β·x (centred near 0) instead of y − β·x.
        /// Changes neither the z-scores nor the ADF test (which has a constant), only the spread's level.
        public var subtractIntercept: Bool

        public init(window: Int, hedge: HedgeMethod = .ols, adfRegression: ADFRegression = .constant,
                    adfAutolag: ADFAutolag? = .aic, adfMaxLag: Int? = nil, subtractIntercept: Bool = false) {
            self.window = window
            self.subtractIntercept = subtractIntercept
            self.hedge = hedge
            self.adfRegression = adfRegression
            self.adfAutolag = adfAutolag
            self.adfMaxLag = adfMaxLag
        }
    }

    /// Per-bar series, all of the same length as ``timestamps``; rolling values are `nil` until their window is full.
    public struct Series: Sendable, Hashable, Codable {
        /// Common bar open times (UTC ms).
        public var timestamps: [Timestamp]
        /// Base (y) closes.
        public var base: [Double]
        /// Quote (x) closes.
        public var quote: [Double]
        /// y − β·x with the static β (− α with ``Options/subtractIntercept``).
        public var spread: [Double]
        /// Rolling mean of the spread.
        public var spreadMean: [Double?]
        /// Rolling sample std (ddof 1) of the spread.
        public var spreadStandardDeviation: [Double?]
        /// Rolling z-score of the spread (`nil` where the window is constant).
        public var zScore: [Double?]
        /// Rolling OLS hedge ratio β.
        public var hedgeRatio: [Double?]
        /// Rolling OLS intercept α.
        public var intercept: [Double?]
        /// Rolling Pearson correlation of prices.
        public var priceCorrelation: [Double?]
        /// Rolling Pearson correlation of log returns (first defined at index `window`).
        public var returnCorrelation: [Double?]

        public init(timestamps: [Timestamp], base: [Double], quote: [Double], spread: [Double], spreadMean: [Double?],
                    spreadStandardDeviation: [Double?], zScore: [Double?], hedgeRatio: [Double?], intercept: [Double?],
                    priceCorrelation: [Double?], returnCorrelation: [Double?]) {
            self.timestamps = timestamps
            self.base = base
            self.quote = quote
            self.spread = spread
            self.spreadMean = spreadMean
            self.spreadStandardDeviation = spreadStandardDeviation
            self.zScore = zScore
            self.hedgeRatio = hedgeRatio
            self.intercept = intercept
            self.priceCorrelation = priceCorrelation
            self.returnCorrelation = returnCorrelation
        }
    }

    public var base: Symbol
    public var quote: Symbol
    public var timeframe: Timeframe
    public var options: Options
    /// Aligned observations.
    public var observations: Int
    /// Base bars dropped by the alignment (no quote bar at that time).
    public var droppedBase: Int
    /// Quote bars dropped by the alignment.
    public var droppedQuote: Int
    /// The static hedge regression y = α + β·x (method ``Options/hedge``).
    public var hedge: LinearFit
    /// The static OLS regression (same as ``hedge`` when the method is OLS).
    public var ols: LinearFit
    /// The static TLS hedge ratio, `nil` when undefined (x and y uncorrelated).
    public var tlsHedgeRatio: Double?
    /// Mean of the spread over the sample.
    public var spreadMean: Double
    /// Sample std of the spread over the sample.
    public var spreadStandardDeviation: Double
    /// Correlation of prices over the sample (`nil` if y is constant).
    public var priceCorrelation: Double?
    /// Correlation of log returns over the sample.
    public var returnCorrelation: Double?
    /// ADF of the spread; `nil` with the reason in ``adfError``.
    public var adf: ADFResult?
    public var adfError: AnalyticsError?
    /// Engle–Granger test of y on x; `nil` with the reason in ``cointegrationError``.
    public var cointegration: CointegrationResult?
    public var cointegrationError: AnalyticsError?
    /// Half-life of the spread in bars; `nil` when it does not mean-revert.
    public var halfLife: Double?
    /// Hurst exponent of the spread (``Hurst/exponent(_:maxLag:)``, lags 2..<100); `nil` with 100 bars or fewer.
    public var hurst: Double?
    /// Liquidity of both legs over the aligned window.
    public var baseLiquidity: Liquidity
    public var quoteLiquidity: Liquidity
    /// Per-bar series.
    public var series: Series

    /// Analyses the pair `base/quote`: alignment, static and rolling hedge ratios, spread, rolling mean/std/z,
    /// price and return correlations, ADF of the spread, Engle–Granger, half-life, liquidity.
    ///
    /// Complexity: O(n) plus the ADF and Engle–Granger tests, O(n·maxlag²).
    ///
    /// ```swift
    /// let a = try PairAnalysis.compute(base: btc, quote: eth, options: .init(window: 60))
    /// a.hedge.slope; a.adf?.pValue; a.series.zScore.last
    /// ```
    /// - Throws: ``AnalyticsError/invalidWindow(_:)``; ``AnalyticsError/tooFewObservations(what:needed:got:)``
    ///   with fewer than 3 common bars; ``AnalyticsError/constantSeries(what:)`` when the quote leg is constant;
    ///   ``AnalyticsError/nonFiniteValue(what:index:)`` for NaN or non-positive prices. Failures of the ADF and
    ///   cointegration tests do not throw: they leave those results `nil` with their error.
    public static func compute(base: BarSeries, quote: BarSeries, options: Options) throws -> PairAnalysis {
        let w = options.window
        let core = try PairSpread.compute(base: CloseSeries(base), quote: CloseSeries(quote), window: w,
                                          hedge: options.hedge, subtractIntercept: options.subtractIntercept)
        let aligned = core.aligned
        let y = aligned.base
        let x = aligned.quote
        let rx = try strictLogReturns(x, "pair analysis \(quote.symbol)")
        let ry = try strictLogReturns(y, "pair analysis \(base.symbol)")
        let hedge = core.hedge
        let ols = options.hedge == .ols ? hedge : try OLS.fit(y: y, x: x)
        let tls = options.hedge == .tls ? hedge : try? OLS.totalLeastSquares(y: y, x: x)
        let spread = core.spread

        // The rolling regressions and correlations and the tests of the whole sample do not depend on each other: on
        // two threads at once.
        let (series, sample) = try Parallel.both({
            let (beta, alpha) = try Rolling.regression(y: y, x: x, window: w)
            return RollingSeries(mean: core.rollingMean, std: core.rollingStandardDeviation, z: core.zScore, beta: beta, alpha: alpha,
                                 priceCorrelation: try Rolling.correlation(y, x, window: w),
                                 returnCorrelation: try Rolling.returnCorrelation(y, x, window: w))
        }, {
            try SampleTests(spread: spread, y: y, x: x, options: options)
        })

        let timestamps = aligned.timestamps
        let baseWindow = aligned.droppedBase == 0 ? base : base.keeping(openTimes: timestamps)
        let quoteWindow = aligned.droppedQuote == 0 ? quote : quote.keeping(openTimes: timestamps)

        return PairAnalysis(
            base: base.symbol, quote: quote.symbol, timeframe: base.timeframe, options: options,
            observations: aligned.count, droppedBase: aligned.droppedBase, droppedQuote: aligned.droppedQuote,
            hedge: hedge, ols: ols, tlsHedgeRatio: tls?.slope,
            spreadMean: Descriptive.mean(spread) ?? 0,
            spreadStandardDeviation: Descriptive.standardDeviation(spread) ?? 0,
            priceCorrelation: Descriptive.correlation(y, x),
            returnCorrelation: Descriptive.correlation(ry, rx),
            adf: sample.adf, adfError: sample.adfError, cointegration: sample.cointegration, cointegrationError: sample.cointegrationError,
            halfLife: sample.halfLife, hurst: sample.hurst,
            baseLiquidity: Liquidity(baseWindow), quoteLiquidity: Liquidity(quoteWindow),
            series: Series(timestamps: timestamps, base: y, quote: x, spread: spread, spreadMean: series.mean,
                           spreadStandardDeviation: series.std, zScore: series.z, hedgeRatio: series.beta, intercept: series.alpha,
                           priceCorrelation: series.priceCorrelation, returnCorrelation: series.returnCorrelation))
    }

    /// Same as ``compute(base:quote:options:)`` with default options and the given window.
    public static func compute(base: BarSeries, quote: BarSeries, window: Int) throws -> PairAnalysis {
        try compute(base: base, quote: quote, options: Options(window: window))
    }
}

/// The rolling series of ``PairAnalysis/compute(base:quote:options:)``.
private struct RollingSeries: Sendable {
    var mean: [Double?]
    var std: [Double?]
    var z: [Double?]
    var beta: [Double?]
    var alpha: [Double?]
    var priceCorrelation: [Double?]
    var returnCorrelation: [Double?]
}

/// The tests of the whole sample in ``PairAnalysis/compute(base:quote:options:)``: ADF of the spread, Engle–Granger,
/// half-life, Hurst. The ADF and Engle–Granger failures are kept as errors, not thrown.
private struct SampleTests: Sendable {
    var adf: ADFResult?
    var adfError: AnalyticsError?
    var cointegration: CointegrationResult?
    var cointegrationError: AnalyticsError?
    var halfLife: Double?
    var hurst: Double?

    init(spread: [Double], y: [Double], x: [Double], options: PairAnalysis.Options) throws {
        do {
            adf = try ADF.test(spread, maxLag: options.adfMaxLag, regression: options.adfRegression, autolag: options.adfAutolag)
        } catch let error as AnalyticsError {
            adfError = error
        }
        do {
            cointegration = try Cointegration.engleGranger(y: y, x: x, maxLag: options.adfMaxLag, autolag: options.adfAutolag)
        } catch let error as AnalyticsError {
            cointegrationError = error
        }
        halfLife = try HalfLife.bars(spread)
        hurst = spread.count > 100 ? try Hurst.exponent(spread) : nil
    }
}
