import Foundation

/// Deterministic terms in a Dickey–Fuller regression (statsmodels `regression=`).
public enum ADFRegression: String, Sendable, Hashable, Codable, CaseIterable {
    /// Constant only (`"c"`, the default).
    case constant = "c"
    /// Constant and linear trend (`"ct"`).
    case constantTrend = "ct"
    /// No constant, no trend (`"n"`).
    case none = "n"

    /// Number of deterministic columns.
    var trendCount: Int {
        switch self {
        case .constant: return 1
        case .constantTrend: return 2
        case .none: return 0
        }
    }
}

/// How the ADF lag length is chosen (statsmodels `autolag=`); `nil` at the call site means "use maxlag".
public enum ADFAutolag: String, Sendable, Hashable, Codable, CaseIterable {
    /// Minimum Akaike information criterion (the default).
    case aic = "AIC"
    /// Minimum Bayesian information criterion.
    case bic = "BIC"
    /// Longest lag whose last lag has |t| ≥ 1.6448536269514722, going down from maxlag.
    case tStat = "t-stat"
}

/// The result of an augmented Dickey–Fuller test.
public struct ADFResult: Sendable, Hashable, Codable {
    /// τ: the t statistic of the lagged level.
    public var statistic: Double
    /// MacKinnon (1994) approximate p-value.
    public var pValue: Double
    /// Number of lagged differences in the final regression.
    public var usedLag: Int
    /// Observations in the final regression.
    public var nobs: Int
    /// MacKinnon (2010) critical values for `nobs`.
    public var criticalValues: CriticalValues
    /// The best information criterion of the lag search (for t-stat: |t| of the chosen last lag); `nil` without autolag.
    public var icBest: Double?
    /// The largest lag considered.
    public var maxLag: Int
    public var regression: ADFRegression
    public var autolag: ADFAutolag?
}

/// The augmented Dickey–Fuller unit-root test.
public enum ADF {
    /// Tests for a unit root in `x`, exactly as statsmodels `adfuller`.
    ///
    /// The lag search fits every lag 0…maxlag on the same sample (rows `maxlag+1…`). Each candidate model is a
    /// column prefix of `[trend…, level, Δxₜ₋₁ … Δxₜ₋ₘₐₓ | Δxₜ]`, so its RSS (hence AIC/BIC) and the t value of its
    /// last column come from one factorisation: an augmented Cholesky of the Gram matrix of the partialled
    /// (centred/detrended) columns, built in O(n·maxlag) from the shift structure (``gramSearchLag``). If that
    /// Gram is ill-conditioned (a Cholesky pivot loses more than four digits) the call falls back to one
    /// Householder QR of the full lag matrix (``referenceSearchLag``, O(n·maxlag²)). The chosen lag is then
    /// refitted on the longest sample it allows (as statsmodels does) by Householder QR, and τ is the t value of
    /// the lagged level.
    ///
    /// Complexity: O(n·maxlag + maxlag³ + n·usedLag²) flops (O(n·maxlag²) on the fallback), O(n + maxlag²) memory
    /// (the lag matrix is never materialised).
    ///
    /// Oracle: `statsmodels.tsa.stattools.adfuller(x, maxlag, regression, autolag)` → (adfstat, pvalue,
    /// usedlag, nobs, critvalues, icbest).
    ///
    /// ```swift
    /// let adf = try ADF.test(spread)                 // regression "c", autolag AIC
    /// if adf.pValue < 0.05 { … }                      // the spread looks stationary
    /// ```
    /// - Parameters:
    ///   - x: the series, at least 4 finite values, not constant.
    ///   - maxLag: the largest lag; default `ceil(12·(n/100)^¼)` capped at `n/2 − ntrend − 1`.
    ///   - regression: deterministic terms.
    ///   - autolag: the lag-selection rule, or `nil` to use `maxLag` itself.
    /// - Throws: ``AnalyticsError/constantSeries(what:)``, ``AnalyticsError/tooFewObservations(what:needed:got:)``,
    ///   ``AnalyticsError/maxLagTooLarge(maxLag:limit:)``, ``AnalyticsError/nonFiniteValue(what:index:)``,
    ///   ``AnalyticsError/singularDesign(what:)`` (e.g. a straight line, whose differences are constant).
    public static func test(_ x: [Double], maxLag: Int? = nil, regression: ADFRegression = .constant,
                            autolag: ADFAutolag? = .aic) throws -> ADFResult {
        let n = x.count
        try AnalyticsError.checkFinite(x, "ADF")
        guard let lo = x.min(), let hi = x.max(), lo != hi else {
            if n == 0 { throw AnalyticsError.tooFewObservations(what: "ADF", needed: 4, got: 0) }
            throw AnalyticsError.constantSeries(what: "ADF")
        }
        let ntrend = regression.trendCount
        let limit = n / 2 - ntrend - 1
        let maxlag: Int
        if let given = maxLag {
            guard given >= 0, given <= limit else { throw AnalyticsError.maxLagTooLarge(maxLag: given, limit: limit) }
            maxlag = given
        } else {
            let schwert = Int((12.0 * pow(Double(n) / 100.0, 0.25)).rounded(.up))
            maxlag = min(limit, schwert)
            guard maxlag >= 0 else {
                throw AnalyticsError.tooFewObservations(what: "ADF", needed: 2 * (ntrend + 1), got: n)
            }
        }
        return try x.withUnsafeBufferPointer { xp in
            try test(xp, maxlag: maxlag, regression: regression, autolag: autolag)
        }
    }

