/// The R factor of a tall least-squares problem `[A | y]`, built by Householder reflections
/// applied block by block to the rows as they are produced ("updating QR", LAPACK `dlarfg` convention).
///
/// The last column is the response y. After all rows are absorbed, the last column of R holds Qᵀy
/// above the diagonal and ±√RSS on it, so the residual sum of squares of every *column prefix* of A
/// (a nested family of models) is available from this single factorisation:
/// RSSₚ = R[k,k]² + Σ_{i=p}^{k−1} (Qᵀy)ᵢ².
///
/// Memory: O(k² + blockRows·k), independent of the number of rows; the design matrix is never stored.
/// Complexity: about 2·rows·k² flops (Householder on a tall matrix), all in cache.
struct HouseholderQR {
    /// Columns including the response (last).
    let columns: Int
    /// Rows per absorbed block.
    let blockRows: Int
    /// Upper-triangular R, row-major `columns × columns`.
    private(set) var r: [Double]
    /// Column-major block buffer `blockRows × columns` (`block[c * blockRows + i]`).
    private var block: [Double]
    /// Σ of squares of each original column (for the rank test).
    private(set) var columnSquares: [Double]
    /// Rows absorbed so far.
    private(set) var rows = 0

    init(columns: Int, blockRows: Int = 64) {
        precondition(columns >= 1 && blockRows >= 1)
        self.columns = columns
        self.blockRows = blockRows
        self.r = Array(repeating: 0, count: columns * columns)
        self.block = Array(repeating: 0, count: columns * blockRows)
        self.columnSquares = Array(repeating: 0, count: columns)
    }

    /// Absorbs `count` rows. `fill(firstRow, rowsInBlock, block, leadingDimension)` writes rows
    /// `firstRow ..< firstRow + rowsInBlock` into the column-major block (`block[c * ld + i]`).
    mutating func absorb(rows count: Int, fill: (Int, Int, UnsafeMutablePointer<Double>, Int) -> Void) {
        var first = 0
        while first < count {
            let b = min(blockRows, count - first)
            let ld = blockRows
            let k = columns
            block.withUnsafeMutableBufferPointer { bp in
                guard let base = bp.baseAddress else { return }
                fill(first, b, base, ld)
                r.withUnsafeMutableBufferPointer { rp in
                    columnSquares.withUnsafeMutableBufferPointer { cs in
                        for c in 0..<k { cs[c] += dot(base + c * ld, base + c * ld, b) }
                    }
                    Self.annihilate(block: base, ld: ld, rows: b, r: rp, k: k)
                }
            }
            rows += b
            first += b
        }
    }

    /// Applies one reflector per column to zero the block below R. Each column is done once per block.
    private static func annihilate(block a: UnsafeMutablePointer<Double>, ld: Int, rows b: Int,
                                   r: UnsafeMutableBufferPointer<Double>, k: Int) {
        for j in 0..<k {
            let v = a + j * ld
            let sigma = dot(v, v, b)
            if sigma == 0 { continue }
            let alpha = r[j * k + j]
            let norm = (alpha * alpha + sigma).squareRoot()
            let beta = alpha >= 0 ? -norm : norm
            let tau = (beta - alpha) / beta
            let scale = 1 / (alpha - beta)
            for i in 0..<b { v[i] *= scale }
            r[j * k + j] = beta
            // Four, then two columns per pass over v (v is read once for several columns).
            var c = j + 1
            while c + 3 < k {
                let a0 = a + c * ld
                let a1 = a0 + ld
                let a2 = a1 + ld
                let a3 = a2 + ld
                let p = dot4(v, a0, a1, a2, a3, b)
                let t0 = tau * (r[j * k + c] + p.0)
                let t1 = tau * (r[j * k + c + 1] + p.1)
                let t2 = tau * (r[j * k + c + 2] + p.2)
                let t3 = tau * (r[j * k + c + 3] + p.3)
                r[j * k + c] -= t0
                r[j * k + c + 1] -= t1
                r[j * k + c + 2] -= t2
                r[j * k + c + 3] -= t3
                for i in 0..<b {
                    let vi = v[i]
                    a0[i] -= t0 * vi
                    a1[i] -= t1 * vi
                    a2[i] -= t2 * vi
                    a3[i] -= t3 * vi
                }
                c += 4
            }
            while c + 1 < k {
                let a0 = a + c * ld
                let a1 = a + (c + 1) * ld
                var d0 = r[j * k + c]
                var d1 = r[j * k + c + 1]
                let (p0, p1) = dot2(v, a0, a1, b)
                d0 += p0
                d1 += p1
                let t0 = tau * d0
                let t1 = tau * d1
                r[j * k + c] -= t0
                r[j * k + c + 1] -= t1
                for i in 0..<b {
                    let vi = v[i]
                    a0[i] -= t0 * vi
                    a1[i] -= t1 * vi
                }
                c += 2
            }
            if c < k {
                let a0 = a + c * ld
                let t0 = tau * (r[j * k + c] + dot(v, a0, b))
                r[j * k + c] -= t0
                for i in 0..<b { a0[i] -= t0 * v[i] }
            }
        }
    }

