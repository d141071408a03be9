/// A straight-line fit `y = intercept + slope · x`.
public struct LinearFit: Sendable, Hashable, Codable {
    /// α.
    public var intercept: Double
    /// β, the hedge ratio when y is the base leg and x the quote leg.
    public var slope: Double
    /// Number of observations.
    public var count: Int
    /// Coefficient of determination (centred); `nil` when y is constant.
    public var rSquared: Double?
    /// Residual sum of squares.
    public var residualSumOfSquares: Double

    public init(intercept: Double, slope: Double, count: Int, rSquared: Double?, residualSumOfSquares: Double) {
        self.intercept = intercept
        self.slope = slope
        self.count = count
        self.rSquared = rSquared
        self.residualSumOfSquares = residualSumOfSquares
    }

    /// `y − (α + β·x)`.
    @inlinable public func residual(y: Double, x: Double) -> Double { y - (intercept + slope * x) }
}

/// How the hedge ratio of a pair is estimated.
public enum HedgeMethod: String, Sendable, Hashable, Codable, CaseIterable {
    /// Ordinary least squares of y on x with intercept (the default; statsmodels `OLS(y, add_constant(x))`).
    case ols
    /// Total (orthogonal) least squares: minimises perpendicular distances; symmetric in x and y.
    case tls
}

/// Least-squares straight lines.
public enum OLS {
    /// Fits `y = α + β·x` by ordinary least squares with intercept.
    ///
    /// Computed on centred data (the QR of `[1, x]` reduces to this exactly), so it is exact to rounding
    /// even on BTC-sized prices. Complexity O(n).
    ///
    /// Oracle: `statsmodels.api.OLS(y, sm.add_constant(x)).fit()` (`params`, `rsquared`, `ssr`).
    ///
    /// ```swift
    /// let fit = try OLS.fit(y: btcCloses, x: ethCloses)   // fit.slope is the hedge ratio
    /// ```
    /// - Throws: ``AnalyticsError/tooFewObservations(what:needed:got:)`` with fewer than 2 points,
    ///   ``AnalyticsError/constantSeries(what:)`` when x is constant,
    ///   ``AnalyticsError/lengthMismatch(_:_:)``, ``AnalyticsError/nonFiniteValue(what:index:)``.
    public static func fit(y: [Double], x: [Double]) throws -> LinearFit {
        let m = try CentredMoments(y: y, x: x, what: "OLS")
        guard !m.xIsConstant, m.sxx > 0 else { throw AnalyticsError.constantSeries(what: "OLS regressor") }
        let slope = m.sxy / m.sxx
        let intercept = m.meanY - slope * m.meanX
        var ssr = 0.0
        for i in y.indices {
            let e = (y[i] - m.meanY) - slope * (x[i] - m.meanX)
            ssr += e * e
        }
        let r2: Double? = !m.yIsConstant && m.syy > 0 ? 1 - ssr / m.syy : nil
        return LinearFit(intercept: intercept, slope: slope, count: y.count, rSquared: r2, residualSumOfSquares: ssr)
    }

    /// Fits `y = α + β·x` by total least squares (first principal axis of the centred cloud).
    ///
    /// β = (Syy − Sxx + √((Syy − Sxx)² + 4·Sxy²)) / (2·Sxy); α = ȳ − β·x̄. Complexity O(n).
    /// Oracle: the right singular vector of the smallest singular value of centred `[x, y]` (numpy SVD).
    ///
    /// - Throws: as ``fit(y:x:)``; also ``AnalyticsError/singularDesign(what:)`` when x and y are
    ///   uncorrelated (Sxy = 0: the axis is not unique or vertical).
    public static func totalLeastSquares(y: [Double], x: [Double]) throws -> LinearFit {
        let m = try CentredMoments(y: y, x: x, what: "TLS")
        guard !m.xIsConstant, m.sxx > 0 else { throw AnalyticsError.constantSeries(what: "TLS regressor") }
        guard m.sxy != 0 else { throw AnalyticsError.singularDesign(what: "TLS (x and y uncorrelated)") }
        let d = m.syy - m.sxx
        let root = (d * d + 4 * m.sxy * m.sxy).squareRoot()
        // Choose the cancellation-free form of the same root.
        let slope = d >= 0 ? (d + root) / (2 * m.sxy) : (2 * m.sxy) / (root - d)
        let intercept = m.meanY - slope * m.meanX
        var ssr = 0.0
        for i in y.indices {
            let e = (y[i] - m.meanY) - slope * (x[i] - m.meanX)
            ssr += e * e
        }
        let r2: Double? = !m.yIsConstant && m.syy > 0 ? 1 - ssr / m.syy : nil
        return LinearFit(intercept: intercept, slope: slope, count: y.count, rSquared: r2, residualSumOfSquares: ssr)
    }

    /// Fits with the chosen method.
    public static func fit(y: [Double], x: [Double], method: HedgeMethod) throws -> LinearFit {
        switch method {
        case .ols: return try fit(y: y, x: x)
        case .tls: return try totalLeastSquares(y: y, x: x)
        }
    }
}

/// Means and centred sums of squares and cross-products of two equal-length arrays (two-pass).
struct CentredMoments {
    var meanX = 0.0
    var meanY = 0.0
    var sxx = 0.0
    var syy = 0.0
    var sxy = 0.0
    /// Whether every x is the same value (exactly).
    var xIsConstant = false
    /// Whether every y is the same value (exactly).
    var yIsConstant = false

    init(y: [Double], x: [Double], what: String) throws {
        guard y.count == x.count else { throw AnalyticsError.lengthMismatch(y.count, x.count) }
        guard y.count >= 2 else { throw AnalyticsError.tooFewObservations(what: what, needed: 2, got: y.count) }
        try AnalyticsError.checkFinite(y, "\(what) y")
        try AnalyticsError.checkFinite(x, "\(what) x")
        var sy = 0.0
        var sx = 0.0
        var xMin = x[0], xMax = x[0], yMin = y[0], yMax = y[0]
        for i in y.indices {
            sy += y[i]
            sx += x[i]
            xMin = min(xMin, x[i]); xMax = max(xMax, x[i])
            yMin = min(yMin, y[i]); yMax = max(yMax, y[i])
        }
        xIsConstant = xMin == xMax
        yIsConstant = yMin == yMax
        let n = Double(y.count)
        meanY = sy / n
        meanX = sx / n
        for i in y.indices {
            let dx = x[i] - meanX
            let dy = y[i] - meanY
            sxx += dx * dx
            syy += dy * dy
            sxy += dx * dy
        }
    }
}
