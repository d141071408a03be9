import Market
import Storage

/// What a report run needs from its database: the symbols and bars it reads, stream gaps, the alert history it
/// continues and extends, and its row in `report_runs`. SQLite's ``Storage/Store`` conforms here; PostgreSQL's store
/// conforms in PairbookApp (blocking on its asynchronous calls), so a report worker runs against either.
///
/// Calls block the calling thread: a report runs on a thread of its own (`pairbook run` uses its thread pool), never
/// on a Swift concurrency or event-loop thread.
public protocol ReportStore: Sendable {
    /// Every symbol with trades or bars, sorted.
    func symbols() throws -> [Symbol]
    /// The bars of `symbol` at `timeframe` opening in `range`, ascending.
    func bars(for symbol: Symbol, timeframe: Timeframe, in range: TimeRange) throws -> BarSeries
    /// The stream gaps of `symbol` (all symbols when nil), newest first.
    func gaps(for symbol: Symbol?) throws -> [StreamGap]
    /// The last `limit` stored transitions of one alert strictly before `time`, oldest first.
    func alertEvents(source: String, rule: String, symbolPair: String, before time: Timestamp, limit: Int) throws -> [AlertEventRecord]
    /// Stores transitions not already stored (same source, rule, subject, state and time); returns how many were new.
    @discardableResult
    func recordAlertEvents(_ events: [AlertEventRecord]) throws -> Int
    /// Claims a scheduled slot in `report_runs` (unique per slot; a stale running claim may be taken over); nil when
    /// another worker holds it.
    func claimReportSlot(_ slot: String, script: String, params: String, startedAt: Timestamp, worker: LeaseHolder,
                         staleAfter: TimeSpan) throws -> Int64?
    /// Records the start of an unscheduled run; returns its id.
    func beginReportRun(script: String, params: String, startedAt: Timestamp) throws -> Int64
    /// Records the end of run `id`.
    func finishReportRun(id: Int64, finishedAt: Timestamp, status: ReportRunStatus, outputs: String?, error: String?) throws
}

/// Where `CSVExport` reads bars and trades from, one at a time (constant memory on SQLite, a database cursor).
public protocol ExportSource: Sendable {
    /// Calls `body` for each bar of `symbol` at `timeframe` opening in `range`, ascending.
    func forEachBar(of symbol: Symbol, timeframe: Timeframe, in range: TimeRange, _ body: (Bar) throws -> Void) throws
    /// Calls `body` for each trade of `symbol` in `range`, by time then trade id.
    func forEachTick(of symbol: Symbol, in range: TimeRange, _ body: (Tick) throws -> Void) throws
}

extension Store: ReportStore, ExportSource {}
