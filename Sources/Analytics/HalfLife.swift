import Foundation

/// Half-life of mean reversion of a spread, in bars.
public enum HalfLife {
    /// Fits Δsₜ = a + λ·sₜ₋₁ by OLS and returns −ln 2 / λ, in bars.
    ///
    /// `nil` when λ ≥ 0 (no mean reversion: the half-life is undefined or infinite) and when the
    /// lagged spread is constant. Complexity O(n).
    /// Oracle: `statsmodels OLS(s.diff()[1:], add_constant(s.shift(1)[1:])).fit().params[1]`.
    /// - Throws: ``AnalyticsError/tooFewObservations(what:needed:got:)`` with fewer than 3 values,
    ///   ``AnalyticsError/nonFiniteValue(what:index:)``.
    public static func bars(_ spread: [Double]) throws -> Double? {
        try fit(spread).halfLife
    }

    /// The regression behind ``bars(_:)``: λ (slope), intercept and the half-life (`nil` when λ ≥ 0).
    public static func fit(_ spread: [Double]) throws -> (lambda: Double?, intercept: Double?, halfLife: Double?) {
        guard spread.count >= 3 else {
            throw AnalyticsError.tooFewObservations(what: "half-life", needed: 3, got: spread.count)
        }
        try AnalyticsError.checkFinite(spread, "half-life")
        let lagged = Array(spread.dropLast())
        let delta = Descriptive.differences(spread)
        let line: LinearFit
        do {
            line = try OLS.fit(y: delta, x: lagged)
        } catch AnalyticsError.constantSeries {
            return (nil, nil, nil)
        }
        let lambda = line.slope
        let halfLife: Double? = lambda < 0 ? -log(2.0) / lambda : nil
        return (lambda, line.intercept, halfLife)
    }
}
