import Market

/// The spread of a pair `base/quote` and its rolling mean, standard deviation and z-score: the part of
/// ``PairAnalysis`` that a chart of the spread needs, without the rolling regressions and correlations or the tests of
/// the whole sample (ADF, Engle–Granger, half-life, Hurst, which cost most of a pair analysis on long series).
///
/// ``PairAnalysis/compute(base:quote:options:)`` starts from this, so the two agree to the last bit.
public struct PairSpread: Sendable, Hashable {
    /// The two legs' closes joined on their common open times (y = base, x = quote).
    public var aligned: AlignedPair
    /// The static hedge regression y = α + β·x (method `hedgeMethod`).
    public var hedge: LinearFit
    public var hedgeMethod: HedgeMethod
    /// Rolling window in bars.
    public var window: Int
    /// y − β·x (− α when the intercept is subtracted), per aligned bar.
    public var spread: [Double]
    /// Rolling mean, sample standard deviation (ddof 1) and z-score of the spread; `nil` until the window is full
    /// (the z-score also where the window is constant).
    public var rollingMean: [Double?]
    public var rollingStandardDeviation: [Double?]
    public var zScore: [Double?]

    /// The spread of `base/quote` with the static hedge of `hedge` and rolling statistics over `window` bars.
    ///
    /// Complexity: O(n + m).
    /// - Throws: ``AnalyticsError/invalidWindow(_:)``; ``AnalyticsError/tooFewObservations(what:needed:got:)`` with
    ///   fewer than 3 common bars; ``AnalyticsError/nonFiniteValue(what:index:)`` for a NaN or non-positive close
    ///   (the quote leg checked first); ``AnalyticsError/constantSeries(what:)`` when the quote leg is constant.
    public static func compute(base: CloseSeries, quote: CloseSeries, window: Int, hedge: HedgeMethod = .ols,
                               subtractIntercept: Bool = false) throws -> PairSpread {
        guard window >= 2 else { throw AnalyticsError.invalidWindow(window) }
        let aligned = AlignedPair(base: base, quote: quote)
        guard aligned.count >= 3 else {
            throw AnalyticsError.tooFewObservations(what: "pair analysis", needed: 3, got: aligned.count)
        }
        let y = aligned.base
        let x = aligned.quote
        try requirePositive(x, "pair analysis \(quote.symbol)")
        try requirePositive(y, "pair analysis \(base.symbol)")
        let fit = try OLS.fit(y: y, x: x, method: hedge)
        let offset = subtractIntercept ? fit.intercept : 0
        let spread = y.indices.map { i in y[i] - fit.slope * x[i] - offset }
        let (mean, std, z) = try Rolling.meanStdZ(spread, window: window)
        return PairSpread(aligned: aligned, hedge: fit, hedgeMethod: hedge, window: window, spread: spread,
                          rollingMean: mean, rollingStandardDeviation: std, zScore: z)
    }
}
