import Alerts
import Analytics
import Charts
import Foundation
import Logging
import Market
import Storage

/// Executes a report script against a store: the stages load → analyse → alerts → cells, into an ``ExecutedReport``.
///
/// ```swift
/// let script = try ReportScript(contentsOf: "Reports/pair-overview.md")
/// var params = script.parameters
/// try params.apply(assignments: ["window=120"])
/// let run = ReportRun(script: script, parameters: params, store: store, runTime: at, logger: logger)
/// let report = try run.execute()
/// ```
/// Execution reads the store only; recording alert transitions is ``recordAlerts(of:runID:)``.
public struct ReportRun: Sendable {
    /// The parsed script.
    public var script: ReportScript
    /// Parameter values after overrides.
    public var parameters: ReportParameters
    /// The database read by the run (alert state too).
    public var store: any ReportStore
    /// The end of the window, UTC.
    public var runTime: Timestamp
    /// Where the run logs.
    public var logger: Logger
    /// Called after each stage and cell.
    public var progress: ProgressHandler?

    /// Prepares a run; ``execute()`` does the work.
    public init(script: ReportScript, parameters: ReportParameters, store: any ReportStore, runTime: Timestamp,
                logger: Logger, progress: ProgressHandler? = nil) {
        self.script = script
        self.parameters = parameters
        self.store = store
        self.runTime = runTime
        self.logger = logger
        self.progress = progress
    }

    /// The run time for a script: `at` when given, else the latest schedule slot at or before `now`, else `now`
    /// floored to the minute (so runs in the same minute are identical).
    public static func runTime(at: Timestamp?, schedule: CronExpression?, now: Timestamp) -> Timestamp {
        if let at { return at }
        if let schedule { return schedule.previous(before: now + TimeSpan(milliseconds: 1)) }
        return Timeframe.oneMinute.barOpen(containing: now)
    }

    /// Runs every stage.
    ///
    /// - Throws: ``ScriptError`` for cells that name invalid symbols or pairs; ``StoreError`` for database failures.
    public func execute() throws -> ExecutedReport {
        var execution = try Execution(run: self)
        try execution.load()
        execution.analyse()
        try execution.evaluateAlerts()
        return try execution.buildReport()
    }

    /// Stores the alert transitions of `report` in `alert_events` (duplicates of an earlier identical run are skipped).
    ///
    /// - Returns: the number of new rows.
    @discardableResult
    public func recordAlerts(of report: ExecutedReport, runID: Int64?) throws -> Int {
        let source = AlertSource.script(script.name)
        let events = report.findings.flatMap { finding in
            finding.transitions.map { t in
                AlertEventRecord(source: source, rule: finding.rule, symbolPair: finding.subject, metric: finding.metric.rawValue, value: t.value,
                                 threshold: finding.threshold, state: t.state.rawValue, time: t.time, reportRun: runID)
            }
        }
        return try store.recordAlertEvents(events)
    }
}
