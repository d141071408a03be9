import Foundation

/// Whole-sample descriptive statistics (two-pass, centred; pandas/numpy semantics).
public enum Descriptive {
    /// Arithmetic mean; `nil` for an empty array. O(n).
    public static func mean(_ x: [Double]) -> Double? {
        guard !x.isEmpty else { return nil }
        var s = 0.0
        for v in x { s += v }
        return s / Double(x.count)
    }

    /// Sample variance (ddof = 1), two-pass; `nil` with fewer than 2 values. O(n).
    ///
    /// Oracle: `pandas.Series.var()`.
    public static func variance(_ x: [Double]) -> Double? {
        guard x.count >= 2, let m = mean(x) else { return nil }
        var s = 0.0
        for v in x {
            let d = v - m
            s += d * d
        }
        return s / Double(x.count - 1)
    }

    /// Sample standard deviation (ddof = 1); `nil` with fewer than 2 values. O(n).
    ///
    /// Oracle: `pandas.Series.std()`.
    public static func standardDeviation(_ x: [Double]) -> Double? {
        variance(x).map { $0.squareRoot() }
    }

    /// Sample covariance (ddof = 1) of equal-length arrays; `nil` with fewer than 2 pairs. O(n).
    ///
    /// Oracle: `pandas.Series.cov()`.
    public static func covariance(_ x: [Double], _ y: [Double]) -> Double? {
        precondition(x.count == y.count, "covariance of arrays of different length")
        guard x.count >= 2, let mx = mean(x), let my = mean(y) else { return nil }
        var s = 0.0
        for i in x.indices { s += (x[i] - mx) * (y[i] - my) }
        return s / Double(x.count - 1)
    }

    /// Pearson correlation of equal-length arrays. O(n).
    ///
    /// `nil` with fewer than 2 pairs or when either array is constant. Oracle: `pandas.Series.corr()`.
    public static func correlation(_ x: [Double], _ y: [Double]) -> Double? {
        precondition(x.count == y.count, "correlation of arrays of different length")
        guard x.count >= 2, let mx = mean(x), let my = mean(y) else { return nil }
        var sxx = 0.0
        var syy = 0.0
        var sxy = 0.0
        for i in x.indices {
            let dx = x[i] - mx
            let dy = y[i] - my
            sxx += dx * dx
            syy += dy * dy
            sxy += dx * dy
        }
        guard sxx > 0, syy > 0 else { return nil }
        return clampCorrelation(sxy / (sxx * syy).squareRoot())
    }

    /// Log returns `ln(pₜ / pₜ₋₁)`, one shorter than `prices`. O(n).
    ///
    /// A return next to a non-positive price is `nil`. Oracle: `numpy.log(p).diff()` (to rounding).
    public static func logReturns(_ prices: [Double]) -> [Double?] {
        guard prices.count >= 2 else { return [] }
        var out: [Double?] = []
        out.reserveCapacity(prices.count - 1)
        for i in 1..<prices.count {
            let a = prices[i - 1]
            let b = prices[i]
            out.append(a > 0 && b > 0 ? Foundation.log(b / a) : nil)
        }
        return out
    }

    /// First differences `xₜ − xₜ₋₁`, one shorter than `x`. O(n).
    public static func differences(_ x: [Double]) -> [Double] {
        guard x.count >= 2 else { return [] }
        return (1..<x.count).map { x[$0] - x[$0 - 1] }
    }
}

/// Keeps a correlation computed with rounding inside [−1, 1].
@inline(__always)
func clampCorrelation(_ r: Double) -> Double { min(1, max(-1, r)) }
