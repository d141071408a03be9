import Foundation

/// Rolling-window statistics over the last `window` values, in O(n) whatever the window.
///
/// Every output array has the input's length; element `i` describes the window that *ends* at `i`
/// (pandas `rolling(window)` alignment). Elements before the window is full are `nil` (undefined,
/// never 0 or NaN). Variances are sample variances (ddof = 1).
///
/// **Numerical method.** Sums are kept of deviations from an anchor `K` (the exact two-pass mean of a
/// recent window), updated in O(1) as values enter and leave, and the anchor is recomputed every
/// `window / 2` steps. Deviations from a nearby anchor are small, so there is no catastrophic
/// cancellation on BTC-sized prices with tiny variance (e.g. 60 000 ± 1e-4); re-anchoring bounds drift.
/// A window whose values are all identical has variance exactly 0.
/// Amortised cost: about 3 passes over the data.
///
/// Oracle: pandas `Series.rolling(w).mean()/.std()/.corr()` (checked against an extended-precision
/// two-pass reference in the fixtures).
public enum Rolling {
    /// Rolling mean. O(n).
    ///
    /// - Throws: ``AnalyticsError/invalidWindow(_:)`` for `window < 1`; ``AnalyticsError/nonFiniteValue(what:index:)``.
    public static func mean(_ x: [Double], window: Int) throws -> [Double?] {
        guard window >= 1 else { throw AnalyticsError.invalidWindow(window) }
        try AnalyticsError.checkFinite(x, "rolling mean")
        var out = [Double?](repeating: nil, count: x.count)
        out.withUnsafeMutableBufferPointer { o in
            UnivariateWindow.run(x, window: window) { e, w in o[e] = w.mean }
        }
        return out
    }

    /// Rolling sample standard deviation (ddof = 1). O(n).
    ///
    /// - Throws: ``AnalyticsError/invalidWindow(_:)`` for `window < 2`; ``AnalyticsError/nonFiniteValue(what:index:)``.
    public static func standardDeviation(_ x: [Double], window: Int) throws -> [Double?] {
        guard window >= 2 else { throw AnalyticsError.invalidWindow(window) }
        try AnalyticsError.checkFinite(x, "rolling std")
        var out = [Double?](repeating: nil, count: x.count)
        out.withUnsafeMutableBufferPointer { o in
            UnivariateWindow.run(x, window: window) { e, w in o[e] = w.variance.squareRoot() }
        }
        return out
    }

    /// Rolling z-score `(xᵢ − mean) / std` of the window ending at i (the window includes xᵢ). O(n).
    ///
    /// `nil` before the window is full and where the window is constant (std = 0).
    /// Oracle: `(s - s.rolling(w).mean()) / s.rolling(w).std()`.
    /// - Throws: ``AnalyticsError/invalidWindow(_:)`` for `window < 2`; ``AnalyticsError/nonFiniteValue(what:index:)``.
    public static func zScore(_ x: [Double], window: Int) throws -> [Double?] {
        try meanStdZ(x, window: window).z
    }

    /// Rolling mean, standard deviation and z-score in one pass. O(n).
    ///
    /// - Throws: as ``zScore(_:window:)``.
    public static func meanStdZ(_ x: [Double], window: Int) throws -> (mean: [Double?], std: [Double?], z: [Double?]) {
        guard window >= 2 else { throw AnalyticsError.invalidWindow(window) }
        try AnalyticsError.checkFinite(x, "rolling z-score")
        var mean = [Double?](repeating: nil, count: x.count)
        var std = [Double?](repeating: nil, count: x.count)
        var z = [Double?](repeating: nil, count: x.count)
        mean.withUnsafeMutableBufferPointer { mp in
            std.withUnsafeMutableBufferPointer { sp in
                z.withUnsafeMutableBufferPointer { zp in
                    x.withUnsafeBufferPointer { xp in
                        UnivariateWindow.run(x, window: window) { e, w in
                            mp[e] = w.mean
                            let sd = w.variance.squareRoot()
                            sp[e] = sd
                            // x − mean = (x − K) − S/w: no rounding of the mean to a BTC-sized double first.
                            if sd > 0 { zp[e] = ((xp[e] - w.anchor) - w.sum / w.count) / sd }
                        }
                    }
                }
            }
        }
        return (mean, std, z)
    }

    /// Rolling Pearson correlation of two equal-length series. O(n).
    ///
    /// `nil` before the window is full and where either window is constant.
    /// Oracle: `x.rolling(w).corr(y)`.
    /// - Throws: ``AnalyticsError/invalidWindow(_:)`` for `window < 2`, ``AnalyticsError/lengthMismatch(_:_:)``,
    ///   ``AnalyticsError/nonFiniteValue(what:index:)``.
    public static func correlation(_ x: [Double], _ y: [Double], window: Int) throws -> [Double?] {
        try checkPair(x, y, window: window, what: "rolling correlation")
        var out = [Double?](repeating: nil, count: x.count)
        out.withUnsafeMutableBufferPointer { o in
            BivariateWindow.run(x, y, window: window) { e, w in o[e] = w.correlation }
        }
        return out
    }

