import Foundation

extension ADF {
    /// The lag search of statsmodels `_autolag` in O(n·maxlag + maxlag³) from the shift structure of the design.
    ///
    /// Every candidate model is a column prefix of `[trend…, level, Δxₜ₋₁ … Δxₜ₋ₘₐₓ]` on the common sample
    /// t = maxlag … n−2 (response Δxₜ). Only the RSS of each prefix (and for `t-stat` the t value of its last
    /// column) is needed, so:
    ///
    /// 1. The deterministic terms are partialled out analytically (Frisch–Waugh–Lovell): the Gram matrix of the
    ///    remaining columns is centred with their column sums (rank-1 update) and, for `"ct"`, detrended with their
    ///    cross products with the centred trend (another rank-1 update). This is exactly equivalent to including
    ///    them and removes the level-vs-variation conditioning of BTC-sized prices. Before that the differences
    ///    are shifted by their mean and the level by its sample mean (constants vanish under centring), so the
    ///    raw sums never cancel catastrophically.
    /// 2. The lagged-difference block is Toeplitz-like: `E(i+1, j+1) = E(i, j) + eₜ₀₋₁₋ᵢ·eₜ₀₋₁₋ⱼ − eₜ₁₋ᵢ·eₜ₁₋ⱼ`.
    ///    Only the first row `E(0, j)` (j = 0…maxlag) and the level products `Σ levelₜ·eₜ₋ⱼ` are dot products over
    ///    the sample, computed in one cache-blocked pass (1,024 rows × all lags per block; per block four SIMD
    ///    accumulators, blocks combined with Neumaier compensated summation). Every other entry costs O(1)
    ///    (boundary corrections accumulated along each diagonal with Neumaier summation); the column sums slide
    ///    the same way.
    /// 3. An augmented Cholesky factor of the (maxlag + 2)² Gram `[level, lags… | Δxₜ]` is the R factor of the QR of
    ///    the partialled design (up to row signs), so RSSₚ = L[y,y]² + Σᵢ≥ₚ L[y,i]² and t(last of p) = L[y,p−1]/σₚ,
    ///    for every prefix at once. Cholesky rather than a QR of a "semi-normal" form: the Gram of partialled,
    ///    nearly orthogonal difference columns is well conditioned, and the pivot guard below catches the cases
    ///    where it is not.
    ///
    /// Accuracy guard: if any Cholesky pivot loses more than four digits (L[i,i]² < 10⁻⁴·G[i,i], i.e. a column
    /// nearly in the span of the previous ones, including a near-perfect fit of the response) or is not finite,
    /// this returns `nil` and the caller falls back to the Householder QR search (``referenceSearchLag``).
    ///
    /// Complexity: ≈ 2·m·(maxlag+1) multiply-adds (3· for `"ct"`) for the dot products, O(maxlag²) for the
    /// sliding, O(maxlag³/3) for Cholesky; O(n + maxlag²) memory.
    ///
    /// Oracle: the reference QR search (``referenceSearchLag``), itself checked against statsmodels `adfuller`
    /// (same lag, ICs within 10⁻⁹ relative; ADFLagSearchTests).
    static func gramSearchLag(_ x: UnsafeBufferPointer<Double>, maxlag: Int, ntrend: Int,
                              rule: ADFAutolag) -> (lag: Int, ic: Double)? {
        let n = x.count
        let K = maxlag
        let t0 = K, t1 = n - 2
        let m = t1 - t0 + 1
        guard m > ntrend + 1 + K, K >= 0 else { return nil }
        let q = K + 2  // [level, lag 1 … lag K, response]
        let centre = ntrend >= 1
        // e[s] = Δx[s] − μ (μ = mean difference when centring, it vanishes under centring).
        let mu = centre ? (x[n - 1] - x[0]) / Double(n - 1) : 0
        var e = [Double](repeating: 0, count: n - 1)
        for s in 0..<(n - 1) { e[s] = (x[s + 1] - x[s]) - mu }
        // Level shifted by its sample mean (constant: vanishes under centring).
        var cx = 0.0
        if centre {
            var acc = Neumaier()
            for t in t0...t1 { acc.add(x[t]) }
            cx = acc.value / Double(m)
        }
        var xc = [Double](repeating: 0, count: m)
        for r in 0..<m { xc[r] = x[t0 + r] - cx }
        // Centred trend τ_r = r − (m−1)/2 (for "ct").
        let trend = ntrend >= 2
        var tau = [Double]()
        if trend {
            let half = Double(m - 1) / 2
            tau = (0..<m).map { Double($0) - half }
        }

        // First row E(0, j) = Σ eₜ·eₜ₋ⱼ, level products LX(j) = Σ xcₜ·eₜ₋ⱼ, trend products TW(j) = Σ τ·eₜ₋ⱼ.
        var e0 = [Neumaier](repeating: Neumaier(), count: K + 1)
        var lx = [Neumaier](repeating: Neumaier(), count: K + 1)
        var tw = [Neumaier](repeating: Neumaier(), count: trend ? K + 1 : 0)
        var ll = Neumaier(), lsum = Neumaier(), ltw = Neumaier()
        e.withUnsafeBufferPointer { ep in
            xc.withUnsafeBufferPointer { xp in
                tau.withUnsafeBufferPointer { tp in
                    let eb = ep.baseAddress!, xb = xp.baseAddress!
                    let block = 1024
                    var r0 = 0
                    while r0 < m {
                        let b = min(block, m - r0)
                        let xr = xb + r0
                        ll.add(dot(xr, xr, b))
                        lsum.add(sum(xr, b))
                        let y = eb + (t0 + r0)
                        if trend {
                            let tr = tp.baseAddress! + r0
                            ltw.add(dot(tr, xr, b))
                            for j in 0...K {
                                let s = y - j
                                let (a, c, w) = dot3(s, y, xr, tr, b)
                                e0[j].add(a)
                                lx[j].add(c)
                                tw[j].add(w)
                            }
                        } else {
                            for j in 0...K {
                                let (a, c) = dotPair(y - j, y, xr, b)
                                e0[j].add(a)
                                lx[j].add(c)
                            }
                        }
                        r0 += b
                    }
                }
            }
        }
        // Column sums of the lag columns: S(j) = Σₜ eₜ₋ⱼ, slid from S(0).
        var sums = [Double](repeating: 0, count: K + 1)
        do {
            var acc = Neumaier()
            for t in t0...t1 { acc.add(e[t]) }
            sums[0] = acc.value
            for j in 0..<K {
                var a = Neumaier(acc)
                a.add(e[t0 - 1 - j])
                a.add(-e[t1 - j])
                acc = a
                sums[j + 1] = acc.value
            }
        }
        // Lag block E(i, j), i ≤ j, by sliding along the diagonals from the first row.
        // Index of lag j in the Gram: j ≥ 1 → j, j = 0 (the response) → q − 1.
        @inline(__always) func index(_ j: Int) -> Int { j == 0 ? q - 1 : j }
        var g = [Double](repeating: 0, count: q * q)
        for d in 0...K {
            var acc = e0[d]
            var i = 0
            while true {
                let j = i + d
                let a = index(i), c = index(j)
                g[a * q + c] = acc.value
                g[c * q + a] = acc.value
                if j == K { break }
                acc.add(e[t0 - 1 - i] * e[t0 - 1 - j])
                acc.add(-(e[t1 - i] * e[t1 - j]))
                i += 1
            }
        }
        g[0] = ll.value
        for j in 0...K {
            g[index(j)] = lx[j].value
            g[index(j) * q] = lx[j].value
        }
        // Partial out the constant (rank-1 with the column sums) and the trend (rank-1 with the trend products).
        if centre {
            var colSum = [Double](repeating: 0, count: q)
            colSum[0] = lsum.value
            for j in 0...K { colSum[index(j)] = sums[j] }
            let inv = 1 / Double(m)
            for a in 0..<q { for c in 0..<q { g[a * q + c] -= colSum[a] * colSum[c] * inv } }
        }
        if trend {
            var w = [Double](repeating: 0, count: q)
            w[0] = ltw.value
            for j in 0...K { w[index(j)] = tw[j].value }
            let mm = Double(m)
            let tt = mm * (mm * mm - 1) / 12
            for a in 0..<q { for c in 0..<q { g[a * q + c] -= w[a] * w[c] / tt } }
        }
        // Augmented Cholesky (lower, row-major) with the pivot guard.
        var l = [Double](repeating: 0, count: q * q)
        for i in 0..<q {
            for j in 0...i {
                var s = g[i * q + j]
                for p in 0..<j { s -= l[i * q + p] * l[j * q + p] }
                if i == j {
                    let scale = g[i * q + i]
                    guard s.isFinite, scale > 0, s >= 1e-4 * scale else { return nil }
                    l[i * q + i] = s.squareRoot()
                } else {
                    l[i * q + j] = s / l[j * q + j]
                }
            }
        }
        // RSS of every prefix: p centred regressors (level + lags 1…p−1), k = ntrend + p regressors in all.
        let y = q - 1
        var rss = [Double](repeating: 0, count: q)
        var acc = l[y * q + y] * l[y * q + y]
        rss[q - 1] = acc
        var p = q - 2
        while p >= 1 {
            let z = l[y * q + p]
            acc += z * z
            rss[p] = acc
            p -= 1
        }
        let mObs = Double(m)
        switch rule {
        case .aic, .bic:
            var best = (ic: Double.infinity, lag: 0)
            for lag in 0...K {
                let k = ntrend + 1 + lag
                let penalty = rule == .aic ? 2 * Double(k) : log(mObs) * Double(k)
                let half = mObs / 2
                let llf = -half * log(2 * Double.pi) - half * log(rss[1 + lag] / mObs) - half
                let ic = -2 * llf + penalty
                if ic < best.ic { best = (ic, lag) }
            }
            guard best.ic.isFinite else { return nil }
            return (best.lag, best.ic)
        case .tStat:
            let stop = 1.6448536269514722
            var lag = K
            var ic = 0.0
            while lag >= 0 {
                let pc = 1 + lag
                let k = ntrend + pc
                let sigma = (rss[pc] / Double(m - k)).squareRoot()
                ic = abs(l[y * q + pc - 1] / sigma)
                if ic >= stop || lag == 0 { break }
                lag -= 1
            }
            guard ic.isFinite else { return nil }
            return (lag, ic)
        }
    }
}

