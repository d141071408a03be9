import Alerts
import Analytics
import Foundation
import Market

/// Writes an executed report's data as CSV files: RFC 4180 (CRLF, quoted where needed), a header row,
/// times ISO-8601 UTC with milliseconds, numbers as plain decimals (shortest round-trip form, no exponent),
/// empty fields for undefined values — the conventions of `pairbook export`.
///
/// Output depends only on the report, so the same data gives byte-identical files.
public enum CSVRenderer {
    /// The files of `report.exports`, name → bytes.
    public static func render(_ report: ExecutedReport) -> [(name: String, data: Data)] {
        report.exports.map { file in
            let text: String = switch file {
            case .bars: bars(report.bars)
            case .analytics: analytics(report.analyses)
            case .findings: findings(report.findings)
            }
            return ("\(file.rawValue).csv", Data(text.utf8))
        }
    }

    /// `open_time,symbol,timeframe,open,high,low,close,volume,quote_volume,trades,taker_buy_volume` (the columns of
    /// `pairbook export bars`).
    public static func bars(_ series: [BarSeries]) -> String {
        var out = line(["open_time", "symbol", "timeframe", "open", "high", "low", "close", "volume", "quote_volume", "trades",
                        "taker_buy_volume"])
        for s in series {
            let symbol = s.symbol.name, tf = s.timeframe.description
            for b in s.bars {
                out += line([b.openTime.iso8601(), symbol, tf, number(b.open), number(b.high), number(b.low), number(b.close),
                             number(b.volume), number(b.quoteVolume), String(b.trades), number(b.takerBuyVolume)])
            }
        }
        return out
    }

    /// One row per pair and bar: closes, spread, rolling mean/σ/z, rolling β and α, rolling correlations.
    public static func analytics(_ analyses: [PairAnalysis]) -> String {
        var out = line(["pair", "timeframe", "time", "base_close", "quote_close", "spread", "spread_mean", "spread_std", "z_score",
                        "hedge_ratio", "intercept", "correlation", "return_correlation"])
        for a in analyses {
            let pair = "\(a.base)/\(a.quote)", tf = a.timeframe.description, s = a.series
            for i in s.timestamps.indices {
                out += line([pair, tf, s.timestamps[i].iso8601(), number(s.base[i]), number(s.quote[i]), number(s.spread[i]),
                             number(s.spreadMean[i]), number(s.spreadStandardDeviation[i]), number(s.zScore[i]),
                             number(s.hedgeRatio[i]), number(s.intercept[i]), number(s.priceCorrelation[i]),
                             number(s.returnCorrelation[i])])
            }
        }
        return out
    }

    /// One row per finding.
    public static func findings(_ findings: [Finding]) -> String {
        var out = line(["rule", "subject", "metric", "condition", "threshold", "clear_threshold", "severity", "state", "value",
                        "value_time", "first_breach", "fired_at", "resolved_at", "duration_s", "breaches", "peak", "fingerprint", "summary"])
        for f in findings {
            out += line([f.rule, f.subject, f.metric.rawValue, f.condition.rawValue, number(f.threshold), number(f.clearThreshold),
                         f.severity.rawValue, f.state.rawValue, number(f.value), time(f.valueTime), time(f.firstBreach), time(f.firedAt),
                         time(f.resolvedAt), f.duration.map { String($0.milliseconds / 1000) } ?? "", String(f.breachCount),
                         number(f.peak), f.fingerprint, f.summary])
        }
        return out
    }

    // MARK: - Fields

    static func number(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "" }
        let text = x.description
        guard text.contains("e") else { return text }
        // A plain decimal where Swift would print an exponent, as `pairbook export` does.
        var plain = String(format: "%.10f", x)
        while plain.last == "0" { plain.removeLast() }
        if plain.last == "." { plain.removeLast() }
        return plain == "-0" ? "0" : plain
    }

    static func time(_ t: Timestamp?) -> String { t?.iso8601() ?? "" }

    /// One CSV record with CRLF, fields quoted when they hold `,`, `"`, CR or LF.
    static func line(_ fields: [String]) -> String {
        fields.map(quote).joined(separator: ",") + "\r\n"
    }

    static func quote(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