    /// Rolling correlation of log returns of two price series. O(n).
    ///
    /// Element i correlates the `window` returns ending at i (return i = ln(pᵢ/pᵢ₋₁)), so the first
    /// defined element is at index `window`. Oracle: `np.log(x).diff().rolling(w).corr(np.log(y).diff())`.
    /// - Throws: as ``correlation(_:_:window:)``; ``AnalyticsError/nonFiniteValue(what:index:)`` for a non-positive price.
    public static func returnCorrelation(_ x: [Double], _ y: [Double], window: Int) throws -> [Double?] {
        try checkPair(x, y, window: window, what: "rolling return correlation")
        let rx = try strictLogReturns(x, "rolling return correlation x")
        let ry = try strictLogReturns(y, "rolling return correlation y")
        var out = [Double?](repeating: nil, count: x.count)
        out.withUnsafeMutableBufferPointer { o in
            BivariateWindow.run(rx, ry, window: window) { e, w in o[e + 1] = w.correlation }
        }
        return out
    }

    /// Rolling OLS of y on x with intercept over each window. O(n).
    ///
    /// Oracle: statsmodels `RollingOLS(y, add_constant(x), window=w).fit().params`.
    /// - Returns: slope (hedge ratio) and intercept per window end; `nil` before the window is full and where x is constant.
    /// - Throws: as ``correlation(_:_:window:)``.
    public static func regression(y: [Double], x: [Double], window: Int) throws -> (slope: [Double?], intercept: [Double?]) {
        try checkPair(x, y, window: window, what: "rolling OLS")
        var slope = [Double?](repeating: nil, count: x.count)
        var intercept = [Double?](repeating: nil, count: x.count)
        slope.withUnsafeMutableBufferPointer { sp in
            intercept.withUnsafeMutableBufferPointer { ip in
                BivariateWindow.run(x, y, window: window) { e, w in
                    guard w.varianceX > 0 else { return }
                    let b = w.covariance / w.varianceX
                    sp[e] = b
                    ip[e] = (w.anchorY + w.sumY / w.count) - b * (w.anchorX + w.sumX / w.count)
                }
            }
        }
        return (slope, intercept)
    }

    private static func checkPair(_ x: [Double], _ y: [Double], window: Int, what: String) throws {
        guard window >= 2 else { throw AnalyticsError.invalidWindow(window) }
        guard x.count == y.count else { throw AnalyticsError.lengthMismatch(x.count, y.count) }
        try AnalyticsError.checkFinite(x, "\(what) x")
        try AnalyticsError.checkFinite(y, "\(what) y")
    }
}

/// Throws ``AnalyticsError/nonFiniteValue(what:index:)`` at the first price that is not > 0 (NaN included).
func requirePositive(_ p: [Double], _ what: String) throws {
    for (i, v) in p.enumerated() where !(v > 0) { throw AnalyticsError.nonFiniteValue(what: "\(what) (price ≤ 0)", index: i) }
}

/// ln(pᵢ/pᵢ₋₁) for positive prices; throws for a non-positive price.
func strictLogReturns(_ p: [Double], _ what: String) throws -> [Double] {
    try requirePositive(p, what)
    guard p.count >= 2 else { return [] }
    var out = [Double](repeating: 0, count: p.count - 1)
    for i in 1..<p.count { out[i - 1] = log(p[i] / p[i - 1]) }
    return out
}

// MARK: - Window engines

/// The state of one univariate window: anchor K and Σ(x − K), Σ(x − K)².
struct UnivariateState {
    var anchor = 0.0
    var sum = 0.0
    var sumSquares = 0.0
    var count = 0.0
    var isConstant = false

    @inline(__always) var mean: Double { isConstant ? anchor + 0 : anchor + sum / count }
    @inline(__always) var variance: Double {
        if isConstant { return 0 }
        return max(0, (sumSquares - sum * sum / count) / (count - 1))
    }
}

