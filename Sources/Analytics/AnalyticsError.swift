/// Why an analytic could not be computed from its input.
///
/// Analytics never returns NaN or infinity for an undefined value: a rolling value that is not
/// yet defined is `nil`; a whole computation that cannot run throws one of these.
public enum AnalyticsError: Error, CustomStringConvertible, Hashable, Codable {
    /// Fewer observations than the computation needs.
    case tooFewObservations(what: String, needed: Int, got: Int)
    /// The series has no variation (every value equal), so the statistic is undefined.
    case constantSeries(what: String)
    /// A rolling window below the minimum (2 for variances, correlations and regressions).
    case invalidWindow(Int)
    /// Two series that must be paired have different lengths.
    case lengthMismatch(Int, Int)
    /// A NaN or infinite input value at an index.
    case nonFiniteValue(what: String, index: Int)
    /// A user-given ADF `maxlag` beyond what the sample allows.
    case maxLagTooLarge(maxLag: Int, limit: Int)
    /// The regressors are (numerically) linearly dependent.
    case singularDesign(what: String)

    public var description: String {
        switch self {
        case .tooFewObservations(let what, let needed, let got):
            return "\(what): needs at least \(needed) observations, got \(got)"
        case .constantSeries(let what):
            return "\(what): the series is constant, the statistic is undefined"
        case .invalidWindow(let w):
            return "invalid window \(w): expected at least 2 bars"
        case .lengthMismatch(let a, let b):
            return "series lengths differ: \(a) and \(b)"
        case .nonFiniteValue(let what, let index):
            return "\(what): value at index \(index) is NaN or infinite"
        case .maxLagTooLarge(let maxLag, let limit):
            return "ADF maxlag \(maxLag) is too large for the sample: at most \(limit)"
        case .singularDesign(let what):
            return "\(what): regressors are linearly dependent, the regression is undefined"
        }
    }
}

extension AnalyticsError {
    /// Throws ``nonFiniteValue(what:index:)`` for the first NaN or infinite value.
    static func checkFinite(_ values: [Double], _ what: String) throws {
        for (i, v) in values.enumerated() where !v.isFinite {
            throw AnalyticsError.nonFiniteValue(what: what, index: i)
        }
    }
}
