import Alerts
import Analytics
import Market

/// The values placeholders can show in one run: parameters and computed statistics.
struct ReportValues: Sendable {
    var parameters: ReportParameters
    var window: TimeRange
    var timeframe: Timeframe
    var runTime: Timestamp
    var reportName: String
    var title: String = ""
    /// The pair that `pair.*` and `adf.*` refer to.
    var primary: PairAnalysis?
    var primaryPair: Pair?
    var barCount: Int = 0
    var findings: [Finding] = []

    /// The value of `name`, or nil if it names nothing.
    func value(_ name: String) -> PlaceholderValue? {
        if let p = parameters[name] {
            return switch p {
            case .int(let v): .integer(v)
            case .float(let v): .number(v)
            case .date(let t): .time(t)
            default: .text(p.description)
            }
        }
        func number(_ x: Double?) -> PlaceholderValue { x.map { $0.isFinite ? .number($0) : .unavailable } ?? .unavailable }
        let a = primary
        switch name {
        case "pair": return primaryPair.map { .text($0.description) } ?? .unavailable
        case "pair.base": return primaryPair.map { .text($0.base.name) } ?? .unavailable
        case "pair.quote": return primaryPair.map { .text($0.quote.name) } ?? .unavailable
        case "pair.hedge_ratio": return number(a?.hedge.slope)
        case "pair.intercept": return number(a?.hedge.intercept)
        case "pair.r_squared": return number(a?.hedge.rSquared)
        case "pair.tls_hedge_ratio": return number(a?.tlsHedgeRatio)
        case "pair.correlation": return number(a?.priceCorrelation)
        case "pair.return_correlation": return number(a?.returnCorrelation)
        case "pair.spread": return number(a?.series.spread.last)
        case "pair.spread_mean": return number(a?.spreadMean)
        case "pair.spread_std": return number(a?.spreadStandardDeviation)
        case "pair.z_score": return number(a?.series.zScore.last ?? nil)
        case "pair.half_life": return number(a?.halfLife)
        case "pair.adf_pvalue", "adf.pvalue": return number(a?.adf?.pValue)
        case "pair.adf_statistic", "adf.statistic": return number(a?.adf?.statistic)
        case "pair.coint_pvalue": return number(a?.cointegration?.pValue)
        case "pair.observations": return a.map { .integer($0.observations) } ?? .unavailable
        case "adf.lags": return a?.adf.map { .integer($0.usedLag) } ?? .unavailable
        case "adf.nobs": return a?.adf.map { .integer($0.nobs) } ?? .unavailable
        case "adf.crit_1": return number(a?.adf?.criticalValues.onePercent)
        case "adf.crit_5": return number(a?.adf?.criticalValues.fivePercent)
        case "adf.crit_10": return number(a?.adf?.criticalValues.tenPercent)
        case "window.start": return .time(window.start)
        case "window.end": return .time(window.end)
        case "window.lookback": return .text(window.span.description)
        case "window.timeframe": return .text(timeframe.description)
        case "window.bars": return .integer(barCount)
        case "run.at": return .time(runTime)
        case "report.name": return .text(reportName)
        case "report.title": return .text(title)
        case "findings.count": return .integer(findings.count)
        case "findings.firing": return .integer(findings.filter { $0.state == .firing }.count)
        case "findings.pending": return .integer(findings.filter { $0.state == .pending }.count)
        case "findings.attention": return .integer(findings.filter(\.needsAttention).count)
        default: return nil
        }
    }

    /// `text` with placeholders replaced by their plain-text values.
    func resolve(_ text: String) -> String {
        PlaceholderScanner.substitute(text, values: value)
    }

    /// Markdown with placeholders replaced by tokens, and the values apart (for escaping per format).
    func resolveProse(_ markdown: String) -> ResolvedProse {
        var values: [String] = []
        let text = PlaceholderScanner.substitute(markdown, values: value) { rendered in
            values.append(rendered)
            return ResolvedProse.token(values.count - 1)
        }
        return ResolvedProse(markdown: text, values: values)
    }
}
