import Analytics
import ArgumentParser
import Charts
import Dashboard
import Foundation
import Market
import ReportEngine
import Storage

/// `pairbook chart`: one chart of stored bars to a PNG or PDF file, for a quick look from the terminal.
struct ChartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chart",
        abstract: "Draw a chart of stored bars to a PNG or PDF file.",
        discussion: """
            Kinds, and the option each needs:
              candlestick --symbol S      candles with a volume panel
              prices      --symbols A,B   closes rebased to 100 at the start
              heatmap     --symbols A,B   correlation of log returns, N × N
              spread      --pair A/B      spread A − β·B, rolling mean, ±1σ/±2σ
              zscore      --pair A/B      rolling z-score, beyond ±threshold shaded
              correlation --pair A/B      rolling correlation of log returns
            The window is --lookback (default 24h) long and ends at --at (default: the
            end of the latest stored bar of the symbols involved), or --from/--to.
            Times are UTC. The format follows the extension of --out (.png or .pdf).

            Example:
              pairbook chart zscore --pair BTCUSDT/ETHUSDT --lookback 24h --out z.png
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("Chart kind.", valueName: "kind"))
    var kind: ChartKind

    @Option(name: .long, help: ArgumentHelp("Symbol of a candlestick chart.", valueName: "symbol"), transform: Symbol.argument)
    var symbol: Symbol?

    @Option(name: .long, help: ArgumentHelp("Pair BASE/QUOTE of a spread, zscore or correlation chart.", valueName: "pair"),
            transform: Pair.argument)
    var pair: Pair?

    @Option(name: .long, help: ArgumentHelp("Comma-separated symbols of a prices or heatmap chart.", valueName: "symbols"),
            transform: Symbol.parseList)
    var symbols: [Symbol]?

    @Option(name: .long, help: ArgumentHelp("Bar timeframe (default 1m).", valueName: "timeframe"), transform: Timeframe.argument)
    var timeframe: Timeframe = .oneMinute

    @OptionGroup var span: WindowOptions

    @Option(name: .long, help: ArgumentHelp("Rolling window in bars (spread, zscore, correlation).", valueName: "bars"))
    var window: Int = 60

    @Option(name: .long, help: ArgumentHelp("z-score threshold drawn and shaded (zscore).", valueName: "z"))
    var threshold: Double = 2

    @Option(name: .long, help: ArgumentHelp("Chart title (default: from the kind and symbols).", valueName: "text"))
    var title: String?

    @Option(name: .long, help: ArgumentHelp("Width in pixels (PNG at 1×) or points (PDF).", valueName: "n"))
    var width: Double = 1200

    @Option(name: .long, help: ArgumentHelp("Height in pixels (PNG at 1×) or points (PDF).", valueName: "n"))
    var height: Double = 700

    @Option(name: .long, help: ArgumentHelp("Device pixels per unit of a PNG (2 for sharp screens).", valueName: "x"))
    var scale: Double = 1

    @Option(name: .long, help: ArgumentHelp("Output file, .png or .pdf.", valueName: "file"))
    var out: String

    func validate() throws {
        switch kind {
        case .candlestick where symbol == nil:
            throw ValidationError("candlestick needs --symbol")
        case .prices where (symbols?.count ?? 0) < 1, .heatmap where (symbols?.count ?? 0) < 2:
            throw ValidationError("\(kind.rawValue) needs --symbols with \(kind == .heatmap ? "two" : "one") or more symbols")
        case .spread where pair == nil, .zscore where pair == nil, .correlation where pair == nil:
            throw ValidationError("\(kind.rawValue) needs --pair BASE/QUOTE")
        default: break
        }
        let ext = URL(fileURLWithPath: out).pathExtension.lowercased()
        guard ext == "png" || ext == "pdf" else { throw ValidationError("--out must end in .png or .pdf") }
        guard (100...8000).contains(width), (100...8000).contains(height) else {
            throw ValidationError("--width and --height must be between 100 and 8000")
        }
        guard (0.5...4).contains(scale) else { throw ValidationError("--scale must be between 0.5 and 4") }
        guard window >= 2 else { throw ValidationError("--window must be at least 2 bars") }
        guard threshold > 0, threshold.isFinite else { throw ValidationError("--threshold must be positive") }
    }

    func run() async throws {
        let logger = global.makeLogger()
        try await global.withStore(logger: logger) { store in try self.draw(from: store) }
    }

    private func draw(from store: any DashboardStore) throws {
        let involved = involvedSymbols
        let range = try window(store, symbols: involved)
        var series: [Symbol: BarSeries] = [:]
        for s in involved {
            let bars = try store.bars(for: s, timeframe: timeframe, in: range)
            guard !bars.isEmpty else { throw ChartCommandError.noBars(symbol: s, timeframe: timeframe, range: range) }
            series[s] = bars
        }
        let chart = try makeChart(series, range: range)
        try chart.write(to: out, size: Size(width: width, height: height), scale: scale)
        Console.line("wrote \(out) (\(kind.rawValue), \(timeframe), \(range))")
    }

    /// The symbols whose bars the chart needs, in order.
    var involvedSymbols: [Symbol] {
        switch kind {
        case .candlestick: symbol.map { [$0] } ?? []
        case .prices, .heatmap: symbols ?? []
        case .spread, .zscore, .correlation: pair.map { [$0.base, $0.quote] } ?? []
        }
    }

    /// The window: `--from/--to`, or `--lookback` (default 24 h) ending at `--at`, by default at the end of the latest
    /// stored bar of `symbols`.
    func window(_ store: any DashboardStore, symbols: [Symbol]) throws -> TimeRange {
        let range = try span.range(defaultLookback: .hours(24)) {
            try symbols.compactMap { try store.lastBar(for: $0, timeframe: timeframe)?.openTime }.max().map { $0 + timeframe.span }
        }
        guard let range else {
            throw ChartCommandError.noBars(symbol: symbols.first ?? "BTCUSDT", timeframe: timeframe, range: .all)
        }
        return range
    }
}

/// The chart kinds of `pairbook chart`.
enum ChartKind: String, ExpressibleByArgument, CaseIterable {
    case candlestick, spread, zscore, correlation, heatmap, prices
}

/// Why `pairbook chart` could not draw.
enum ChartCommandError: Error, CustomStringConvertible, Equatable {
    case noBars(symbol: Symbol, timeframe: Timeframe, range: TimeRange)
    case missing(String)

    var description: String {
        switch self {
        case let .noBars(symbol, timeframe, range):
            let span = range == .all ? "" : " in \(range)"
            return "no \(timeframe) bars of \(symbol)\(span) (check `pairbook status`, or move the window with --at/--lookback)"
        case let .missing(what):
            return "chart: missing \(what)"
        }
    }
}