/// Neumaier's compensated sum (improved Kahan–Babuška).
struct Neumaier {
    private var s = 0.0
    private var c = 0.0
    init() {}
    init(_ other: Neumaier) { self = other }
    @inline(__always) mutating func add(_ v: Double) {
        let t = s + v
        if abs(s) >= abs(v) { c += (s - t) + v } else { c += (v - t) + s }
        s = t
    }
    var value: Double { s + c }
}

/// Σ aᵢ with four accumulators.
@inline(__always)
private func sum(_ a: UnsafePointer<Double>, _ n: Int) -> Double {
    var s = SIMD4<Double>()
    var i = 0
    while i + 4 <= n {
        s += SIMD4(a[i], a[i + 1], a[i + 2], a[i + 3])
        i += 4
    }
    var r = s.sum()
    while i < n { r += a[i]; i += 1 }
    return r
}

/// (Σ sᵢyᵢ, Σ sᵢxᵢ) in one pass over s.
@inline(__always)
private func dotPair(_ s: UnsafePointer<Double>, _ y: UnsafePointer<Double>, _ x: UnsafePointer<Double>,
                     _ n: Int) -> (Double, Double) {
    var a = SIMD4<Double>(), b = SIMD4<Double>()
    var i = 0
    while i + 4 <= n {
        let sv = SIMD4(s[i], s[i + 1], s[i + 2], s[i + 3])
        a += sv * SIMD4(y[i], y[i + 1], y[i + 2], y[i + 3])
        b += sv * SIMD4(x[i], x[i + 1], x[i + 2], x[i + 3])
        i += 4
    }
    var ra = a.sum(), rb = b.sum()
    while i < n {
        ra += s[i] * y[i]
        rb += s[i] * x[i]
        i += 1
    }
    return (ra, rb)
}

