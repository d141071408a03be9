import Market

/// A named piece of work that a ``ReportScheduler`` runs at every slot of its cron schedule.
///
/// ```swift
/// let hourly = ScheduledJob(name: "pair-overview", schedule: try CronExpression(parsing: "5 * * * *")) { slot in
///     try await engine.run(script: "Reports/pair-overview.md", at: slot)
/// }
/// ```
public struct ScheduledJob: Sendable {
    /// Identifies the job in logs, in ``ScheduledRun`` and for the "last run" lookup (a report script's name).
    public var name: String
    /// When the job fires, in UTC.
    public var schedule: CronExpression
    /// The work. `slot` is the scheduled instant (a whole UTC minute), not the moment the action started.
    /// Throwing marks the run failed; the scheduler logs it, reports it and carries on with the next slot.
    public var action: @Sendable (_ slot: Timestamp) async throws -> Void

    public init(name: String, schedule: CronExpression, action: @escaping @Sendable (_ slot: Timestamp) async throws -> Void) {
        self.name = name
        self.schedule = schedule
        self.action = action
    }
}

/// What happened at one firing of a ``ScheduledJob``; handed to the scheduler's `onRun` callback so that the caller
/// can record it (for reports: a `report_runs` row) and count it.
public struct ScheduledRun: Sendable {
    /// How a run ended.
    public enum Outcome: Sendable {
        /// The action returned.
        case succeeded
        /// The action threw this error (cancellation during a shutdown is ``cancelled`` instead).
        case failed(any Error)
        /// The action was cancelled because the service was shutting down.
        case cancelled
    }

    /// The job's name.
    public var job: String
    /// The scheduled slot (UTC).
    public var slot: Timestamp
    /// Whether this run catches up a slot missed while the process was down.
    public var isCatchUp: Bool
    /// Wall-clock start and end (UTC).
    public var startedAt: Timestamp
    public var finishedAt: Timestamp
    public var outcome: Outcome
    /// Later slots of the same job that passed while this run was still going (skipped, or coalesced into one run).
    public var overranSlots: Int

    /// The run's wall-clock duration.
    public var duration: TimeSpan { finishedAt - startedAt }
}
