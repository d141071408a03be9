import Logging
import Market
import ServiceLifecycle

/// A service that runs ``ScheduledJob``s at the slots of their cron schedules, in UTC.
///
/// - Each slot fires **once**: the next slot is always computed strictly after the later of the slot just run and the
///   moment it finished, so a wall clock that steps back never repeats a slot.
/// - A job **never overlaps itself**: its runs are sequential. Slots that pass while a run is still going are
///   skipped (``OverrunPolicy/skip``) or coalesced into one immediate run (``OverrunPolicy/coalesce``), and logged.
///   Different jobs run concurrently and independently.
/// - **No drift**: every wait is recomputed from the wall clock (`now`) to the slot, a whole UTC minute, and is
///   split into sleeps of at most ``Configuration/maximumSleep`` so that a wall-clock step is noticed.
/// - **After downtime** (``MissedRunPolicy/runMostRecent``) the most recent slot later than the job's last run
///   (from the `lastRun` lookup) is run once at start; older missed slots are not.
/// - A **failing** job is logged at error level and reported through `onRun`; the other jobs and later slots go on.
/// - **Graceful shutdown** stops scheduling at once. A running action is left to finish
///   (``ShutdownPolicy/finishRunningJobs``, its run is then reported) or cancelled (``ShutdownPolicy/cancelRunningJobs``,
///   reported as ``ScheduledRun/Outcome/cancelled``). Task cancellation cancels running actions in either case.
///
/// The clock is injected: production uses `ContinuousClock` with ``Timestamp/now()``; tests use a manual clock and
/// derive `now` from it, so they never sleep.
///
/// ```swift
/// let scheduler = ReportScheduler(
///     jobs: [ScheduledJob(name: "daily-summary", schedule: try CronExpression(parsing: "@daily")) { slot in … }],
///     lastRun: { name in try await store.lastReportRun(script: name) },
///     onRun: { run in try? await store.record(run) },
///     logger: logger)
/// let group = ServiceGroup(services: [recorder, scheduler], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
/// ```
public struct ReportScheduler<C: Clock>: Service where C.Duration == Duration {
    /// What to do on start about slots that passed while the process was not running.
    public enum MissedRunPolicy: Sendable, Equatable {
        /// Wait for the next slot.
        case skip
        /// Run the most recent missed slot once, right away (needs the `lastRun` lookup to know what was missed).
        case runMostRecent
    }

    /// What to do with slots that pass while the same job is still running.
    public enum OverrunPolicy: Sendable, Equatable {
        /// Drop them; the job next runs at its first slot after the long run finished.
        case skip
        /// Run once, right after the long run, for the most recent slot it overran.
        case coalesce
    }

    /// What graceful shutdown does to a job that is running.
    public enum ShutdownPolicy: Sendable, Equatable {
        /// Let it finish (the service group waits for it).
        case finishRunningJobs
        /// Cancel it; the action sees task cancellation and should leave nothing half-written.
        case cancelRunningJobs
    }

    /// Policies and limits, with defaults for a report server.
    public struct Configuration: Sendable {
        public var missedRuns: MissedRunPolicy
        public var overruns: OverrunPolicy
        public var shutdown: ShutdownPolicy
        /// The longest single sleep; the wall clock is re-read after each. Default 60 s.
        public var maximumSleep: Duration

        public init(
            missedRuns: MissedRunPolicy = .runMostRecent, overruns: OverrunPolicy = .skip,
            shutdown: ShutdownPolicy = .finishRunningJobs, maximumSleep: Duration = .seconds(60)
        ) {
            self.missedRuns = missedRuns
            self.overruns = overruns
            self.shutdown = shutdown
            self.maximumSleep = maximumSleep
        }
    }

    public let jobs: [ScheduledJob]
    public let configuration: Configuration
    private let clock: C
    private let now: @Sendable () -> Timestamp
    private let lastRun: @Sendable (_ job: String) async throws -> Timestamp?
    private let onRun: @Sendable (ScheduledRun) async -> Void
    private let logger: Logger

    /// Creates a scheduler.
    ///
    /// - Parameters:
    ///   - jobs: the jobs; names should be unique.
    ///   - configuration: policies for missed runs, overruns and shutdown.
    ///   - clock: the clock to sleep on.
    ///   - now: the wall clock in UTC; must advance with `clock`.
    ///   - lastRun: when a job last ran (its slot or start time), or `nil` if never; used only for
    ///     ``MissedRunPolicy/runMostRecent``. A throwing lookup is logged and treated as "nothing missed".
    ///   - onRun: called after every run, including failed and cancelled ones.
    ///   - logger: where runs, failures and skipped slots are logged.
    public init(
        jobs: [ScheduledJob],
        configuration: Configuration = .init(),
        clock: C,
        now: @escaping @Sendable () -> Timestamp,
        lastRun: @escaping @Sendable (_ job: String) async throws -> Timestamp? = { _ in nil },
        onRun: @escaping @Sendable (ScheduledRun) async -> Void = { _ in },
        logger: Logger
    ) {
        self.jobs = jobs
        self.configuration = configuration
        self.clock = clock
        self.now = now
        self.lastRun = lastRun
        self.onRun = onRun
        self.logger = logger
    }

    // MARK: - Service

    /// Runs every job until graceful shutdown or cancellation; returns once running actions have ended.
    public func run() async throws {
        logger.info("scheduler started", metadata: ["scheduler.jobs": "\(jobs.map { "\($0.name) [\($0.schedule)]" })"])
        if jobs.isEmpty {
            // Returning early would end the whole service group; idle until asked to stop.
            try? await gracefulShutdown()
        } else {
            await withTaskGroup(of: Void.self) { group in
                for job in jobs {
                    group.addTask { await self.loop(job) }
                }
            }
        }
        logger.info("scheduler stopped")
    }

