import Alerts
import Analytics
import Charts
import Foundation
import Market
import Storage

/// The mutable state of one ``ReportRun/execute()``: bars and analyses cached per symbol, pair and timeframe.
struct Execution {
    let run: ReportRun
    let timeframe: Timeframe
    let window: TimeRange
    let rollingWindow: Int
    var values: ReportValues
    private var bars: [BarKey: BarSeries] = [:]
    private var symbolOrder: [Symbol] = []
    private var analyses: [PairKey: PairAnalysis] = [:]
    private var analysisErrors: [PairKey: String] = [:]
    private var pairOrder: [Pair] = []
    private var allSymbols: [Symbol]?
    var findings: [Finding] = []
    var notices: [String] = []

    struct BarKey: Hashable {
        var symbol: Symbol
        var timeframe: Timeframe
    }

    struct PairKey: Hashable {
        var pair: Pair
        var timeframe: Timeframe
    }

    init(run: ReportRun) throws {
        self.run = run
        let p = run.parameters
        timeframe = p["timeframe"]?.timeframeValue ?? .oneMinute
        let lookback = p["lookback"]?.durationValue ?? .hours(24)
        window = TimeRange(lookback: lookback, endingAt: run.runTime)
        rollingWindow = p["window"]?.intValue ?? 60
        values = ReportValues(parameters: p, window: window, timeframe: timeframe, runTime: run.runTime,
                              reportName: run.script.name)
        values.primaryPair = Self.primaryPair(p)
    }

    /// `pair`, else `base`/`quote`, else the first of `pairs`.
    static func primaryPair(_ p: ReportParameters) -> Pair? {
        if let pair = p["pair"]?.pairValue { return pair }
        if let base = p["base"]?.symbolValue, let quote = p["quote"]?.symbolValue, base != quote { return Pair(base: base, quote: quote) }
        if let first = p["pairs"]?.listValue?.first?.pairValue { return first }
        return nil
    }

    // MARK: - Resolving cell values

    func text(_ s: String?) -> String? { s.map { values.resolve($0) } }

    func symbol(_ s: String?, at location: SourceLocation) throws -> Symbol? {
        guard let raw = text(s) else { return nil }
        do { return try Symbol(parsing: raw) } catch {
            throw ScriptError.invalidCell(location, reason: "\(error)")
        }
    }

    func pair(_ s: String?, at location: SourceLocation) throws -> Pair? {
        guard let raw = text(s) else { return nil }
        do { return try Pair(parsing: raw) } catch {
            throw ScriptError.invalidCell(location, reason: "\(error)")
        }
    }

    /// Symbols of a list; `all` means every symbol with bars in the store.
    mutating func symbols(_ list: TextList?, at location: SourceLocation) throws -> [Symbol]? {
        guard let list else { return nil }
        var result: [Symbol] = []
        for item in list.items {
            for part in values.resolve(item).split(separator: ",").map({ String($0).trimmingWhitespace() }) where !part.isEmpty {
                if part == "all" {
                    result += try storeSymbols()
                } else {
                    do { result.append(try Symbol(parsing: part)) } catch {
                        throw ScriptError.invalidCell(location, reason: "\(error)")
                    }
                }
            }
        }
        var seen = Set<Symbol>()
        return result.filter { seen.insert($0).inserted }
    }

