import Analytics
import ArgumentParser
import Dashboard
import Foundation
import Logging
import Market
import ReportEngine
import Storage

/// `pairbook analyze`: the full analysis of one pair over a window of stored bars, printed and stored.
struct AnalyzeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Analyse a pair: hedge ratio, spread z-score, correlations, ADF, cointegration, half-life, liquidity.",
        discussion: """
            Loads the bars of both legs from the database, joins them on common open times (nothing is forward-filled),
            regresses BASE (y) on QUOTE (x), and prints static results, the latest rolling values and liquidity.
            Every bar's results are also stored in analytics_results (replacing an earlier run over the same bars)
            unless --no-store is given. Without --from/--to/--lookback the whole stored history is used; --lookback
            ends at --at, by default at the end of the latest bar common to both legs.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("The pair BASE/QUOTE; BASE is regressed on QUOTE.", valueName: "pair"), transform: Pair.argument)
    var pair: Pair

    @Option(name: .long, help: ArgumentHelp("Bar timeframe (default 1m).", valueName: "timeframe"), transform: Timeframe.argument)
    var timeframe: Timeframe = .oneMinute

    @Option(name: .long, help: ArgumentHelp("Rolling window in bars (≥ 2).", valueName: "bars"))
    var window: Int = 60

    @OptionGroup var span: WindowOptions

    @Option(name: .long, help: ArgumentHelp("Output format.", valueName: "format"))
    var format: AnalyzeFormat = .table

    @Option(name: .long, help: ArgumentHelp("Hedge-ratio estimator for the spread.", valueName: "method"))
    var hedge: HedgeMethod = .ols

    @Option(name: .long, help: ArgumentHelp("Rolling rows shown by the table format.", valueName: "n"))
    var rows: Int = 10

    @Flag(name: .long, help: "Spread = y − α − β·x (centred) instead of y − β·x.")
    var subtractIntercept = false

    @Flag(name: .long, help: "Do not store the results in analytics_results.")
    var noStore = false

    func validate() throws {
        try span.validateWithoutDefaultLookback()
        if window < 2 { throw ValidationError("--window must be at least 2 bars") }
        if rows < 0 { throw ValidationError("--rows must not be negative") }
    }

    func run() async throws {
        let logger = global.makeLogger()
        try await global.withStore(logger: logger) { store in try self.analyse(store, logger: logger) }
    }

    private func analyse(_ store: any DashboardStore, logger: Logger) throws {
        let range = try resolveRange(store)
        let base = try store.bars(for: pair.base, timeframe: timeframe, in: range)
        let quote = try store.bars(for: pair.quote, timeframe: timeframe, in: range)
        for series in [base, quote] where series.isEmpty {
            throw AnalyzeError.noBars(symbol: series.symbol, timeframe: timeframe, range: range)
        }
        let analysis = try PairAnalysis.compute(base: base, quote: quote, options: .init(window: window, hedge: hedge, subtractIntercept: subtractIntercept))
        if !noStore {
            let written = try store.replaceAnalyticsResults(analysis.resultRecords, symbolPair: pair.description, timeframe: timeframe)
            logger.info("stored analytics results", metadata: ["pair": "\(pair)", "rows": "\(written)"])
        }
        switch format {
        case .table: Console.line(AnalyzeReport.table(analysis, rollingRows: rows))
        case .json: Console.line(try AnalyzeReport.json(analysis))
        case .csv: Console.write(AnalyzeReport.csv(analysis))
        }
    }

    /// The requested range; `--lookback` ends at `--at`, by default at the end of the latest bar both legs have.
    func resolveRange(_ store: any DashboardStore) throws -> TimeRange {
        let range = try span.range {
            guard let lastBase = try store.lastBar(for: pair.base, timeframe: timeframe),
                  let lastQuote = try store.lastBar(for: pair.quote, timeframe: timeframe)
            else { return nil }
            return min(lastBase.openTime, lastQuote.openTime) + timeframe.span
        }
        guard let range else {
            throw AnalyzeError.noBars(symbol: try store.lastBar(for: pair.base, timeframe: timeframe) == nil ? pair.base : pair.quote,
                                      timeframe: timeframe, range: .all)
        }
        return range
    }
}

/// `--format` of `pairbook analyze`.
enum AnalyzeFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
}

extension HedgeMethod: ExpressibleByArgument {}

/// Why `pairbook analyze` cannot run.
enum AnalyzeError: Error, CustomStringConvertible, Equatable {
    case noBars(symbol: Symbol, timeframe: Timeframe, range: TimeRange)

    var description: String {
        switch self {
        case .noBars(let symbol, let timeframe, let range):
            let span = range == .all ? "" : " in \(range)"
            return "no \(timeframe) bars of \(symbol)\(span) (check `pairbook status`)"
        }
    }
}

/// Renders a ``PairAnalysis`` for the terminal, as JSON and as CSV.
enum AnalyzeReport {
    static func number(_ v: Double?, _ digits: Int = 6) -> String {
        guard let v, v.isFinite else { return "-" }
        if v != 0 && (abs(v) >= 1e9 || abs(v) < 1e-4) { return String(format: "%.\(digits)e", v) }
        return String(format: "%.\(digits)f", v)
    }

    static func table(_ a: PairAnalysis, rollingRows: Int) -> String {
        var out: [String] = []
        let first = a.series.timestamps.first.map { $0.iso8601(.seconds) } ?? "-"
        let last = a.series.timestamps.last.map { $0.iso8601(.seconds) } ?? "-"
        out.append("\(a.base)/\(a.quote)  \(a.timeframe) bars  \(first) … \(last)")
        out.append("aligned bars: \(a.observations) (dropped: \(a.base) \(a.droppedBase), \(a.quote) \(a.droppedQuote)); window \(a.options.window)")
        out.append("")
        var summary: [[String]] = [
            ["hedge ratio β (\(a.options.hedge.rawValue.uppercased()))", number(a.hedge.slope)],
            ["intercept α", number(a.hedge.intercept)],
            ["R² (OLS)", number(a.ols.rSquared)],
            ["TLS hedge ratio", number(a.tlsHedgeRatio)],
            [a.options.subtractIntercept ? "spread mean (y − α − β·x)" : "spread mean (y − β·x)", number(a.spreadMean)],
            ["spread std", number(a.spreadStandardDeviation)],
            ["price correlation", number(a.priceCorrelation)],
            ["log-return correlation", number(a.returnCorrelation)],
        ]
        if let adf = a.adf {
            summary += [
                ["ADF statistic (c, \(adf.autolag?.rawValue ?? "fixed lag"))", number(adf.statistic)],
                ["ADF p-value", number(adf.pValue)],
                ["ADF used lag / nobs", "\(adf.usedLag) / \(adf.nobs)"],
                ["ADF critical 1% / 5% / 10%",
                 "\(number(adf.criticalValues.onePercent, 3)) / \(number(adf.criticalValues.fivePercent, 3)) / \(number(adf.criticalValues.tenPercent, 3))"],
            ]
        } else {
            summary.append(["ADF", "undefined: \(a.adfError.map { "\($0)" } ?? "-")"])
        }
        if let eg = a.cointegration {
            summary += [["Engle–Granger statistic", number(eg.statistic)], ["Engle–Granger p-value", number(eg.pValue)]]
        } else {
            summary.append(["Engle–Granger", "undefined: \(a.cointegrationError.map { "\($0)" } ?? "-")"])
        }
        summary.append(["half-life (bars)", a.halfLife.map { number($0, 2) } ?? "undefined (no mean reversion)"])
        out.append(Console.table(header: ["statistic", "value"], rows: summary, rightAligned: [1]))
        out.append("")
        let liquidity = [a.baseLiquidity, a.quoteLiquidity].map { l in
            [l.symbol.name, "\(l.bars)", number(l.volume, 3), number(l.quoteVolume, 2), "\(l.trades)", number(l.vwap, 4),
             number(l.averageTradeSize, 6), number(l.amihud, 4), number(l.rollSpread, 6)]
        }
        out.append(Console.table(
            header: ["symbol", "bars", "volume", "quote volume", "trades", "VWAP", "avg trade", "Amihud", "Roll spread"],
            rows: liquidity, rightAligned: Set(1...8)))
        if rollingRows > 0 {
            out.append("")
            let s = a.series
            let start = max(0, s.timestamps.count - rollingRows)
            let rows = (start..<s.timestamps.count).map { i in
                [s.timestamps[i].iso8601(.seconds), number(s.spread[i], 4), number(s.zScore[i], 3), number(s.hedgeRatio[i], 6),
                 number(s.priceCorrelation[i], 4), number(s.returnCorrelation[i], 4)]
            }
            out.append(Console.table(header: ["time (UTC)", "spread", "z", "rolling β", "corr", "return corr"],
                                     rows: rows, rightAligned: Set(1...5)))
        }
        return out.joined(separator: "\n")
    }

    static func json(_ a: PairAnalysis) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(a), as: UTF8.self)
    }

    static func csv(_ a: PairAnalysis) -> String { CSVExport.analytics(a) }
}