    // MARK: - Results

    /// (Qᵀy)ᵢ for regressor column `i`.
    @inline(__always) func qty(_ i: Int) -> Double { r[i * columns + columns - 1] }

    /// Diagonal element R[i,i].
    @inline(__always) func diagonal(_ i: Int) -> Double { r[i * columns + i] }

    /// Residual sums of squares of the prefix models with 0…(columns − 1) regressors, index = regressor count.
    func prefixResidualSumsOfSquares() -> [Double] {
        let k = columns - 1
        var out = Array(repeating: 0.0, count: k + 1)
        let last = r[k * columns + k]
        var acc = last * last
        out[k] = acc
        var i = k - 1
        while i >= 0 {
            let q = qty(i)
            acc += q * q
            out[i] = acc
            i -= 1
        }
        return out
    }

    /// Whether regressor column `i` is numerically dependent on the columns before it.
    func isDependent(_ i: Int) -> Bool {
        let norm = columnSquares[i].squareRoot()
        return norm == 0 || abs(diagonal(i)) <= 1e-10 * norm
    }
}

/// Σ aᵢbᵢ with four accumulators (lets the compiler vectorise the reduction).
@inline(__always)
func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ n: Int) -> Double {
    var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
    var i = 0
    while i + 4 <= n {
        s0 += a[i] * b[i]
        s1 += a[i + 1] * b[i + 1]
        s2 += a[i + 2] * b[i + 2]
        s3 += a[i + 3] * b[i + 3]
        i += 4
    }
    while i < n {
        s0 += a[i] * b[i]
        i += 1
    }
    return (s0 + s1) + (s2 + s3)
}

@inline(__always)
func dot(_ a: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>, _ n: Int) -> Double {
    dot(UnsafePointer(a), UnsafePointer(b), n)
}

/// (Σ vᵢaᵢ, Σ vᵢbᵢ, Σ vᵢcᵢ, Σ vᵢdᵢ) in one pass over v.
@inline(__always)
func dot4(_ v: UnsafeMutablePointer<Double>, _ a: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>,
          _ c: UnsafeMutablePointer<Double>, _ d: UnsafeMutablePointer<Double>, _ n: Int) -> (Double, Double, Double, Double) {
    var sa = SIMD2<Double>(), sb = SIMD2<Double>(), sc = SIMD2<Double>(), sd = SIMD2<Double>()
    var i = 0
    while i + 2 <= n {
        let vv = SIMD2(v[i], v[i + 1])
        sa += vv * SIMD2(a[i], a[i + 1])
        sb += vv * SIMD2(b[i], b[i + 1])
        sc += vv * SIMD2(c[i], c[i + 1])
        sd += vv * SIMD2(d[i], d[i + 1])
        i += 2
    }
    var ra = sa.sum(), rb = sb.sum(), rc = sc.sum(), rd = sd.sum()
    if i < n {
        ra += v[i] * a[i]
        rb += v[i] * b[i]
        rc += v[i] * c[i]
        rd += v[i] * d[i]
    }
    return (ra, rb, rc, rd)
}

/// (Σ vᵢaᵢ, Σ vᵢbᵢ) in one pass over v.
@inline(__always)
func dot2(_ v: UnsafeMutablePointer<Double>, _ a: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>,
          _ n: Int) -> (Double, Double) {
    var s0 = 0.0, s1 = 0.0, t0 = 0.0, t1 = 0.0
    var i = 0
    while i + 2 <= n {
        let v0 = v[i], v1 = v[i + 1]
        s0 += v0 * a[i]
        s1 += v1 * a[i + 1]
        t0 += v0 * b[i]
        t1 += v1 * b[i + 1]
        i += 2
    }
    if i < n {
        s0 += v[i] * a[i]
        t0 += v[i] * b[i]
    }
    return (s0 + s1, t0 + t1)
}
