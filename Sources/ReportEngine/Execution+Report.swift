import Alerts
import Analytics
import Charts
import Market

extension Execution {
    /// Stage `cells`: runs every cell in order and splits the body into sections at level-1 headings.
    mutating func buildReport() throws -> ExecutedReport {
        values.title = values.resolve(run.script.title)
        var sections: [ReportSection] = []
        var current = ReportSection(title: nil, id: "intro", items: [])
        var usedIDs = Set<String>()
        var exports: [ExportCell.File]?
        let cellCount = run.script.cells.count
        var cellsDone = 0

        func startSection(_ heading: String) {
            if current.title != nil || !current.items.isEmpty { sections.append(current) }
            let title = values.resolve(heading)
            var id = Self.slug(title)
            var n = 2
            while usedIDs.contains(id) {
                id = Self.slug(title) + "-\(n)"
                n += 1
            }
            usedIDs.insert(id)
            current = ReportSection(title: title, id: id, items: [])
        }

        for block in run.script.blocks {
            switch block {
            case .prose(let text, _):
                var pending: [String] = []
                var inFence = false
                func flush() {
                    let markdown = pending.joined(separator: "\n")
                    if !markdown.trimmingWhitespace().isEmpty { current.items.append(.prose(values.resolveProse(markdown))) }
                    pending = []
                }
                for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
                    let trimmed = line.trimmingWhitespace()
                    if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") { inFence.toggle() }
                    if !inFence, line.hasPrefix("# ") {
                        flush()
                        startSection(String(line.dropFirst(2)).trimmingWhitespace())
                    } else {
                        pending.append(line)
                    }
                }
                flush()
            case .cell(let cell):
                if case .export(let e) = cell.kind { exports = (exports ?? []) + e.files }
                current.items.append(try item(for: cell))
                cellsDone += 1
                report(stage: "cells", done: cellsDone, total: cellCount, label: cell.label)
            }
        }
        if current.title != nil || !current.items.isEmpty { sections.append(current) }