/// (Σ sᵢyᵢ, Σ sᵢxᵢ, Σ sᵢtᵢ) in one pass over s.
@inline(__always)
private func dot3(_ s: UnsafePointer<Double>, _ y: UnsafePointer<Double>, _ x: UnsafePointer<Double>,
                  _ t: UnsafePointer<Double>, _ n: Int) -> (Double, Double, Double) {
    var a = SIMD4<Double>(), b = SIMD4<Double>(), c = SIMD4<Double>()
    var i = 0
    while i + 4 <= n {
        let sv = SIMD4(s[i], s[i + 1], s[i + 2], s[i + 3])
        a += sv * SIMD4(y[i], y[i + 1], y[i + 2], y[i + 3])
        b += sv * SIMD4(x[i], x[i + 1], x[i + 2], x[i + 3])
        c += sv * SIMD4(t[i], t[i + 1], t[i + 2], t[i + 3])
        i += 4
    }
    var ra = a.sum(), rb = b.sum(), rc = c.sum()
    while i < n {
        ra += s[i] * y[i]
        rb += s[i] * x[i]
        rc += s[i] * t[i]
        i += 1
    }
    return (ra, rb, rc)
}

extension ADF {
    /// Test hook: the fast (Gram) and the reference (QR) lag searches on the same input.
    /// `fast` is `nil` when the Gram path declines (ill-conditioned) and production falls back to QR.
    static func bothLagSearches(_ x: [Double], maxlag: Int, regression: ADFRegression, autolag: ADFAutolag) throws
        -> (fast: (lag: Int, ic: Double)?, reference: (lag: Int, ic: Double)) {
        try x.withUnsafeBufferPointer { xp in
            let fast = gramSearchLag(xp, maxlag: maxlag, ntrend: regression.trendCount, rule: autolag)
            let reference = try referenceSearchLag(xp, maxlag: maxlag, ntrend: regression.trendCount, rule: autolag)
            return (fast, reference)
        }
    }
}
