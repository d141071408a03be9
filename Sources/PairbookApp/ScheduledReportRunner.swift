import Alerts
import Delivery
import Foundation
import Logging
import Market
import Metrics
import Monitoring
import NIOPosix
import ReportEngine
import Storage

/// What `pairbook run` does when a report's slot comes: run the report on the report thread pool, count its alert
/// triggers, hand it to every delivery (a failed delivery is logged, counted by the delivery and noted on the run's
/// `report_runs` row), run the script's `on_trigger` command if an alert newly fired, and last remove the report's
/// run folders older than `keepFor` (the `report_runs` rows stay).
///
/// The run claims its slot in `report_runs` first: when another worker on the same database (a second `pairbook run`)
/// holds it, that worker makes the report and this one only logs so.
///
/// A trigger is a transition to `firing` at a time after the schedule's previous slot: report windows overlap (an
/// hourly report over 24 h sees the same transition 24 times), so each transition is counted by the first run whose
/// new interval holds it, and an alert that stays firing is not counted again.
public struct ScheduledReportRunner: Sendable {
    let report: ScheduledReport
    let store: any ReportStore
    let outputRoot: String
    let keepFor: TimeSpan?
    let deliveries: [any ReportDelivery]
    let alertTriggers: [String: Metrics.Counter]
    /// This process, as the claimant of report slots.
    let worker: LeaseHolder
    /// Where the report renders: blocking store reads, Cairo and PDF work, off the cooperative threads.
    let pool: NIOThreadPool
    let logger: Logger

    public init(report: ScheduledReport, store: any ReportStore, outputRoot: String, keepFor: TimeSpan?, deliveries: [any ReportDelivery],
                alertTriggers: [String: Metrics.Counter], worker: LeaseHolder, pool: NIOThreadPool, logger: Logger) {
        self.report = report
        self.store = store
        self.outputRoot = outputRoot
        self.keepFor = keepFor
        self.deliveries = deliveries
        self.alertTriggers = alertTriggers
        self.worker = worker
        self.pool = pool
        self.logger = logger
    }

    /// Makes, delivers and prunes the report for `slot`.
    public func run(slot: Timestamp) async throws {
        var claiming = ReportJob(scriptPath: report.path, at: slot, outputRoot: outputRoot, scheduled: true)
        claiming.worker = worker
        let (job, store, logger) = (claiming, self.store, self.logger)
        let result: ReportJob.Result
        do {
            result = try await pool.runIfActive { try job.run(store: store, logger: logger) }
        } catch let taken as ReportJob.SlotTaken {
            logger.info("report slot made by another worker", metadata: ["report": "\(report.name)", "report.slot": "\(taken.slot)"])
            return
        }
        let triggers = Self.newTriggers(in: result.report.findings, after: report.schedule.previous(before: slot), through: slot)
        for (rule, count) in triggers {
            let counter = alertTriggers[rule]
                ?? Metrics.Counter(label: MetricNames.alertTriggers, dimensions: [(MetricNames.Dimension.rule, rule)])
            counter.increment(by: Int64(count))
        }
        // Each delivery logs and counts its own failure; the run's row says `delivery_failed`.
        _ = await ReportDeliveries.deliver(result, generatedAt: slot, to: deliveries, store: store)
        // `on_trigger` once per new trigger, not on every run while an alert stays firing.
        if !triggers.isEmpty, let command = result.onTrigger {
            await TriggerCommand(command).run(for: result, logger: logger)
        }
        if let keepFor { prune(result.layout, before: slot - keepFor) }
    }

    /// Transitions to `firing` in `(previousSlot, slot]`, counted per rule; rules without one are absent.
    public static func newTriggers(in findings: [Finding], after previousSlot: Timestamp, through slot: Timestamp) -> [String: Int] {
        var counts: [String: Int] = [:]
        for finding in findings {
            let n = finding.transitions.filter { $0.state == .firing && $0.time > previousSlot && $0.time <= slot }.count
            if n > 0 { counts[finding.rule, default: 0] += n }
        }
        return counts
    }

    private func prune(_ layout: OutputLayout, before cutoff: Timestamp) {
        let pruning = layout.removeRuns(before: cutoff)
        if !pruning.removed.isEmpty {
            logger.info("removed old report runs", metadata: [
                "report": "\(report.name)", "report.removed": "\(pruning.removed.count)", "report.keep_for": "\(keepFor.map { "\($0)" } ?? "")",
            ])
        }
        for failure in pruning.failures {
            logger.warning("could not remove an old report run", metadata: ["report": "\(report.name)", "error": "\(failure)"])
        }
    }
}
