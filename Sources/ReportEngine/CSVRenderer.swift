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
        report.exports.map { render(report, file: $0) }
    }

    /// One export file of `report`, name → bytes (the files are independent, so they can be rendered concurrently).
    public static func render(_ report: ExecutedReport, file: ExportCell.File) -> (name: String, data: Data) {
        let data: Data = switch file {
        case .bars: barsData(report.bars)
        case .analytics: analyticsData(report.analyses)
        case .findings: Data(findings(report.findings).utf8)
        }
        return ("\(file.rawValue).csv", data)
    }

    /// `open_time,symbol,timeframe,open,high,low,close,volume,quote_volume,trades,taker_buy_volume` (the columns of
    /// `pairbook export bars`).
    public static func bars(_ series: [BarSeries]) -> String { String(decoding: barsData(series), as: UTF8.self) }

    static func barsData(_ series: [BarSeries]) -> Data {
        var out = CSVBuffer(capacity: series.reduce(0) { $0 + $1.count } * 96 + 256)
        out.row(["open_time", "symbol", "timeframe", "open", "high", "low", "close", "volume", "quote_volume", "trades",
                 "taker_buy_volume"])
        for s in series {
            let symbol = s.symbol.name, tf = s.timeframe.description
            for b in s.bars {
                out.time(b.openTime)
                out.text(symbol)
                out.text(tf)
                out.number(b.open)
                out.number(b.high)
                out.number(b.low)
                out.number(b.close)
                out.number(b.volume)
                out.number(b.quoteVolume)
                out.integer(b.trades)
                out.number(b.takerBuyVolume)
                out.endRow()
            }
        }
        return Data(out.bytes)
    }

    /// One row per pair and bar: closes, spread, rolling mean/σ/z, rolling β and α, rolling correlations.
    public static func analytics(_ analyses: [PairAnalysis]) -> String { String(decoding: analyticsData(analyses), as: UTF8.self) }

    static func analyticsData(_ analyses: [PairAnalysis]) -> Data {
        var out = CSVBuffer(capacity: analyses.reduce(0) { $0 + $1.series.timestamps.count } * 200 + 256)
        out.row(["pair", "timeframe", "time", "base_close", "quote_close", "spread", "spread_mean", "spread_std", "z_score",
                 "hedge_ratio", "intercept", "correlation", "return_correlation"])
        for a in analyses {
            let pair = "\(a.base)/\(a.quote)", tf = a.timeframe.description, s = a.series
            for i in s.timestamps.indices {
                out.text(pair)
                out.text(tf)
                out.time(s.timestamps[i])
                out.number(s.base[i])
                out.number(s.quote[i])
                out.number(s.spread[i])
                out.number(s.spreadMean[i])
                out.number(s.spreadStandardDeviation[i])
                out.number(s.zScore[i])
                out.number(s.hedgeRatio[i])
                out.number(s.intercept[i])
                out.number(s.priceCorrelation[i])
                out.number(s.returnCorrelation[i])
                out.endRow()
            }
        }
        return Data(out.bytes)
    }

    /// One row per finding.
    public static func findings(_ findings: [Finding]) -> String {
        var out = CSVBuffer()
        out.row(["rule", "subject", "metric", "condition", "threshold", "clear_threshold", "severity", "state", "value",
                 "value_time", "first_breach", "fired_at", "resolved_at", "duration_s", "breaches", "peak", "fingerprint", "summary"])
        for f in findings {
            out.text(f.rule)
            out.text(f.subject)
            out.text(f.metric.rawValue)
            out.text(f.condition.rawValue)
            out.number(f.threshold)
            out.number(f.clearThreshold)
            out.text(f.severity.rawValue)
            out.text(f.state.rawValue)
            out.number(f.value)
            out.time(f.valueTime)
            out.time(f.firstBreach)
            out.time(f.firedAt)
            out.time(f.resolvedAt)
            out.text(f.duration.map { String($0.milliseconds / 1000) } ?? "")
            out.integer(Int64(f.breachCount))
            out.number(f.peak)
            out.text(f.fingerprint)
            out.text(f.summary)
            out.endRow()
        }
        return String(decoding: out.bytes, as: UTF8.self)
    }

    // MARK: - Fields

    /// Swift's shortest round-trip form, or a plain decimal where that would use an exponent (as `pairbook export`).
    static func plainDecimal(_ x: Double) -> String {
        let text = x.description
        // A byte scan: `String.contains(_:)` (Foundation) costs ten times more on this per-number path.
        guard text.utf8.contains(UInt8(ascii: "e")) else { return text }
        var plain = String(format: "%.10f", x)
        while plain.last == "0" { plain.removeLast() }
        if plain.last == "." { plain.removeLast() }
        return plain == "-0" ? "0" : plain
    }
}
