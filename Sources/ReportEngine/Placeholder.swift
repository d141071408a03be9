import Foundation
import Alerts
import Market

/// One `{{ name }}` or `{{ name | format }}` in a script's prose, title or cell.
///
/// Formats: `.N` (N decimals), `%` or `%.N` (a fraction as a percentage), `,` (grouped integer),
/// `date`, `datetime` (ISO-8601 UTC), `sci` (scientific). Without a format numbers use a compact form.
public struct Placeholder: Sendable, Hashable {
    /// The dotted name, e.g. `pair.hedge_ratio`.
    public var name: String
    /// The format after `|`, if any.
    public var format: PlaceholderFormat?
    /// Where it is written.
    public var location: SourceLocation

    /// Computed names (besides the script's parameters) that placeholders may use.
    public static let computedNames: [String] = [
        "pair", "pair.base", "pair.quote", "pair.hedge_ratio", "pair.intercept", "pair.r_squared", "pair.tls_hedge_ratio",
        "pair.correlation", "pair.return_correlation", "pair.spread", "pair.spread_mean", "pair.spread_std", "pair.z_score",
        "pair.half_life", "pair.adf_pvalue", "pair.adf_statistic", "pair.coint_pvalue", "pair.observations",
        "adf.pvalue", "adf.statistic", "adf.lags", "adf.nobs", "adf.crit_1", "adf.crit_5", "adf.crit_10",
        "window.start", "window.end", "window.lookback", "window.timeframe", "window.bars",
        "run.at", "report.name", "report.title", "findings.count", "findings.firing", "findings.pending", "findings.attention",
    ]
}

/// How a placeholder's value is printed.
public enum PlaceholderFormat: Sendable, Hashable {
    case decimals(Int)
    case percent(Int)
    case grouped
    case date
    case dateTime
    case scientific

    /// Parses the text after `|`; `nil` if it is not a known format.
    init?(_ text: String) {
        let t = text.trimmingWhitespace()
        switch t {
        case ",": self = .grouped
        case "date": self = .date
        case "datetime": self = .dateTime
        case "sci": self = .scientific
        case "%": self = .percent(1)
        default:
            if t.hasPrefix("%."), let n = Int(t.dropFirst(2)), (0...10).contains(n) {
                self = .percent(n)
            } else if t.hasPrefix("."), let n = Int(t.dropFirst()), (0...12).contains(n) {
                self = .decimals(n)
            } else {
                return nil
            }
        }
    }

    static let expectation = "a format .N, %, %.N, ',', date, datetime or sci"
}

/// A value that a placeholder can show.
public enum PlaceholderValue: Sendable, Hashable {
    case number(Double)
    case integer(Int)
    case text(String)
    case time(Timestamp)
    /// Defined by the script but not computable for this run (e.g. ADF on too few bars): shows `n/a`.
    case unavailable

    /// The text for `format` (plain text; the renderer escapes it).
    public func render(_ format: PlaceholderFormat?) -> String {
        switch self {
        case .unavailable:
            return "n/a"
        case .text(let s):
            return s
        case .time(let t):
            return format == .date ? t.iso8601(.date) : t.iso8601(.seconds)
        case .integer(let n):
            if format == .grouped { return NumberFormat.grouped(Double(n)) }
            return format.map { PlaceholderValue.number(Double(n)).render($0) } ?? String(n)
        case .number(let x):
            switch format {
            case .decimals(let n): return NumberFormat.fixed(x, n)
            case .percent(let n): return NumberFormat.percent(x, n)
            case .grouped: return NumberFormat.grouped(x)
            case .scientific: return x.isFinite ? String(format: "%.3e", x) : "–"
            case .date, .dateTime, nil: return NumberFormat.auto(x)
            }
        }
    }
}

// MARK: - Scanning

/// Finds and substitutes placeholders in text.
enum PlaceholderScanner {
    /// A placeholder occurrence: its range in the text, its name and format text.
    struct Occurrence {
        var range: Range<String.Index>
        var name: String
        var format: String?
    }

    /// Every `{{…}}` in `text`, in order. Text without `}}` after `{{` is left alone.
    static func occurrences(in text: String) -> [Occurrence] {
        var result: [Occurrence] = []
        var searchStart = text.startIndex
        while let open = text.range(of: "{{", range: searchStart..<text.endIndex) {
            guard let close = text.range(of: "}}", range: open.upperBound..<text.endIndex) else { break }
            let inner = text[open.upperBound..<close.lowerBound]
            let parts = inner.split(separator: "|", maxSplits: 1)
            let name = (parts.first.map(String.init) ?? "").trimmingWhitespace()
            let format = parts.count > 1 ? String(parts[1]).trimmingWhitespace() : nil
            result.append(Occurrence(range: open.lowerBound..<close.upperBound, name: name, format: format))
            searchStart = close.upperBound
        }
        return result
    }

    /// Checks every placeholder of `text` (which starts at `line` of `file`) against `known` names and formats.
    ///
    /// - Throws: ``ScriptError/unknownPlaceholder(_:name:)`` or ``ScriptError/syntax(_:expected:)`` for a bad format.
    static func validate(_ text: String, file: String, line: Int, known: Set<String>) throws {
        for (offset, lineText) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            for occurrence in occurrences(in: String(lineText)) {
                let location = SourceLocation(file: file, line: line + offset)
                guard known.contains(occurrence.name) else {
                    throw ScriptError.unknownPlaceholder(location, name: occurrence.name)
                }
                if let format = occurrence.format, PlaceholderFormat(format) == nil {
                    throw ScriptError.syntax(location, expected: "\(PlaceholderFormat.expectation) after '|' in {{\(occurrence.name) | \(format)}}")
                }
            }
        }
    }

    /// Replaces each placeholder with `transform(rendered text)`; unknown names render as written.
    static func substitute(_ text: String, values: (String) -> PlaceholderValue?,
                           transform: (String) -> String = { $0 }) -> String {
        let found = occurrences(in: text)
        guard !found.isEmpty else { return text }
        var out = ""
        var cursor = text.startIndex
        for occurrence in found {
            out += text[cursor..<occurrence.range.lowerBound]
            if let value = values(occurrence.name) {
                out += transform(value.render(occurrence.format.flatMap(PlaceholderFormat.init)))
            } else {
                out += text[occurrence.range]
            }
            cursor = occurrence.range.upperBound
        }
        out += text[cursor...]
        return out
    }
}
