import Foundation

/// The Hurst exponent of a series from the scaling of its lagged differences.
public enum Hurst {
    /// Estimates H from std(xₜ₊ₗ − xₜ) ∝ l^H over lags l = 2 ..< `maxLag` (log–log OLS slope).
    ///
    /// H ≈ 0.5 for a random walk, < 0.5 for a mean-reverting series, > 0.5 for a trending one.
    /// Standard deviations are population (ddof 0), as numpy's default. Complexity O(n·maxLag).
    /// Oracle: `np.polyfit(np.log(lags), np.log([np.std(x[l:] - x[:-l]) for l in lags]), 1)[0]` with `lags = range(2, maxLag)`.
    /// - Returns: `nil` when some lagged difference has zero spread (e.g. a constant or linear series).
    /// - Throws: ``AnalyticsError/tooFewObservations(what:needed:got:)`` unless `x.count > maxLag` and `maxLag ≥ 4`;
    ///   ``AnalyticsError/nonFiniteValue(what:index:)``.
    public static func exponent(_ x: [Double], maxLag: Int = 100) throws -> Double? {
        guard maxLag >= 4, x.count > maxLag else {
            throw AnalyticsError.tooFewObservations(what: "Hurst exponent", needed: max(maxLag, 4) + 1, got: x.count)
        }
        try AnalyticsError.checkFinite(x, "Hurst exponent")
        var logLags: [Double] = []
        var logStd: [Double] = []
        for lag in 2..<maxLag {
            let count = x.count - lag
            var sum = 0.0
            for t in 0..<count { sum += x[t + lag] - x[t] }
            let mean = sum / Double(count)
            var squares = 0.0
            for t in 0..<count {
                let d = x[t + lag] - x[t] - mean
                squares += d * d
            }
            let sd = (squares / Double(count)).squareRoot()
            guard sd > 0 else { return nil }
            logLags.append(log(Double(lag)))
            logStd.append(log(sd))
        }
        return try OLS.fit(y: logStd, x: logLags).slope
    }
}