enum UnivariateWindow {
    /// Calls `body(end, state)` for every full window, in order.
    @inline(__always)
    static func run(_ x: [Double], window w: Int, _ body: (Int, UnivariateState) -> Void) {
        let n = x.count
        guard n >= w, w >= 1 else { return }
        let step = max(1, w / 2)
        x.withUnsafeBufferPointer { p in
            // Length of the run of equal values ending at the current index.
            var run = 1
            var i = w - 1
            while i > 0 && p[i - 1] == p[w - 1] && run < w {
                run += 1
                i -= 1
            }
            var s = UnivariateState()
            s.count = Double(w)
            var e = w - 1
            while e < n {
                // Re-anchor on the exact two-pass mean of the window ending at e.
                var total = 0.0
                for j in (e - w + 1)...e { total += p[j] }
                let k = total / Double(w)
                var sum = 0.0
                var sq = 0.0
                for j in (e - w + 1)...e {
                    let d = p[j] - k
                    sum += d
                    sq += d * d
                }
                s.anchor = k
                s.sum = sum
                s.sumSquares = sq
                let stop = min(n, e + step)
                var t = e
                while t < stop {
                    if t > e {
                        let a = p[t] - k
                        let r = p[t - w] - k
                        s.sum += a - r
                        s.sumSquares += a * a - r * r
                        run = p[t] == p[t - 1] ? run + 1 : 1
                    }
                    if run >= w {
                        s.isConstant = true
                        s.anchor = p[t]
                        body(t, s)
                        s.isConstant = false
                        s.anchor = k
                    } else {
                        body(t, s)
                    }
                    t += 1
                }
                e = stop
            }
        }
    }
}

/// The state of one bivariate window: anchors and deviation sums of x, y and their cross-products.
struct BivariateState {
    var anchorX = 0.0
    var anchorY = 0.0
    var sumX = 0.0
    var sumY = 0.0
    var sumXX = 0.0
    var sumYY = 0.0
    var sumXY = 0.0
    var count = 0.0
    var constantX = false
    var constantY = false

    @inline(__always) var varianceX: Double {
        constantX ? 0 : max(0, (sumXX - sumX * sumX / count) / (count - 1))
    }
    @inline(__always) var varianceY: Double {
        constantY ? 0 : max(0, (sumYY - sumY * sumY / count) / (count - 1))
    }
    @inline(__always) var covariance: Double {
        (constantX || constantY) ? 0 : (sumXY - sumX * sumY / count) / (count - 1)
    }
    /// Pearson r, `nil` when either variance is 0.
    @inline(__always) var correlation: Double? {
        let vx = varianceX
        let vy = varianceY
        guard vx > 0, vy > 0 else { return nil }
        return clampCorrelation(covariance / (vx * vy).squareRoot())
    }
}

enum BivariateWindow {
    /// Calls `body(end, state)` for every full window, in order.
    @inline(__always)
    static func run(_ x: [Double], _ y: [Double], window w: Int, _ body: (Int, BivariateState) -> Void) {
        let n = min(x.count, y.count)
        guard n >= w, w >= 1 else { return }
        let step = max(1, w / 2)
        x.withUnsafeBufferPointer { px in
            y.withUnsafeBufferPointer { py in
                var runX = 1
                var runY = 1
                var i = w - 1
                while i > 0 && px[i - 1] == px[w - 1] && runX < w { runX += 1; i -= 1 }
                i = w - 1
                while i > 0 && py[i - 1] == py[w - 1] && runY < w { runY += 1; i -= 1 }
                var s = BivariateState()
                s.count = Double(w)
                var e = w - 1
                while e < n {
                    var tx = 0.0
                    var ty = 0.0
                    for j in (e - w + 1)...e {
                        tx += px[j]
                        ty += py[j]
                    }
                    let kx = tx / Double(w)
                    let ky = ty / Double(w)
                    var sx = 0.0, sy = 0.0, sxx = 0.0, syy = 0.0, sxy = 0.0
                    for j in (e - w + 1)...e {
                        let dx = px[j] - kx
                        let dy = py[j] - ky
                        sx += dx
                        sy += dy
                        sxx += dx * dx
                        syy += dy * dy
                        sxy += dx * dy
                    }
                    s.anchorX = kx
                    s.anchorY = ky
                    s.sumX = sx
                    s.sumY = sy
                    s.sumXX = sxx
                    s.sumYY = syy
                    s.sumXY = sxy
                    let stop = min(n, e + step)
                    var t = e
                    while t < stop {
                        if t > e {
                            let ax = px[t] - kx
                            let ay = py[t] - ky
                            let rx = px[t - w] - kx
                            let ry = py[t - w] - ky
                            s.sumX += ax - rx
                            s.sumY += ay - ry
                            s.sumXX += ax * ax - rx * rx
                            s.sumYY += ay * ay - ry * ry
                            s.sumXY += ax * ay - rx * ry
                            runX = px[t] == px[t - 1] ? runX + 1 : 1
                            runY = py[t] == py[t - 1] ? runY + 1 : 1
                        }
                        s.constantX = runX >= w
                        s.constantY = runY >= w
                        body(t, s)
                        t += 1
                    }
                    e = stop
                }
            }
        }
    }
}
