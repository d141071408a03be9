/// The Engle–Granger two-step cointegration test of a pair.
public struct CointegrationResult: Sendable, Hashable, Codable {
    /// τ of the ADF test (no deterministic terms) on the residuals of y = α + β·x; `nil` when y and x are
    /// (almost) perfectly collinear (statsmodels then reports −∞ and p = 0).
    public var statistic: Double?
    /// MacKinnon (1994) p-value with N = 2 series.
    public var pValue: Double
    /// MacKinnon (2010) critical values for N = 2 and `nobs − 1`.
    public var criticalValues: CriticalValues
    /// The ADF of the residuals (lag, nobs, …); `nil` when collinear.
    public var residualADF: ADFResult?
    /// The cointegrating regression y = α + β·x.
    public var regression: LinearFit
}

/// Engle–Granger cointegration.
public enum Cointegration {
    /// Tests whether y and x are cointegrated, as statsmodels `coint(y, x, trend="c", autolag="aic")`.
    ///
    /// Step 1: OLS of y on [x, 1]. Step 2: ``ADF/test(_:maxLag:regression:autolag:)`` of the residuals with
    /// regression `n`. The p-value uses MacKinnon's N = 2 surface with the constant (`"c"`) coefficients.
    /// Complexity: that of the ADF, O(n·maxlag²).
    ///
    /// Oracle: `statsmodels.tsa.stattools.coint(y, x)` → (coint_t, pvalue, crit_value).
    /// - Throws: as ``OLS/fit(y:x:)`` and ``ADF/test(_:maxLag:regression:autolag:)``.
    public static func engleGranger(y: [Double], x: [Double], maxLag: Int? = nil,
                                    autolag: ADFAutolag? = .aic) throws -> CointegrationResult {
        let line = try OLS.fit(y: y, x: x)
        guard let crit = MacKinnon.criticalValues(regression: .constant, n: 2, nobs: y.count - 1) else {
            preconditionFailure("MacKinnon 2010 has N = 2 tables for regression c")
        }
        // statsmodels: rsquared < 1 − 100·√eps, else "perfectly collinear".
        let threshold = 1 - 100 * Double.ulpOfOne.squareRoot()
        guard let r2 = line.rSquared, r2 < threshold else {
            return CointegrationResult(statistic: nil, pValue: 0, criticalValues: crit, residualADF: nil, regression: line)
        }
        var residuals = [Double](repeating: 0, count: y.count)
        for i in y.indices { residuals[i] = line.residual(y: y[i], x: x[i]) }
        let adf = try ADF.test(residuals, maxLag: maxLag, regression: .none, autolag: autolag)
        let p = MacKinnon.pValue(statistic: adf.statistic, regression: .constant, n: 2)
        return CointegrationResult(statistic: adf.statistic, pValue: p, criticalValues: crit, residualADF: adf, regression: line)
    }
}
