import Alerts
import Analytics
import Market
import Storage

extension Execution {
    private static func num(_ x: Double?, _ decimals: Int? = nil) -> String {
        guard let x, x.isFinite else { return "n/a" }
        return decimals.map { NumberFormat.fixed(x, $0) } ?? NumberFormat.auto(x, significant: 5)
    }

    mutating func tableItem(_ t: TableCell, at location: SourceLocation) throws -> ReportItem {
        let title = text(t.title)
        let caption = text(t.caption)
        switch t.table {
        case .pairStats, .adf:
            let p: Pair
            if let given = try pair(t.pair, at: location) {
                p = given
            } else if let primary = values.primaryPair {
                p = primary
            } else {
                throw ScriptError.invalidCell(location, reason: "\(t.table.rawValue) table needs pair: BASE/QUOTE")
            }
            guard let a = analysis(p) else { return .notice("\(t.table.rawValue) of \(p): \(analysisError(p) ?? "no analysis")") }
            return .table(t.table == .adf ? Self.adfTable(a, title: title, caption: caption) : Self.pairTable(a, title: title, caption: caption))
        case .pairs:
            let list = try pairs(t.pairs, at: location) ?? (run.parameters["pairs"]?.listValue?.compactMap(\.pairValue) ?? values.primaryPair.map { [$0] } ?? [])
            var rows: [[String]] = []
            for p in list {
                if let a = analysis(p) {
                    rows.append([p.description, Self.num(a.hedge.slope, 4), Self.num(a.priceCorrelation, 3), Self.num(a.returnCorrelation, 3),
                                 Self.num(a.adf?.pValue, 4), Self.num(a.halfLife, 1), Self.num(a.series.zScore.last ?? nil, 2),
                                 String(a.observations)])
                } else {
                    rows.append([p.description, "n/a", "n/a", "n/a", "n/a", "n/a", "n/a", "0"])
                }
            }
            return .table(TableItem(title: title ?? "Pairs", columns: ["Pair", "β", "Corr (price)", "Corr (returns)", "ADF p", "Half-life (bars)", "z (last)", "Bars"],
                                    numericColumns: Set(1...7), rows: rows, caption: caption))
        case .liquidity:
            let symbols = try symbols(t.symbols, at: location) ?? defaultSymbols
            var rows: [[String]] = []
            for s in symbols {
                let liq = Liquidity(try series(s))
                rows.append([s.name, String(liq.bars), NumberFormat.grouped(liq.volume), NumberFormat.grouped(liq.quoteVolume),
                             NumberFormat.grouped(Double(liq.trades)), Self.num(liq.vwap), Self.num(liq.averageTradeSize, 4),
                             liq.amihud.map { NumberFormat.auto($0 * 1e6, significant: 3) } ?? "n/a", Self.num(liq.rollSpread)])
            }
            return .table(TableItem(title: title ?? "Liquidity", columns: ["Symbol", "Bars", "Volume", "Quote volume", "Trades", "VWAP",
                                                                          "Avg trade", "Amihud ×1e6", "Roll spread"],
                                    numericColumns: Set(1...8), rows: rows, caption: caption))
        case .bars:
            guard let s = try symbol(t.symbol, at: location) ?? values.primaryPair?.base else {
                throw ScriptError.invalidCell(location, reason: "bars table needs symbol: SYMBOL")
            }
            let n = t.rows ?? 10
            let rows = try series(s).bars.suffix(n).reversed().map { b in
                [b.openTime.iso8601(.seconds), NumberFormat.auto(b.open, significant: 6), NumberFormat.auto(b.high, significant: 6),
                 NumberFormat.auto(b.low, significant: 6), NumberFormat.auto(b.close, significant: 6), NumberFormat.fixed(b.volume, 3),
                 String(b.trades)]
            }
            return .table(TableItem(title: title ?? "Last \(n) bars of \(s) (\(timeframe))",
                                    columns: ["Open time (UTC)", "Open", "High", "Low", "Close", "Volume", "Trades"],
                                    numericColumns: Set(1...6), rows: rows, caption: caption))
        case .correlationMatrix:
            let symbols = try symbols(t.symbols, at: location) ?? defaultSymbols
            let list = try symbols.map { try series($0) }.filter { $0.count >= 3 }
            do {
                let m = try CorrelationMatrix(logReturnsOf: list)
                let rows = m.symbols.indices.map { i in [m.symbols[i].name] + m.values[i].map { Self.num($0, 2) } }
                return .table(TableItem(title: title ?? "Correlation of log returns", columns: [""] + m.symbols.map(\.name),
                                        numericColumns: Set(1...max(1, m.symbols.count)), rows: rows,
                                        caption: caption ?? "\(m.observations) common returns"))
            } catch {
                return .notice("Correlation matrix: \(error)")
            }
        }
    }