    func pairs(_ list: TextList?, at location: SourceLocation) throws -> [Pair]? {
        guard let list else { return nil }
        return try list.items.flatMap { item in
            try values.resolve(item).split(separator: ",").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }.map { part in
                do { return try Pair(parsing: part) } catch {
                    throw ScriptError.invalidCell(location, reason: "\(error)")
                }
            }
        }
    }

    mutating func storeSymbols() throws -> [Symbol] {
        if let allSymbols { return allSymbols }
        let symbols = try run.store.symbols()
        allSymbols = symbols
        return symbols
    }

    /// The symbols the report is about when a cell names none: the primary pair's legs, the `symbols` parameter, or
    /// every symbol loaded so far.
    var defaultSymbols: [Symbol] {
        if let list = run.parameters["symbols"]?.listValue?.compactMap(\.symbolValue), !list.isEmpty { return list }
        var result = values.primaryPair?.symbols ?? []
        for s in symbolOrder where !result.contains(s) { result.append(s) }
        return result
    }

    // MARK: - Stage: load

    mutating func series(_ symbol: Symbol, _ tf: Timeframe? = nil) throws -> BarSeries {
        let key = BarKey(symbol: symbol, timeframe: tf ?? timeframe)
        if let cached = bars[key] { return cached }
        let loaded = try run.store.bars(for: symbol, timeframe: key.timeframe, in: window)
        bars[key] = loaded
        if key.timeframe == timeframe, !symbolOrder.contains(symbol) { symbolOrder.append(symbol) }
        return loaded
    }

    /// Loads the bars of every symbol the cells, alert rules and parameters name.
    mutating func load() throws {
        var needed: [Symbol] = values.primaryPair?.symbols ?? []
        needed += run.parameters["symbols"]?.listValue?.compactMap(\.symbolValue) ?? []
        for pair in run.parameters["pairs"]?.listValue?.compactMap(\.pairValue) ?? [] { needed += pair.symbols }
        for cell in run.script.cells {
            switch cell.kind {
            case .chart(let c):
                if let s = try symbol(c.symbol, at: cell.location) { needed.append(s) }
                if let p = try pair(c.pair, at: cell.location) { needed += p.symbols }
                needed += try symbols(c.symbols, at: cell.location) ?? []
            case .table(let t):
                if let s = try symbol(t.symbol, at: cell.location) { needed.append(s) }
                if let p = try pair(t.pair, at: cell.location) { needed += p.symbols }
                needed += try symbols(t.symbols, at: cell.location) ?? []
                needed += (try pairs(t.pairs, at: cell.location) ?? []).flatMap(\.symbols)
            case .quality(let q):
                needed += try symbols(q.symbols, at: cell.location) ?? []
            case .findings, .export:
                break
            }
        }
        for rule in run.script.alerts where rule.enabled {
            if let p = rule.pair { needed += p.symbols }
            if let s = rule.symbol { needed.append(s) }
        }
        var seen = Set<Symbol>()
        for s in needed where seen.insert(s).inserted { _ = try series(s) }
        values.barCount = symbolOrder.first.flatMap { bars[BarKey(symbol: $0, timeframe: timeframe)]?.count } ?? 0
        report(stage: "load", label: "\(symbolOrder.count) symbols")
    }

    // MARK: - Stage: analyse

    /// The analysis of `pair` (cached), or nil with a notice when it cannot be computed.
    mutating func analysis(_ pair: Pair, _ tf: Timeframe? = nil) -> PairAnalysis? {
        let key = PairKey(pair: pair, timeframe: tf ?? timeframe)
        if let cached = analyses[key] { return cached }
        if analysisErrors[key] != nil { return nil }
        do {
            let a = try PairAnalysis.compute(base: try series(pair.base, key.timeframe), quote: try series(pair.quote, key.timeframe),
                                             window: rollingWindow)
            analyses[key] = a
            if key.timeframe == timeframe, !pairOrder.contains(pair) { pairOrder.append(pair) }
            if let e = a.adfError { notices.append("\(pair) (\(key.timeframe)): ADF not computed: \(e)") }
            return a
        } catch {
            let message = "\(pair) (\(key.timeframe)): \(error)"
            analysisErrors[key] = message
            notices.append(message)
            return nil
        }
    }

    /// The error text of a failed analysis.
    func analysisError(_ pair: Pair) -> String? { analysisErrors[PairKey(pair: pair, timeframe: timeframe)] }

    /// Analyses the primary pair, the `pairs` parameter, pairs named by cells and by alert rules.
    mutating func analyse() {
        var pairs: [Pair] = values.primaryPair.map { [$0] } ?? []
        pairs += run.parameters["pairs"]?.listValue?.compactMap(\.pairValue) ?? []
        for cell in run.script.cells {
            switch cell.kind {
            case .chart(let c): if let p = try? pair(c.pair, at: cell.location) { pairs.append(p) }
            case .table(let t):
                if let p = try? pair(t.pair, at: cell.location) { pairs.append(p) }
                pairs += (try? self.pairs(t.pairs, at: cell.location)) ?? []
            default: break
            }
        }
        for rule in run.script.alerts where rule.enabled && rule.metric.isPairMetric {
            if let p = rule.pair { pairs.append(p) }
        }
        var seen = Set<Pair>()
        for p in pairs where seen.insert(p).inserted { _ = analysis(p) }
        if let primary = values.primaryPair { values.primary = analyses[PairKey(pair: primary, timeframe: timeframe)] }
        report(stage: "analyse", label: "\(pairOrder.count) pairs")
    }

    // MARK: - Stage: alerts

    mutating func evaluateAlerts() throws {
        for rule in run.script.alerts where rule.enabled {
            let tf = rule.timeframe ?? timeframe
            if rule.metric.isPairMetric {
                let subjects = rule.pair.map { [$0] } ?? (pairOrder.isEmpty ? values.primaryPair.map { [$0] } ?? [] : pairOrder)
                for p in subjects {
                    let samples = analysis(p, tf).map { [MetricSample](rule.metric, in: $0) } ?? []
                    try evaluate(rule, subject: p.description, samples: samples, timeframe: tf)
                }
            } else {
                let subjects = rule.symbol.map { [$0] } ?? rule.pair.map { [$0.base] } ?? defaultSymbols
                for s in subjects {
                    let samples = [MetricSample](rule.metric, in: try series(s, tf).bars)
                    try evaluate(rule, subject: s.name, samples: samples, timeframe: tf)
                }
            }
        }
        findings = findings.sortedForDisplay()
        values.findings = findings
        report(stage: "alerts", label: "\(findings.count) findings")
    }

    private mutating func evaluate(_ rule: AlertRule, subject: String, samples: [MetricSample], timeframe tf: Timeframe) throws {
        let source = AlertSource.script(run.script.name)
        let stored = try run.store.alertEvents(source: source, rule: rule.name, symbolPair: subject, before: window.start, limit: 20)
        let previous = AlertState(continuingFrom: stored.transitions)
        let finding = AlertEvaluator.evaluate(rule, subject: subject, samples: samples, asOf: run.runTime, barWidth: tf.span,
                                              previous: previous)
        let recent = try run.store.alertEvents(source: source, rule: rule.name, symbolPair: subject, before: run.runTime, limit: 20)
        findings.append(finding.continuing(recent.transitions, asOf: run.runTime))
    }

    // MARK: - Progress

    func report(stage: String, done: Int = 1, total: Int = 1, label: String) {
        run.progress?(ReportProgress(stage: stage, done: done, total: total, label: label))
    }

    // MARK: - Accessors for cells

    func loadedSeries(_ symbol: Symbol) -> BarSeries? { bars[BarKey(symbol: symbol, timeframe: timeframe)] }
    var loadedSymbols: [Symbol] { symbolOrder }
    var analysedPairs: [PairAnalysis] { pairOrder.compactMap { analyses[PairKey(pair: $0, timeframe: timeframe)] } }
}