        var exportFiles = exports ?? ExportCell.File.allCases
        var seen = Set<ExportCell.File>()
        exportFiles = exportFiles.filter { seen.insert($0).inserted }
        return ExecutedReport(
            name: run.script.name, scriptPath: run.script.path, title: values.title,
            subtitle: run.script.subtitle.map { values.resolve($0) }, runTime: run.runTime, window: window, timeframe: timeframe,
            parameters: run.parameters.declarations.map { ($0.name, run.parameters[$0.name]?.description ?? "") },
            sections: sections, findings: findings, bars: loadedSymbols.compactMap { loadedSeries($0) }, analyses: analysedPairs,
            exports: exportFiles, formats: run.script.formats, notices: notices)
    }

    /// `Pair Analytics!` → `pair-analytics`.
    static func slug(_ title: String) -> String {
        var out = ""
        for scalar in title.lowercased().unicodeScalars {
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                out.unicodeScalars.append(scalar)
            } else if !out.isEmpty, out.last != "-" {
                out.append("-")
            }
        }
        while out.last == "-" { out.removeLast() }
        return out.isEmpty ? "section" : out
    }

    // MARK: - Cells

    mutating func item(for cell: Cell) throws -> ReportItem {
        switch cell.kind {
        case .chart(let c): return try chartItem(c, at: cell.location)
        case .table(let t): return try tableItem(t, at: cell.location)
        case .findings(let f):
            let shown = f.findings == .active ? findings.filter(\.needsAttention) : findings
            return .findings(FindingsItem(title: text(f.title), findings: shown, activeOnly: f.findings == .active))
        case .quality(let q):
            let symbols = try symbols(q.symbols, at: cell.location) ?? defaultSymbols
            return .table(try qualityTable(q, symbols: symbols))
        case .export(let e):
            return .export(ExportItem(title: text(e.title), files: e.files.map { ("\($0.rawValue).csv", Self.describe($0)) }))
        }
    }

    static func describe(_ file: ExportCell.File) -> String {
        switch file {
        case .bars: "OHLCV bars of every symbol in the window"
        case .analytics: "per-bar pair analytics: spread, rolling mean, σ, z-score, hedge ratio, correlation"
        case .findings: "alert findings with state, times and values"
        }
    }

    private mutating func requirePair(_ raw: String?, at location: SourceLocation, what: String) throws -> Pair {
        if let p = try pair(raw, at: location) { return p }
        if let p = values.primaryPair { return p }
        throw ScriptError.invalidCell(location, reason: "\(what) needs pair: BASE/QUOTE (or base and quote parameters)")
    }

    private mutating func chartItem(_ c: ChartCell, at location: SourceLocation) throws -> ReportItem {
        let customTitle = text(c.title)
        let caption = text(c.caption)
        func item(_ chart: any Chart, _ alt: String, _ height: Int) -> ReportItem {
            .chart(ChartItem(chart: chart, altText: alt, caption: caption, height: c.height ?? height))
        }
        switch c.chart {
        case .candlestick:
            guard let s = try symbol(c.symbol, at: location) ?? values.primaryPair?.base else {
                throw ScriptError.invalidCell(location, reason: "candlestick chart needs symbol: SYMBOL")
            }
            let bars = try series(s)
            guard bars.count >= 2 else { return .notice("No \(timeframe) bars of \(s) in \(window) for the candlestick chart.") }
            let chart = CandlestickChart(series: bars, title: customTitle)
            return item(chart, chart.title, 420)
        case .prices:
            let symbols = try symbols(c.symbols, at: location) ?? defaultSymbols
            let list = try symbols.map { try series($0) }
            let chart = LineChart.normalisedPrices(title: customTitle ?? "Prices rebased to 100", series: list)
            return item(chart, chart.title, 320)
        case .spread, .zscore, .correlation, .hedgeRatio:
            let p = try requirePair(c.pair, at: location, what: "\(c.chart.rawValue) chart")
            guard let a = analysis(p) else {
                return .notice("\(c.chart.rawValue) chart of \(p): \(analysisError(p) ?? "no analysis")")
            }
            let s = a.series
            let subtitle = "\(p) · \(timeframe) · window \(rollingWindow) bars"
            let chart: LineChart
            switch c.chart {
            case .spread:
                chart = LineChart.spread(title: customTitle ?? "Spread \(p.base) − β·\(p.quote)", subtitle: subtitle, times: s.timestamps,
                                         spread: s.spread.map { Optional($0) }, mean: s.spreadMean,
                                         standardDeviation: s.spreadStandardDeviation)
            case .zscore:
                let threshold = c.threshold ?? run.parameters["z_threshold"]?.doubleValue ?? 2
                chart = LineChart.zScore(title: customTitle ?? "z-score of the spread", subtitle: subtitle, times: s.timestamps,
                                         zScore: s.zScore, threshold: threshold)
            case .correlation:
                chart = LineChart.rollingCorrelation(title: customTitle ?? "Rolling correlation", subtitle: subtitle,
                                                     times: s.timestamps, correlation: s.priceCorrelation)
            default:
                chart = LineChart(title: customTitle ?? "Rolling hedge ratio β", subtitle: subtitle,
                                  series: [LineSeries(name: "rolling β", times: s.timestamps, values: s.hedgeRatio)],
                                  references: [ReferenceLine(value: a.hedge.slope, label: "full-window β")])
            }
            return item(chart, chart.title, 300)
        case .heatmap:
            let symbols = try symbols(c.symbols, at: location) ?? defaultSymbols
            let list = try symbols.map { try series($0) }.filter { $0.count >= 3 }
            guard list.count >= 2 else { return .notice("Correlation heatmap: fewer than two symbols with bars in \(window).") }
            do {
                let matrix = try CorrelationMatrix(logReturnsOf: list)
                let chart = Heatmap(title: customTitle ?? "Correlation of log returns",
                                    subtitle: "\(matrix.symbols.count) symbols · \(timeframe) · \(matrix.observations) returns",
                                    labels: matrix.symbols.map(\.name), values: matrix.values)
                return item(chart, chart.title, max(360, min(900, 140 + 52 * matrix.symbols.count)))
            } catch {
                return .notice("Correlation heatmap: \(error)")
            }
        }
    }
}