    private static func test(_ x: UnsafeBufferPointer<Double>, maxlag: Int, regression: ADFRegression,
                             autolag: ADFAutolag?) throws -> ADFResult {
        let n = x.count
        let ntrend = regression.trendCount
        var usedLag = maxlag
        var icBest: Double?
        if let autolag {
            let search = try gramSearchLag(x, maxlag: maxlag, ntrend: ntrend, rule: autolag)
                ?? referenceSearchLag(x, maxlag: maxlag, ntrend: ntrend, rule: autolag)
            usedLag = search.lag
            icBest = search.ic
        }
        // Final regression on the longest sample for usedLag: columns [trend…, lags…, level | y].
        let rows = n - 1 - usedLag
        let level = ntrend + usedLag
        let qr = designQR(x, lags: usedLag, rows: rows, ntrend: ntrend, levelLast: true)
        let k = level + 1
        guard rows > k else { throw AnalyticsError.tooFewObservations(what: "ADF regression", needed: k + 1 + usedLag + 1, got: n) }
        for c in 0..<k where qr.isDependent(c) { throw AnalyticsError.singularDesign(what: "ADF regression") }
        let rss = qr.prefixResidualSumsOfSquares()[k]
        let sigma = (rss / Double(rows - k)).squareRoot()
        guard sigma > 0 else { throw AnalyticsError.singularDesign(what: "ADF regression (perfect fit)") }
        let diag = qr.diagonal(level)
        let statistic = qr.qty(level) * (diag < 0 ? -1 : 1) / sigma
        let p = MacKinnon.pValue(statistic: statistic, regression: regression, n: 1)
        guard let crit = MacKinnon.criticalValues(regression: regression, n: 1, nobs: rows) else {
            preconditionFailure("MacKinnon 2010 has N = 1 tables for every regression")
        }
        return ADFResult(statistic: statistic, pValue: p, usedLag: usedLag, nobs: rows, criticalValues: crit,
                         icBest: icBest, maxLag: maxlag, regression: regression, autolag: autolag)
    }

    /// The lag search of statsmodels `_autolag` on the common sample, from one Householder QR of the full lag
    /// matrix (≈ 2·m·(maxlag+2)² flops). The reference for ``gramSearchLag`` (tests) and its fallback when the
    /// Gram matrix is ill-conditioned.
    ///
    /// Oracle: statsmodels `adfuller(..., autolag=)` (usedlag, icbest).
    static func referenceSearchLag(_ x: UnsafeBufferPointer<Double>, maxlag: Int, ntrend: Int,
                                  rule: ADFAutolag) throws -> (lag: Int, ic: Double) {
        let n = x.count
        let rows = n - 1 - maxlag
        // Columns [trend…, level, lag 1 … lag maxlag | y]: candidate j uses the first ntrend + 1 + j.
        let qr = designQR(x, lags: maxlag, rows: rows, ntrend: ntrend, levelLast: false)
        let kMax = ntrend + 1 + maxlag
        for c in 0..<kMax where qr.isDependent(c) { throw AnalyticsError.singularDesign(what: "ADF lag search") }
        let rss = qr.prefixResidualSumsOfSquares()
        let m = Double(rows)
        func llf(_ ssr: Double) -> Double {
            let half = m / 2
            return -half * log(2 * Double.pi) - half * log(ssr / m) - half
        }
        func tLast(_ k: Int) -> Double {
            let sigma = (rss[k] / Double(rows - k)).squareRoot()
            let diag = qr.diagonal(k - 1)
            return qr.qty(k - 1) * (diag < 0 ? -1 : 1) / sigma
        }
        switch rule {
        case .aic, .bic:
            var best = (ic: Double.infinity, lag: 0)
            for lag in 0...maxlag {
                let k = ntrend + 1 + lag
                let penalty = rule == .aic ? 2 * Double(k) : log(m) * Double(k)
                let ic = -2 * llf(rss[k]) + penalty
                if ic < best.ic { best = (ic, lag) }
            }
            guard best.ic.isFinite else { throw AnalyticsError.singularDesign(what: "ADF lag search (perfect fit)") }
            return (best.lag, best.ic)
        case .tStat:
            let stop = 1.6448536269514722
            var lag = maxlag
            var ic = 0.0
            while lag >= 0 {
                ic = abs(tLast(ntrend + 1 + lag))
                if ic >= stop { break }
                if lag == 0 { break }
                lag -= 1
            }
            guard ic.isFinite else { throw AnalyticsError.singularDesign(what: "ADF lag search (perfect fit)") }
            return (max(lag, 0), ic)
        }
    }

    /// QR of the Dickey–Fuller design for `lags` lagged differences on `rows` rows (row r is time t = lags + r,
    /// response Δx[t] = x[t+1] − x[t]). `levelLast` puts the level after the lags, otherwise right after the trend.
    private static func designQR(_ x: UnsafeBufferPointer<Double>, lags: Int, rows: Int, ntrend: Int,
                                 levelLast: Bool) -> HouseholderQR {
        let k = ntrend + 1 + lags
        var qr = HouseholderQR(columns: k + 1)
        let levelColumn = levelLast ? ntrend + lags : ntrend
        let firstLag = levelLast ? ntrend : ntrend + 1
        qr.absorb(rows: rows) { first, count, block, ld in
            for i in 0..<count {
                let r = first + i
                let t = lags + r
                if ntrend >= 1 { block[i] = 1 }
                if ntrend >= 2 { block[ld + i] = Double(r + 1) }
                block[levelColumn * ld + i] = x[t]
                block[k * ld + i] = x[t + 1] - x[t]
            }
            for j in 1...max(lags, 1) where j <= lags {
                let col = block + (firstLag + j - 1) * ld
                for i in 0..<count {
                    let t = lags + first + i
                    col[i] = x[t - j + 1] - x[t - j]
                }
            }
        }
        return qr
    }
}