    static func pairTable(_ a: PairAnalysis, title: String?, caption: String?) -> TableItem {
        let rows: [[String]] = [
            ["Hedge ratio β (\(a.options.hedge.rawValue.uppercased()))", num(a.hedge.slope, 6)],
            ["Intercept α", num(a.hedge.intercept, 4)],
            ["R²", num(a.hedge.rSquared, 4)],
            ["TLS hedge ratio", num(a.tlsHedgeRatio, 6)],
            ["Correlation (prices)", num(a.priceCorrelation, 4)],
            ["Correlation (log returns)", num(a.returnCorrelation, 4)],
            ["Spread mean", num(a.spreadMean, 4)],
            ["Spread σ", num(a.spreadStandardDeviation, 4)],
            ["Spread (last)", num(a.series.spread.last, 4)],
            ["z-score (last)", num(a.series.zScore.last ?? nil, 3)],
            ["Half-life (bars)", num(a.halfLife, 2)],
            ["ADF p-value", num(a.adf?.pValue, 4)],
            ["Engle–Granger p-value", num(a.cointegration?.pValue, 4)],
            ["Observations", String(a.observations)],
        ]
        return TableItem(title: title ?? "\(a.base)/\(a.quote) statistics", columns: ["Statistic", "Value"], numericColumns: [1],
                         rows: rows, caption: caption)
    }

    static func adfTable(_ a: PairAnalysis, title: String?, caption: String?) -> TableItem {
        guard let adf = a.adf else {
            return TableItem(title: title ?? "ADF test of the spread", columns: ["Statistic", "Value"], numericColumns: [1],
                             rows: [["Result", a.adfError.map { "\($0)" } ?? "not computed"]], caption: caption)
        }
        let verdict = adf.pValue < 0.05 ? "stationary at 5% (reject unit root)" : "not stationary at 5%"
        return TableItem(
            title: title ?? "ADF test of the spread", columns: ["Statistic", "Value"], numericColumns: [1],
            rows: [["ADF statistic", num(adf.statistic, 4)], ["p-value", num(adf.pValue, 4)], ["Lags used", String(adf.usedLag)],
                   ["Observations", String(adf.nobs)], ["Critical value 1%", num(adf.criticalValues.onePercent, 4)],
                   ["Critical value 5%", num(adf.criticalValues.fivePercent, 4)],
                   ["Critical value 10%", num(adf.criticalValues.tenPercent, 4)], ["Verdict", verdict]],
            caption: caption ?? "regression \(adf.regression.rawValue), lag by \(adf.autolag?.rawValue.uppercased() ?? "fixed")")
    }

    mutating func qualityTable(_ q: QualityCell, symbols: [Symbol]) throws -> TableItem {
        var columns = ["Symbol", "Bars"]
        var numeric: Set<Int> = [1]
        if q.checks.contains(.missingBars) {
            columns += ["Missing bars", "Coverage"]
            numeric.formUnion([columns.count - 2, columns.count - 1])
        }
        if q.checks.contains(.staleness) {
            columns += ["Last bar (UTC)", "Age at run"]
            numeric.insert(columns.count - 1)
        }
        if q.checks.contains(.gaps) {
            columns += ["Stream gaps", "Missing trades"]
            numeric.formUnion([columns.count - 2, columns.count - 1])
        }
        let expected = Int(window.span.milliseconds / timeframe.milliseconds)
        var rows: [[String]] = []
        for s in symbols {
            let bars = try series(s)
            var row = [s.name, String(bars.count)]
            if q.checks.contains(.missingBars) {
                row += [String(max(0, expected - bars.count)), NumberFormat.percent(expected > 0 ? Double(bars.count) / Double(expected) : 0)]
            }
            if q.checks.contains(.staleness) {
                if let last = bars.bars.last {
                    let age = run.runTime - (last.openTime + timeframe.span)
                    row += [last.openTime.iso8601(.seconds), age.milliseconds <= 0 ? "fresh" : age.description]
                } else {
                    row += ["none", "n/a"]
                }
            }
            if q.checks.contains(.gaps) {
                let gaps = try run.store.gaps(for: s).filter { $0.toTime >= window.start && $0.fromTime < window.end }
                row += [String(gaps.count), NumberFormat.grouped(Double(gaps.reduce(0) { $0 + $1.missingTrades }))]
            }
            rows.append(row)
        }
        return TableItem(title: text(q.title) ?? "Data quality", columns: columns, numericColumns: numeric, rows: rows,
                         caption: "\(expected) bars of \(timeframe) expected in \(window)")
    }
}