    // MARK: - One job

    private var isStopping: Bool { Task.isCancelled || Task.isShuttingDownGracefully }

    private func loop(_ job: ScheduledJob) async {
        var logger = self.logger
        logger[metadataKey: "job"] = "\(job.name)"
        var after = now()
        var pending: (slot: Timestamp, isCatchUp: Bool)? = await missedSlot(of: job, at: after, logger: logger).map { ($0, true) }

        while !isStopping {
            let slot: Timestamp
            let isCatchUp: Bool
            if let due = pending {
                (slot, isCatchUp) = due
                pending = nil
            } else {
                slot = job.schedule.next(after: after)
                isCatchUp = false
                logger.debug("next slot", metadata: ["job.slot": "\(slot)"])
                do {
                    try await cancelWhenGracefulShutdown { try await self.sleep(until: slot) }
                } catch {
                    break  // cancelled or shutting down: stop scheduling
                }
                if isStopping { break }
            }

            var run = await fire(job, slot: slot, isCatchUp: isCatchUp, logger: logger)
            after = max(slot, run.finishedAt)

            // Slots that passed while the run was going.
            var overran = 0
            var latest = slot
            var probe = job.schedule.next(after: slot)
            while probe <= run.finishedAt, overran < 100_000 {
                overran += 1
                latest = probe
                probe = job.schedule.next(after: probe)
            }
            run.overranSlots = overran
            if overran > 0 {
                logger.warning(
                    "run overran later slots",
                    metadata: [
                        "job.slot": "\(slot)", "job.overran_slots": "\(overran)",
                        "job.policy": "\(configuration.overruns == .skip ? "skip" : "coalesce")",
                    ])
                if configuration.overruns == .coalesce {
                    pending = (latest, false)
                }
            }
            await onRun(run)
        }
        logger.debug("job loop ended")
    }

    /// The most recent slot missed while the process was down, if the policy asks for catch-up.
    private func missedSlot(of job: ScheduledJob, at now: Timestamp, logger: Logger) async -> Timestamp? {
        guard configuration.missedRuns == .runMostRecent else { return nil }
        let last: Timestamp?
        do {
            last = try await lastRun(job.name)
        } catch {
            logger.warning("last-run lookup failed; not catching up", metadata: ["error": "\(error)"])
            return nil
        }
        guard let last else { return nil }
        let mostRecent = job.schedule.previous(before: now + TimeSpan(milliseconds: 1))
        guard mostRecent > last else { return nil }
        logger.notice(
            "catching up a missed slot", metadata: ["job.slot": "\(mostRecent)", "job.last_run": "\(last)"])
        return mostRecent
    }

    /// Runs the action once and reports what happened (without the overrun count, which the loop adds).
    private func fire(_ job: ScheduledJob, slot: Timestamp, isCatchUp: Bool, logger: Logger) async -> ScheduledRun {
        let startedAt = now()
        logger.info("run started", metadata: ["job.slot": "\(slot)", "job.catch_up": "\(isCatchUp)"])
        let outcome: ScheduledRun.Outcome
        do {
            switch configuration.shutdown {
            case .finishRunningJobs:
                try await job.action(slot)
            case .cancelRunningJobs:
                try await cancelWhenGracefulShutdown { try await job.action(slot) }
            }
            outcome = .succeeded
        } catch {
            let interrupted = error is CancellationError || Task.isCancelled || configuration.shutdown == .cancelRunningJobs
            outcome = interrupted && isStopping ? .cancelled : .failed(error)
        }
        let finishedAt = now()
        let run = ScheduledRun(
            job: job.name, slot: slot, isCatchUp: isCatchUp, startedAt: startedAt, finishedAt: finishedAt,
            outcome: outcome, overranSlots: 0)
        let metadata: Logger.Metadata = ["job.slot": "\(slot)", "job.duration": "\(run.duration)"]
        switch outcome {
        case .succeeded:
            logger.info("run finished", metadata: metadata)
        case .failed(let error):
            logger.error("run failed", metadata: metadata.merging(["error": "\(error)"]) { $1 })
        case .cancelled:
            logger.notice("run cancelled by shutdown", metadata: metadata)
        }
        return run
    }

    /// Sleeps until the wall clock reaches `slot`, re-reading it after every sleep of at most `maximumSleep`.
    private func sleep(until slot: Timestamp) async throws {
        while true {
            let remaining = slot - now()
            if remaining.milliseconds <= 0 { return }
            let wait = min(Duration.milliseconds(remaining.milliseconds), configuration.maximumSleep)
            try await clock.sleep(until: clock.now.advanced(by: wait), tolerance: nil)
        }
    }
}

extension ReportScheduler where C == ContinuousClock {
    /// Creates a scheduler on the real clocks: `ContinuousClock` for sleeping, ``Timestamp/now()`` for the UTC wall time.
    public init(
        jobs: [ScheduledJob],
        configuration: Configuration = .init(),
        lastRun: @escaping @Sendable (_ job: String) async throws -> Timestamp? = { _ in nil },
        onRun: @escaping @Sendable (ScheduledRun) async -> Void = { _ in },
        logger: Logger
    ) {
        self.init(
            jobs: jobs, configuration: configuration, clock: ContinuousClock(), now: { Timestamp.now() },
            lastRun: lastRun, onRun: onRun, logger: logger)
    }
}
