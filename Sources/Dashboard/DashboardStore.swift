import Market
import ReportEngine
import Storage

/// What the dashboard reads and writes: what a report run needs (``ReportEngine/ReportStore``: its pages run scripts),
/// bars and trades for the CSV downloads, and the catalog, newest bars and trades, bar counts, the dashboard's rules,
/// alert states and history, and the live analytics rows. SQLite's ``Storage/Store`` conforms here; PostgreSQL's store
/// conforms in PairbookApp (blocking on its asynchronous calls, which the dashboard makes on NIO's thread pool).
///
/// The synchronous calls block; the dashboard makes them through `offload`, never on an event loop. The live feed's
/// polls are asynchronous.
public protocol DashboardStore: ReportStore, ExportSource {
    /// Per symbol: first and last trade, each timeframe's bar count and span, open gaps; symbols in name order.
    func catalog() throws -> [SymbolSummary]
    /// Changes whenever anything is written (by any process): answers cached at one value are current while it holds.
    func changeCounter() throws -> Int64
    /// The newest bar of `symbol` at `timeframe`.
    func lastBar(for symbol: Symbol, timeframe: Timeframe) throws -> Bar?
    /// The newest bar of `symbol` at `timeframe` opening before `time`.
    func lastBar(for symbol: Symbol, timeframe: Timeframe, before time: Timestamp) throws -> Bar?
    /// How many bars of `symbol` at `timeframe` open in `range`.
    func barCount(for symbol: Symbol, timeframe: Timeframe, in range: TimeRange) throws -> Int
    /// The bars in `range` merged `bucket(count)` at a time (see `Store.candles(for:timeframe:in:bucket:)`).
    func candles(for symbol: Symbol, timeframe: Timeframe, in range: TimeRange, bucket: (_ count: Int) -> Int) throws -> CandleSeries
    /// The open times and closes of the bars in `range`.
    func closes(for symbol: Symbol, timeframe: Timeframe, in range: TimeRange) throws -> CloseSeries
    /// The newest stored trade of each of `symbols`.
    func lastTicks(of symbols: [Symbol]) throws -> [Symbol: Tick]
    /// The timeframes with bars of `symbol`, finest first.
    func timeframes(for symbol: Symbol) throws -> [Timeframe]
    /// How many trades of `symbol` lie in `range`.
    func tickCount(of symbol: Symbol, in range: TimeRange) throws -> Int
    /// The dashboard's rules, by id.
    func alertRules() throws -> [AlertRuleRecord]
    /// Stores a new rule. - Throws: ``Storage/StoreError/duplicateAlertRule(name:)``.
    func insertAlertRule(name: String, definition: String, enabled: Bool, at time: Timestamp) throws -> AlertRuleRecord
    /// Replaces rule `id`; nil when there is none. - Throws: ``Storage/StoreError/duplicateAlertRule(name:)``.
    func updateAlertRule(id: Int64, name: String, definition: String, enabled: Bool, at time: Timestamp) throws -> AlertRuleRecord?
    /// Deletes rule `id`; whether there was one.
    @discardableResult
    func deleteAlertRule(id: Int64) throws -> Bool
    /// The newest `limit` transitions of every alert, newest first.
    func recentAlertEvents(limit: Int) throws -> [AlertEventRecord]
    /// The newest transition of each alert.
    func currentAlertStates() throws -> [AlertEventRecord]
    /// Every transition in `range`, oldest first.
    func alertEvents(in range: TimeRange) throws -> [AlertEventRecord]
    /// Stores one analysis run's rows, replacing stored rows of the pair and timeframe between its first and last.
    @discardableResult
    func replaceAnalyticsResults(_ rows: [AnalyticsResultRecord], symbolPair: String, timeframe: Timeframe) throws -> Int

    /// The symbols with stored bars (the live feed's poll).
    func symbolsWithBars() async throws -> [Symbol]
    /// The newest bar of each symbol at each timeframe (the live feed's poll).
    func lastBars(of symbols: [Symbol], timeframes: [Timeframe]) async throws -> [(symbol: Symbol, timeframe: Timeframe, bar: Bar)]
    /// The bars of `symbol` at `timeframe` in `range`, without blocking the caller's thread (the live feed's read of a
    /// closed bar).
    func barsWithoutBlocking(for symbol: Symbol, timeframe: Timeframe, in range: TimeRange) async throws -> BarSeries
}

extension Store: DashboardStore {
    public func barsWithoutBlocking(for symbol: Symbol, timeframe: Timeframe, in range: TimeRange) async throws -> BarSeries {
        try await bars(for: symbol, timeframe: timeframe, in: range)
    }
}

extension DashboardStore {
    /// The bars read whole, then merged ``Decimation/candles(_:bucket:)``; SQLite's `Store` merges while it steps its
    /// cursor instead (the same candles, without the day in memory).
    public func candles(for symbol: Symbol, timeframe: Timeframe, in range: TimeRange, bucket: (_ count: Int) -> Int) throws -> CandleSeries {
        let bars = try self.bars(for: symbol, timeframe: timeframe, in: range).bars
        return Decimation.candles(bars, bucket: max(1, bucket(bars.count)))
    }

    /// The stored transitions of one alert before `time`, oldest first (at most the last 20).
    func alertEvents(source: String, rule: String, symbolPair: String, before time: Timestamp) throws -> [AlertEventRecord] {
        try alertEvents(source: source, rule: rule, symbolPair: symbolPair, before: time, limit: 20)
    }
}
